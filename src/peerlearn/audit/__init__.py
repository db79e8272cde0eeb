"""Append-only audit log: who did what, to which programme and record, and why.

Two sources feed it:

* explicit events, written with :func:`record` where something is read,
  exported, granted or changed (``roster.export``, ``role.grant``,
  ``survey.export``, ``group.private_read`` ...);
* row history of the models whose changes matter to privacy, kept by
  django-simple-history (see ``peerlearn.audit.history``).

Events are never updated or deleted by the application; the database
refuses it too (see migration 0002).
"""

from __future__ import annotations

from typing import Any

__all__ = ["record"]


def record(action: str, **kwargs: Any) -> Any:
    """Append an audit event; see :func:`peerlearn.audit.events.record`.

    Imported lazily so that ``import peerlearn.audit`` works before Django's
    app registry is ready (apps import this package at module level).
    """
    from peerlearn.audit.events import record as record_event

    return record_event(action, **kwargs)
