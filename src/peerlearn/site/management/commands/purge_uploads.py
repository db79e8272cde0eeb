"""``peerlearn manage purge_uploads``: delete roster uploads never confirmed (cron, daily)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from peerlearn.site.retention import purge_roster_uploads, stale_roster_uploads


class Command(BaseCommand):
    help = (
        "Delete roster files uploaded but not confirmed within "
        "PEERLEARN_ROSTER_UPLOAD_DAYS days. Safe to run twice at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count what is due; delete nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = settings.ROSTER_UPLOAD_DAYS
        if options["dry_run"]:
            count = stale_roster_uploads().count()
            self.stdout.write(f"{count} roster uploads older than {days} days would be deleted")
            return
        count = purge_roster_uploads()
        self.stdout.write(f"{count} roster uploads older than {days} days deleted")
