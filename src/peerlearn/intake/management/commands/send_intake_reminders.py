"""``peerlearn manage send_intake_reminders``: safe to run from cron.

Reminds people invited to an open intake who have not answered yet.  Nobody
gets a second reminder within ``--min-hours`` (default 24), so running the
command every hour sends each person at most one reminder a day, and running
it twice in a row sends nothing the second time.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone

from peerlearn.intake import services
from peerlearn.intake.models import IntakeInvitation
from peerlearn.programmes.models import Programme


class Command(BaseCommand):
    help = "Remind people who have not answered an open intake (idempotent, safe from cron)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", help="short name (slug) of one programme; default all")
        parser.add_argument(
            "--min-hours",
            type=float,
            default=24.0,
            help="never remind a person twice within this many hours (default 24)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["min_hours"] <= 0:
            raise CommandError("--min-hours must be positive")
        interval = timedelta(hours=options["min_hours"])
        programmes = Programme.objects.filter(
            pk__in=IntakeInvitation.objects.filter(sent_at__isnull=False).values("programme_id")
        )
        if options["programme"]:
            programmes = Programme.objects.filter(slug=options["programme"])
            if not programmes.exists():
                raise CommandError(f"no programme '{options['programme']}'")
        now = timezone.now()
        programmes = programmes.filter(
            Q(intake_settings__isnull=True)
            | Q(intake_settings__deadline__isnull=True)
            | Q(intake_settings__deadline__gt=now)
        )
        total = 0
        for programme in programmes.order_by("slug"):
            sent = services.remind_all(programme.pk, min_interval=interval)
            total += sent
            self.stdout.write(f"{programme.slug}: {sent} reminders sent")
        self.stdout.write(f"{total} reminders sent in all")
