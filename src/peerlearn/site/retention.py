"""Deleting personal data the site no longer needs, on a documented schedule.

A roster file uploaded but never confirmed holds a whole roster (names,
e-mail addresses, challenges) and up to PEERLEARN_ROSTER_MAX_BYTES; nothing
else ever deletes it. ``peerlearn manage purge_uploads`` (daily from cron,
docs/operations.md) deletes those older than PEERLEARN_ROSTER_UPLOAD_DAYS.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from peerlearn import audit
from peerlearn.people.models import RosterUpload


def stale_roster_uploads(now: datetime | None = None) -> QuerySet[RosterUpload]:
    """Uploads never confirmed, older than PEERLEARN_ROSTER_UPLOAD_DAYS."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ROSTER_UPLOAD_DAYS)
    return RosterUpload.objects.filter(applied_at__isnull=True, created_at__lt=cutoff)


def purge_roster_uploads(now: datetime | None = None) -> int:
    """Delete the stale uploads; return how many went.

    One ``DELETE ... WHERE applied_at IS NULL`` decides, like the confirm
    button's conditional ``UPDATE`` (people.views._confirm_import): an upload
    confirmed at the same moment is either claimed first (and kept) or
    deleted first (and the confirm page then says it is gone). The purge is
    written to the audit log when it deleted something.
    """
    deleted, per_model = stale_roster_uploads(now).delete()
    count = per_model.get(RosterUpload._meta.label, 0)
    if count:
        audit.record(
            "retention.purge",
            actor=None,
            detail={"roster_uploads": count, "older_than_days": settings.ROSTER_UPLOAD_DAYS},
        )
    return count
