"""Writing audit events."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from peerlearn.audit.models import AuditEvent


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: Any = None,
    programme: Any = None,
    target: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event and return it.

    ``action`` is a dotted key (``roster.export``); the pages put it into
    words. ``actor`` defaults to the request's signed-in user; pass
    ``actor=None`` with no request for the system itself (a cron job).
    ``detail`` holds plain JSON data: ids, counts, old and new values of
    settings, never answers or other private material.
    """
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    event = AuditEvent(
        action=action,
        actor=actor,
        actor_label=getattr(actor, "email", "") or "",
        programme=programme,
        detail=detail or {},
        reason=reason,
        client_ip=_client_ip(request),
    )
    if target is not None:
        event.target_type = target._meta.label_lower
        event.target_id = str(target.pk)
        event.target_label = str(target)[:254]
    event.save()
    return event


def _client_ip(request: HttpRequest | None) -> str | None:
    """The address Django saw (REMOTE_ADDR; a proxy must set it, see docs/operations.md)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None
