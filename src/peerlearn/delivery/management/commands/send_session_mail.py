"""``peerlearn manage send_session_mail``: safe to run every few minutes from cron.

Sends every session invitation, reminder and change or cancellation notice
that is due (rules in :mod:`peerlearn.delivery.sending`).  Each e-mail is
claimed in the database before it goes, so two copies at once never send
anything twice.  Exits 1 when an e-mail could not be sent (the next run
retries it), so cron reports the failure.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from peerlearn.delivery import sending
from peerlearn.programmes.models import Programme


class Command(BaseCommand):
    help = "Send due session invitations, reminders and change notices (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", help="short name (slug) of one programme; default all")

    def handle(self, *args: Any, **options: Any) -> None:
        programme = None
        if options["programme"]:
            programme = Programme.objects.filter(slug=options["programme"]).first()
            if programme is None:
                raise CommandError(f"no programme '{options['programme']}'")
        totals = sending.Sent()
        failures = 0
        for session, sent in sending.send_all_due(timezone.now(), programme):
            totals.invitations += sent.invitations
            totals.reminders += sent.reminders
            totals.notices += sent.notices
            if sent.error:
                failures += 1
                self.stderr.write(f"session #{session.pk}: failed, retried next run: {sent.error}")
        self.stdout.write(
            f"total: {totals.invitations} invitations / {totals.reminders} reminders / "
            f"{totals.notices} notices sent"
        )
        if failures:
            raise CommandError(f"sending failed for {failures} session(s); see above")
