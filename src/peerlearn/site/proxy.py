"""The visitor's address behind reverse proxies.

Sign-in limits, the login lockout and the audit log all read ``REMOTE_ADDR``.
Behind nginx that is the proxy's own address, so every visitor would look
like one client: one attacker could then exhaust the site-wide link limit or
keep someone locked out. With ``PEERLEARN_PROXY_COUNT`` set to the number of
proxies in front of the app, this middleware puts the visitor's address in
``REMOTE_ADDR``: the entry that many places from the right of
``X-Forwarded-For`` (each proxy appends the address it saw, so entries
further left were written by the client and cannot be trusted).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def forwarded_client(header: str, proxies: int) -> str | None:
    """The address ``proxies`` places from the right of an X-Forwarded-For value.

    >>> forwarded_client("203.0.113.9, 10.0.0.2", 1)
    '10.0.0.2'
    >>> forwarded_client("spoofed, 203.0.113.9", 1)
    '203.0.113.9'
    >>> forwarded_client("203.0.113.9, 10.0.0.2", 2)
    '203.0.113.9'
    >>> forwarded_client("203.0.113.9", 2) is None
    True
    >>> forwarded_client("not-an-address", 1) is None
    True
    """
    entries = [entry.strip() for entry in header.split(",") if entry.strip()]
    if proxies < 1 or len(entries) < proxies:
        return None
    candidate = entries[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


class ClientAddressMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        proxies = settings.PEERLEARN_PROXY_COUNT
        if proxies:
            client = forwarded_client(request.META.get("HTTP_X_FORWARDED_FOR", ""), proxies)
            if client is not None:
                request.META["REMOTE_ADDR"] = client
        return self.get_response(request)
