"""E-mail about sessions: invitations, reminders and change notices, each with an .ics.

Same discipline as the survey mailer (:mod:`peerlearn.surveys.sending`, whose
``_undo`` this reuses): every e-mail is *claimed* by a conditional
``UPDATE`` on its :class:`SessionMail` row before it goes, and only the run
whose ``UPDATE`` changed the row sends it; a failed send undoes its claim so
the next run retries.  Running the command twice at once sends nothing twice.

* Invitation: due :data:`~peerlearn.engine.rhythm.INVITATION_LEAD` before the
  start (at once for sooner sessions); claimed by ``invited_at IS NULL``.
* Reminder: due :func:`~peerlearn.engine.rhythm.reminder_time`: a day before,
  never before the previous session of the series ended; claimed by
  ``reminded_at IS NULL``.  Only to people invited before it fell due.
* Change notice: someone holds an .ics older than the session
  (``informed_sequence < sequence``): claimed by raising ``informed_sequence``.
  A cancelled session sends METHOD:CANCEL to those who were told about it, and
  nothing to anyone else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from peerlearn.delivery import services
from peerlearn.delivery.models import Session, SessionMail
from peerlearn.engine import rhythm
from peerlearn.site.urls_abs import absolute_url
from peerlearn.surveys.sending import _undo

logger = logging.getLogger(__name__)


@dataclass
class Sent:
    invitations: int = 0
    reminders: int = 0
    notices: int = 0
    error: str = ""


def ensure_rows(session: Session) -> None:
    """One mail row per person of the audience (concurrent runs: ignore_conflicts)."""
    existing = SessionMail.objects.filter(session=session).values("person_id")
    missing = services.audience(session).exclude(pk__in=existing).values_list("pk", flat=True)
    SessionMail.objects.bulk_create(
        [SessionMail(session=session, person_id=pk) for pk in missing], ignore_conflicts=True
    )


def previous_end(session: Session) -> datetime | None:
    """When the previous session of the same series ended (reminders wait for it)."""
    if session.series_id is None:
        return None
    return (
        Session.objects.filter(
            series_id=session.series_id, status="scheduled", starts_at__lt=session.starts_at
        )
        .order_by("-starts_at")
        .values_list("ends_at", flat=True)
        .first()
    )


def _message(row: SessionMail, kind: str, connection) -> EmailMultiAlternatives:
    session, person = row.session, row.person
    context = {
        "person": person,
        "session": session,
        "programme_name": session.programme.name,
        "local_start": session.starts_at.astimezone(rhythm.zone(session.time_zone)),
        "url": absolute_url(reverse("delivery:session", args=[session.programme.slug, session.pk])),
    }
    with translation.override(person.site_language()):
        subject = " ".join(render_to_string(f"delivery/email/{kind}_subject.txt", context).split())
        body = render_to_string(f"delivery/email/{kind}_body.txt", context)
    method = "CANCEL" if session.is_cancelled else "REQUEST"
    message = EmailMultiAlternatives(subject, body, None, [person.email], connection=connection)
    message.attach("session.ics", services.session_ics(session), f"text/calendar; method={method}")
    return message


def _claimed_send(row: SessionMail, kind: str, claim: dict, undo: dict, connection) -> bool:
    """Claim with ``UPDATE ... WHERE`` (the row count decides who sends), send, undo on failure."""
    where = {
        "invitation": Q(invited_at__isnull=True),
        "reminder": Q(reminded_at__isnull=True),
    }.get(kind, Q(informed_sequence__lt=row.session.sequence))
    if not SessionMail.objects.filter(where, pk=row.pk).update(**claim):
        return False
    try:
        _message(row, kind, connection).send()
    except Exception:
        _undo(lambda: SessionMail.objects.filter(pk=row.pk, **claim).update(**undo))
        raise
    return True


def send_due(session: Session, *, now: datetime | None = None, connection=None) -> Sent:
    """Every e-mail about ``session`` that is due now; stops at the first failure."""
    now = now or timezone.now()
    sent = Sent()
    try:
        if session.is_cancelled:
            sent.notices = _notices(session, now, "cancel", connection)
            return sent
        if session.starts_at <= now:
            return sent
        if rhythm.invitation_time(session.starts_at) <= now:
            ensure_rows(session)
        for row in _rows(session).filter(invited_at__isnull=True):
            row.session = session
            sent.invitations += _claimed_send(
                row,
                "invitation",
                {"invited_at": now, "informed_sequence": session.sequence},
                {"invited_at": None, "informed_sequence": None},
                connection,
            )
        sent.notices = _notices(session, now, "change", connection)
        due = rhythm.reminder_time(session.starts_at, previous_end(session))
        if due is not None and due <= now:
            waiting = _rows(session).filter(reminded_at__isnull=True, invited_at__lt=due)
            for row in waiting:
                row.session = session
                sent.reminders += _claimed_send(
                    row,
                    "reminder",
                    {"reminded_at": now, "informed_sequence": session.sequence},
                    {"reminded_at": None, "informed_sequence": row.informed_sequence},
                    connection,
                )
    except Exception as error:  # mail or database refused: report it, retry next run
        logger.exception("sending session %s e-mail failed", session.pk)
        sent.error = f"{type(error).__name__}: {error}"
    return sent


def _rows(session: Session) -> QuerySet[SessionMail]:
    return SessionMail.objects.filter(session=session).select_related("person").order_by("pk")


def _notices(session: Session, now: datetime, kind: str, connection) -> int:
    stale = _rows(session).filter(
        informed_sequence__isnull=False, informed_sequence__lt=session.sequence
    )
    count = 0
    for row in stale:
        row.session = session
        count += _claimed_send(
            row,
            kind,
            {"informed_sequence": session.sequence},
            {"informed_sequence": row.informed_sequence},
            connection,
        )
    return count


def sessions_due(now: datetime | None = None, programme=None) -> QuerySet[Session]:
    """Sessions that may have mail due: to come within the invitation lead, or changed."""
    now = now or timezone.now()
    horizon = now + rhythm.INVITATION_LEAD
    changed = Q(mails__informed_sequence__lt=F("sequence"))
    sessions = Session.objects.filter(
        Q(status="scheduled", starts_at__gt=now, starts_at__lte=horizon) | changed
    ).distinct()
    if programme is not None:
        sessions = sessions.filter(programme=programme)
    return sessions.select_related("programme").order_by("starts_at", "pk")


def send_all_due(now: datetime | None = None, programme=None) -> list[tuple[Session, Sent]]:
    now = now or timezone.now()
    connection = get_connection()
    results = []
    with connection:
        for session in sessions_due(now, programme):
            results.append((session, send_due(session, now=now, connection=connection)))
    return results
