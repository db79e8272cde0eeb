"""``peerlearn manage send_survey_mail``: safe to run every few minutes from cron.

Sends every survey invitation and reminder that is due, for every open survey
(or those of ``--programme``).  Each e-mail is claimed in the database before
it goes, so running the command twice, or at the same time as a task worker
or the "send now" button, never sends anything twice.  ``--dry-run`` only
counts what is due.  Exits 1 when an e-mail could not be sent (it will be
retried by the next run), so cron reports the failure.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from peerlearn.programmes.models import Programme
from peerlearn.surveys import sending


class Command(BaseCommand):
    help = "Send due survey invitations and reminders (idempotent, safe from cron)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", help="short name (slug) of one programme; default all")
        parser.add_argument(
            "--dry-run", action="store_true", help="list what is due without sending anything"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        programme = None
        if options["programme"]:
            programme = Programme.objects.filter(slug=options["programme"]).first()
            if programme is None:
                raise CommandError(f"no programme '{options['programme']}'")
        dry_run = options["dry_run"]
        verb = "due" if dry_run else "sent"
        now = timezone.now()
        invitations = reminders = 0
        failures = []
        for survey in sending.surveys_due(programme, now):
            if dry_run:
                result = sending.preview_due(survey, now=now)
            else:
                result = sending.send_due(survey, now=now)
            invitations += result.invitations
            reminders += result.reminders
            self.stdout.write(
                f"{survey.programme.slug} #{survey.pk} {survey.title}: "
                f"{result.invitations} invitations {verb} / {result.reminders} reminders {verb}"
            )
            if result.error:
                failures.append(survey.pk)
                self.stderr.write(f"#{survey.pk}: sending failed, retried next run: {result.error}")
        self.stdout.write(f"total: {invitations} invitations {verb} / {reminders} reminders {verb}")
        if failures:
            raise CommandError(f"sending failed for {len(failures)} survey(s); see above")
