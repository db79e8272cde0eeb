"""Deleting personal data the site no longer needs, on a documented schedule.

A roster file uploaded but never confirmed holds a whole roster (names,
e-mail addresses, challenges) and up to PEERLEARN_ROSTER_MAX_BYTES; nothing
else ever deletes it; nor does anything delete a survey answer file (from
KoboToolbox or ODK) uploaded but never confirmed. ``peerlearn manage
purge_uploads`` (daily from cron, docs/operations.md) deletes both once older
than PEERLEARN_ROSTER_UPLOAD_DAYS.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from peerlearn import audit
from peerlearn.roster.models import RosterUpload
from peerlearn.surveys.models import ResponseImport


def _stale(model: type[RosterUpload] | type[ResponseImport], now: datetime | None) -> QuerySet:
    """Files of ``model`` never confirmed, older than PEERLEARN_ROSTER_UPLOAD_DAYS."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ROSTER_UPLOAD_DAYS)
    return model.objects.filter(applied_at__isnull=True, created_at__lt=cutoff)


def stale_roster_uploads(now: datetime | None = None) -> QuerySet[RosterUpload]:
    return _stale(RosterUpload, now)


def stale_response_imports(now: datetime | None = None) -> QuerySet[ResponseImport]:
    """Survey answer files from KoboToolbox or ODK uploaded but never confirmed."""
    return _stale(ResponseImport, now)


def purge_uploads(now: datetime | None = None) -> dict[str, int]:
    """Delete every stale upload; return how many of each kind went.

    One ``DELETE ... WHERE applied_at IS NULL`` per kind decides, like the
    confirm buttons' conditional ``UPDATE`` (people.views._confirm_import,
    surveys.imports): an upload confirmed at the same moment is either
    claimed first (and kept) or deleted first (and the confirm page then says
    it is gone). The purge is written to the audit log when it deleted
    something, with the kinds that had any.
    """
    counts = {
        "roster_uploads": _delete(stale_roster_uploads(now), RosterUpload),
        "response_imports": _delete(stale_response_imports(now), ResponseImport),
    }
    deleted = {kind: count for kind, count in counts.items() if count}
    if deleted:
        audit.record(
            "retention.purge",
            actor=None,
            detail={**deleted, "older_than_days": settings.ROSTER_UPLOAD_DAYS},
        )
    return counts


def _delete(stale: QuerySet, model: type[models.Model]) -> int:
    _total, per_model = stale.delete()
    return per_model.get(model._meta.label, 0)
