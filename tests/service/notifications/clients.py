"""Helpers for the notifications API tests: a fixed DNS for the SSRF guard and clients with tokens."""

from __future__ import annotations

import ipaddress

from flask import Flask
from flask.testing import FlaskClient

from common.auth import Principal, issue_token

UNIT = "26734"

# A fixed DNS: names resolve without the network (the SSRF guard resolves every webhook host).
DNS = {
    "hooks.example": ["93.184.215.14"],
    "localhost": ["127.0.0.1", "::1"],
    "intranet.example": ["10.1.2.3"],
    "metadata.example": ["169.254.169.254"],
    "mixed.example": ["93.184.215.14", "192.168.1.10"],
    "mapped.example": ["::ffff:127.0.0.1"],
}


def fake_dns(host: str, port: int) -> list[str]:
    """DNS answers from the table above; an IP literal resolves to itself; anything else fails."""
    if host in DNS:
        return DNS[host]
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        raise OSError(f"unknown host {host}") from None


def client_for(app: Flask, principal: Principal | None) -> FlaskClient:
    """A test client that sends a token of `principal` with every request (none: no token)."""
    client = app.test_client()
    if principal is not None:
        token = issue_token(principal, secret_key=app.extensions["auth"].secret_key).token
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client
