"""Where webhooks may go: http or https, never into the service's own network (SSRF).

A host is resolved and refused when any of its addresses is loopback, private, link-local,
unspecified, multicast or reserved, unless PROMISE_WEBHOOKS_ALLOW_PRIVATE=1 (tests, receivers
on premises). The relay asks again before every attempt, so that a name which resolved to a
public address when the endpoint was made cannot later be pointed inside (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit


def target_refusal(url: str, *, allow_private: bool) -> str | None:
    """Why ``url`` may not receive webhooks, or None when it may."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        return f"not a valid URL: {exc}"
    refusal = _form_refusal(parts)
    if refusal is not None or allow_private:
        return refusal
    host = parts.hostname or ""
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        return f"the host {host} does not resolve ({exc})"
    for *_, address in found:
        inside = _inside(str(address[0]))
        if inside:
            return (
                f"the host {host} resolves to {address[0]}, a {inside} address; webhooks go "
                "to public addresses only (PROMISE_WEBHOOKS_ALLOW_PRIVATE=1 allows it)"
            )
    return None


def _form_refusal(parts: SplitResult) -> str | None:
    if parts.scheme not in {"http", "https"}:
        return "the URL must be http or https"
    if not parts.hostname:
        return "the URL has no host"
    if parts.username is not None or parts.password is not None:
        return "the URL must not carry a user name or password"
    return None


def _inside(text: str) -> str | None:
    address = ipaddress.ip_address(text.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    checks = (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("private", address.is_private),
        ("unspecified", address.is_unspecified),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
    )
    return next((name for name, hit in checks if hit), None)
