"""``peerlearn manage purge_uploads``: delete uploads never confirmed (cron, daily)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from peerlearn.site.retention import purge_uploads, stale_response_imports, stale_roster_uploads

KINDS = {"roster_uploads": "roster uploads", "response_imports": "survey answer imports"}


class Command(BaseCommand):
    help = (
        "Delete roster files and survey answer files uploaded but not confirmed within "
        "PEERLEARN_ROSTER_UPLOAD_DAYS days. Safe to run twice at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count what is due; delete nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = settings.ROSTER_UPLOAD_DAYS
        if options["dry_run"]:
            due = {
                "roster_uploads": stale_roster_uploads().count(),
                "response_imports": stale_response_imports().count(),
            }
            for kind, count in due.items():
                self.stdout.write(f"{count} {KINDS[kind]} older than {days} days would be deleted")
            return
        for kind, count in purge_uploads().items():
            self.stdout.write(f"{count} {KINDS[kind]} older than {days} days deleted")
