"""The visitor's address behind trusted proxies (X-Forwarded-For and RFC 7239 Forwarded)."""

from __future__ import annotations

import ipaddress

import pytest

from bots.client_address import client_address, forwarded_chain
from brygada.settings import Settings

TRUSTED = (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.0.0.0/8"))


@pytest.mark.parametrize(
    ("peer", "xff", "expected"),
    [
        ("127.0.0.1", "203.0.113.7", "203.0.113.7"),
        # Addresses left of the first untrusted one were written by the visitor.
        ("127.0.0.1", "1.1.1.1, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        ("10.1.2.3", "203.0.113.7:5000, 10.0.0.9", "203.0.113.7"),
        # Every hop trusted (an office behind the same proxies): the first one.
        ("127.0.0.1", "10.0.0.5, 10.0.0.2", "10.0.0.5"),
        # Not from a trusted proxy: the header is the sender's invention.
        ("198.51.100.4", "203.0.113.7", "198.51.100.4"),
        ("127.0.0.1", "", "127.0.0.1"),
        ("::ffff:127.0.0.1", "203.0.113.7", "203.0.113.7"),  # IPv4 peer on a dual stack
    ],
)
def test_x_forwarded_for(peer: str, xff: str, expected: str) -> None:
    chain = forwarded_chain([], [xff] if xff else [])
    assert client_address(peer, chain, TRUSTED) == expected


def test_forwarded_rfc7239_wins_and_handles_ipv6_ports_and_quotes() -> None:
    chain = forwarded_chain(
        ['for="[2001:db8:cafe::17]:4711";proto=https;by=10.0.0.1', "For=10.0.0.2"],
        ["6.6.6.6"],
    )
    assert chain == ['"[2001:db8:cafe::17]:4711"', "10.0.0.2"]
    assert client_address("127.0.0.1", chain, TRUSTED) == "2001:db8:cafe::17"
    chain = forwarded_chain(["for=unknown, for=10.0.0.2"], [])
    assert client_address("127.0.0.1", chain, TRUSTED) == "unknown"


def test_trusted_proxies_setting_takes_json_or_commas_and_refuses_nonsense() -> None:
    assert Settings(trusted_proxies="10.0.0.0/8, ::1", _env_file=None).trusted_proxy_networks == (  # type: ignore[call-arg]
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("::1"),
    )
    assert Settings(trusted_proxies='["127.0.0.1"]', _env_file=None).trusted_proxies == [  # type: ignore[call-arg]
        "127.0.0.1"
    ]
    with pytest.raises(ValueError, match=r"proxy\.example"):
        Settings(trusted_proxies="proxy.example", _env_file=None)  # type: ignore[call-arg]
