"""Limits on sign-in: how often links may be asked for, and who axes counts.

The link limiter is two fixed-window counters in Django's cache (one per
address, one per client address).  It is a dozen lines over
``cache.add``/``cache.incr``, which are atomic on every cache Django ships
(local memory, database, Redis), so no rate-limiting package is needed.
Several server processes must share one cache (``PEERLEARN_CACHE_URL``),
or each process counts on its own.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

WINDOW_SECONDS = 3600


def client_address(request: HttpRequest) -> str:
    """The address Django saw (REMOTE_ADDR); a proxy must set it (docs/operations.md)."""
    return str(request.META.get("REMOTE_ADDR") or "")


def normalised_email(email: str) -> str:
    return email.strip().lower()


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The address axes counts failures against, in the form the account stores it.

    Without this, FACILITATOR@x and facilitator@x would be counted apart.
    """
    raw = (credentials or {}).get("username") or request.POST.get("username") or ""
    return normalised_email(str(raw))


def _over_limit(kind: str, key: str, limit: int) -> bool:
    """Count one more request in this hour's window; True once past ``limit``."""
    window = int(time.time() // WINDOW_SECONDS)
    digest = hashlib.sha256(key.encode()).hexdigest()  # no addresses in the cache
    cache_key = f"signin-link:{kind}:{digest}:{window}"
    cache.add(cache_key, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr: start again
        cache.add(cache_key, 1, timeout=WINDOW_SECONDS)
        count = 1
    return count > limit


def link_request_allowed(email: str, client: str) -> bool:
    """Whether one more link may be sent for ``email`` asked from ``client``.

    Both counters are always bumped, so the work (and time) does not depend
    on which limit is hit.
    """
    address_over = _over_limit(
        "address", normalised_email(email), settings.SIGN_IN_LINKS_PER_ADDRESS_HOUR
    )
    client_over = _over_limit("client", client, settings.SIGN_IN_LINKS_PER_CLIENT_HOUR)
    return not (address_over or client_over)
