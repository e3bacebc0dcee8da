"""Webhook targets that must not be reached: the server-side request forgery guard (pure Python).

A webhook URL is chosen by whoever registers it, and this service then POSTs to it from inside the
network. So every address its host resolves to must be a public (globally routable) unicast address:
loopback, private (RFC 1918, fc00::/7), link-local (169.254.0.0/16 with the cloud metadata address
169.254.169.254, fe80::/10), carrier-grade NAT, unspecified, reserved, documentation and multicast
addresses are refused, IPv4 inside IPv6 (::ffff:a.b.c.d, 6to4, Teredo) judged as the IPv4 it carries,
unless an allow-list names the network explicitly (NOTIFICATIONS_WEBHOOK_ALLOW_NETWORKS).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Named in the refusal; every one of them is also caught by `is_global` being false.
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Networks from CIDR texts ("127.0.0.0/8", "::1", "10.1.2.3/32"); ValueError names a bad one."""
    networks = []
    for value in values:
        text = value.strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError as exc:
            raise ValueError(f"not an IP network: {text!r}") from exc
    return tuple(networks)


def _embedded_ipv4(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address):
        for inner in (address.ipv4_mapped, address.sixtofour, address.teredo and address.teredo[1]):
            if inner is not None:
                return inner
    return address


def refusal(address: IPAddress, allowed: Sequence[IPNetwork] = ()) -> str | None:
    """Why a webhook may not be sent to this address (None: it may)."""
    if any(address in network for network in allowed):
        return None
    inner = _embedded_ipv4(address)
    if inner is not address and any(inner in network for network in allowed):
        return None
    for candidate in dict.fromkeys((inner, address)):  # the carried IPv4 first: its kind is the telling one
        if candidate in METADATA_ADDRESSES:
            return f"{candidate} is a cloud metadata address"
        if candidate.is_loopback:
            return f"{candidate} is a loopback address"
        if candidate.is_link_local:
            return f"{candidate} is a link-local address"
        if candidate.is_multicast or candidate.is_unspecified:
            return f"{candidate} is not a public unicast address"
        if candidate.is_private:
            return f"{candidate} is a private address"
        if not candidate.is_global:
            return f"{candidate} is not a public unicast address"
    return None


def first_refusal(addresses: Iterable[str], allowed: Sequence[IPNetwork] = ()) -> str | None:
    """The refusal of the first address that may not be reached (every address must be allowed)."""
    for text in addresses:
        reason = refusal(ipaddress.ip_address(text.split("%", 1)[0]), allowed)
        if reason is not None:
            return reason
    return None
