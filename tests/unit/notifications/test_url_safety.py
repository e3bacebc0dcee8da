"""The SSRF rule for webhook targets (pure): only public unicast addresses, unless allow-listed."""

from __future__ import annotations

import ipaddress

import pytest

from services.notifications.domain.url_safety import first_refusal, parse_networks, refusal

REFUSED = {
    "127.0.0.1": "loopback",
    "127.8.9.10": "loopback",
    "::1": "loopback",
    "10.0.0.5": "private",
    "172.16.3.4": "private",
    "192.168.1.1": "private",
    "fd12:3456::1": "private",
    "169.254.169.254": "metadata",
    "fd00:ec2::254": "metadata",
    "169.254.10.10": "link-local",
    "fe80::1": "link-local",
    "0.0.0.0": "not a public",
    "::": "not a public",
    "100.64.0.1": "not a public",  # carrier-grade NAT
    "224.0.0.1": "not a public",
    "ff02::1": "not a public",
    "192.0.2.10": "",  # documentation (private or not global: refused either way)
    "255.255.255.255": "",
    "::ffff:127.0.0.1": "loopback",  # IPv4-mapped
    "::ffff:10.1.1.1": "private",
    "2002:7f00:1::": "loopback",  # 6to4 wrapping 127.0.0.1
}


@pytest.mark.parametrize(("address", "kind"), sorted(REFUSED.items()))
def test_internal_addresses_are_refused(address: str, kind: str) -> None:
    reason = refusal(ipaddress.ip_address(address))
    assert reason is not None and kind in reason


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


def test_an_allow_list_lets_named_networks_through_and_nothing_else() -> None:
    allowed = parse_networks(["127.0.0.0/8", " ::1 ", "", "10.1.2.3"])
    assert refusal(ipaddress.ip_address("127.0.0.1"), allowed) is None
    assert refusal(ipaddress.ip_address("::1"), allowed) is None
    assert refusal(ipaddress.ip_address("::ffff:127.0.0.1"), allowed) is None
    assert refusal(ipaddress.ip_address("10.1.2.3"), allowed) is None
    assert refusal(ipaddress.ip_address("10.1.2.4"), allowed) is not None
    assert refusal(ipaddress.ip_address("169.254.169.254"), allowed) is not None


def test_every_address_of_a_host_must_pass() -> None:
    assert first_refusal(["93.184.215.14", "8.8.8.8"]) is None
    reason = first_refusal(["93.184.215.14", "192.168.0.7"])
    assert reason is not None and "192.168.0.7" in reason
    assert first_refusal(["fe80::1%eth0"]) is not None  # a zone index is stripped


@pytest.mark.parametrize("bad", ["localhost", "10.0.0.0/33", "1.2.3.4/abc"])
def test_a_bad_allow_list_entry_is_named(bad: str) -> None:
    with pytest.raises(ValueError, match="not an IP network"):
        parse_networks([bad])
