"""Who is really asking: the visitor's address behind trusted reverse proxies.

Behind nginx or a load balancer every request comes from the proxy's address; the
visitor's is in ``Forwarded`` (RFC 7239) or ``X-Forwarded-For``. Those headers are
written by whoever sends the request, so they count only when the connection comes
from a configured proxy (``BRYGADA_TRUSTED_PROXIES``), and then only up to the first
address, read from the right, that is not a trusted proxy itself: everything to the
left of it was written by the visitor and may be made up.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# One ``for=`` parameter of a Forwarded element: a token or a quoted string.
_FORWARDED_FOR = re.compile(r'(?:^|[;,])\s*for\s*=\s*("(?:[^"\\]|\\.)*"|[^;,\s]*)', re.IGNORECASE)


def _address(node: str) -> IPAddress | None:
    """An address from a header node: ``1.2.3.4``, ``1.2.3.4:80``, ``[2001:db8::1]:80``,
    ``2001:db8::1``; None for ``unknown``, ``_hidden`` (RFC 7239) and anything else."""
    node = node.strip().strip('"').strip()
    if node.startswith("["):
        node = node[1 : node.find("]")] if "]" in node else node[1:]
    elif node.count(":") == 1:  # IPv4 with a port
        node = node.split(":", 1)[0]
    try:
        return ipaddress.ip_address(node)
    except ValueError:
        return None


def forwarded_chain(forwarded: Sequence[str], x_forwarded_for: Sequence[str]) -> list[str]:
    """The addresses the proxies recorded, left (first hop) to right (last hop): from the
    ``Forwarded`` header values (all of them, in order), else from ``X-Forwarded-For``."""
    if forwarded:
        return [m.group(1) for value in forwarded for m in _FORWARDED_FOR.finditer(value)]
    return [part.strip() for value in x_forwarded_for for part in value.split(",") if part.strip()]


def client_address(peer: str | None, chain: Sequence[str], trusted: Sequence[IPNetwork]) -> str:
    """The visitor's address: the peer unless it is a trusted proxy, else the right-most
    address of ``chain`` that is not trusted (the left-most when all of them are)."""
    peer_address = _address(peer) if peer else None
    if peer_address is None or not _trusted(peer_address, trusted) or not chain:
        return peer or "?"
    for node in reversed(chain):
        address = _address(node)
        if address is None:
            # "unknown" or an obfuscated name written by a trusted proxy: the best there is.
            return node.strip().strip('"') or peer or "?"
        if not _trusted(address, trusted):
            return str(address)
    first = _address(chain[0])
    return str(first) if first is not None else peer or "?"


def _trusted(address: IPAddress, trusted: Sequence[IPNetwork]) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address.version == net.version and address in net for net in trusted)
