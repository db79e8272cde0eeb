"""E-mail about sessions: invitations, reminders and change notices, each with an .ics.

Same discipline as the survey mailer (:mod:`peerlearn.surveys.sending`, whose
``_undo`` this reuses): every e-mail is *claimed* by a conditional
``UPDATE`` on its :class:`SessionMail` row before it goes, and only the run
whose ``UPDATE`` changed the row sends it; a failed send undoes its claim so
the next run retries.  Running the command twice at once sends nothing twice.

Invitations and reminders are claimed a batch at a time (one ``UPDATE`` that
repeats the condition and stamps a per-run ``claim_token``), notices one by one.
The cron run (:func:`send_all_due`) claims the reminders of up to 100 sessions
in one such ``UPDATE``: a day's reminders are 1,700 small group sessions.

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

import functools
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peerlearn.core.urls_abs import absolute_url
from peerlearn.delivery import services
from peerlearn.delivery.models import Session, SessionMail
from peerlearn.engine import rhythm
from peerlearn.surveys.sending import _undo

logger = logging.getLogger(__name__)

#: Invitations and reminders are claimed this many at a time (one UPDATE each).
CLAIM_BATCH = 500


@dataclass
class Sent:
    invitations: int = 0
    reminders: int = 0
    notices: int = 0
    error: str = ""


def ensure_rows(session: Session) -> bool:
    """One mail row per person of the audience (concurrent runs: ignore_conflicts).

    Returns whether anyone may still need an invitation.  Plain id lists
    compared in Python: the cron run does this for every session within the
    invitation lead, so it must cost one or two queries, not ten.
    """
    rows = SessionMail.objects.filter(session=session).values_list("person_id", "invited_at")
    existing, uninvited = set(), False
    for person_id, invited_at in rows:
        existing.add(person_id)
        uninvited = uninvited or invited_at is None
    missing = services.audience_ids(session) - existing
    if missing:
        SessionMail.objects.bulk_create(
            [SessionMail(session=session, person_id=pk) for pk in sorted(missing)],
            ignore_conflicts=True,
        )
    return uninvited or bool(missing)


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


Texts = dict[tuple[str, str], tuple[str, str]]


def _texts(session: Session, kind: str, language: str, cache: Texts) -> tuple[str, str]:
    """Subject and body of one kind of e-mail about one session in one language.

    The same for everyone invited (only the greeting differs), so a day's
    10,000 reminders render each template once per session and language, not
    once per person.  ``cache`` lives for one batch of one session.
    """
    if (kind, language) in cache:
        return cache[kind, language]
    context = {
        "session": session,
        "programme_name": session.programme.name,
        "local_start": session.starts_at.astimezone(rhythm.zone(session.time_zone)),
        "url": absolute_url(reverse("delivery:session", args=[session.programme.slug, session.pk])),
    }
    with translation.override(language):
        subject = " ".join(render_to_string(f"delivery/email/{kind}_subject.txt", context).split())
        body = render_to_string(f"delivery/email/{kind}_body.txt", context)
    cache[kind, language] = (subject, body)
    return subject, body


def _message(
    row: SessionMail,
    kind: str,
    connection,
    attachment: bytes | None = None,
    cache: Texts | None = None,
) -> EmailMultiAlternatives:
    session, person = row.session, row.person
    language = person.site_language()
    subject, body = _texts(session, kind, language, {} if cache is None else cache)
    with translation.override(language):
        greeting = _("Dear %(name)s,") % {"name": person.name}
    method = "CANCEL" if session.is_cancelled else "REQUEST"
    message = EmailMultiAlternatives(
        subject, f"{greeting}\n\n{body}", None, [person.email], connection=connection
    )
    if attachment is None:
        attachment = services.session_ics(session)
    message.attach("session.ics", attachment, f"text/calendar; method={method}")
    return message


def _claimed_send(row: SessionMail, kind: str, claim: dict, undo: dict, connection) -> bool:
    """Claim one row with ``UPDATE ... WHERE`` (the row count decides who sends), send,
    undo on failure.  Used for change notices, which are few."""
    where = Q(informed_sequence__lt=row.session.sequence)
    if not SessionMail.objects.filter(where, pk=row.pk).update(**claim):
        return False
    try:
        _message(row, kind, connection).send()
    except Exception:
        _undo(lambda: SessionMail.objects.filter(pk=row.pk, **claim).update(**undo))
        raise
    return True


def _claim_batch(rows: QuerySet[SessionMail], fields: dict) -> tuple[str, list[SessionMail]]:
    """Claim up to :data:`CLAIM_BATCH` rows in one conditional ``UPDATE``.

    ``rows`` carries the condition (e.g. ``reminded_at IS NULL``); the UPDATE
    repeats it, so a row claimed by a concurrent run is not matched again, and
    stamps a fresh ``claim_token``: the rows holding this run's token are the
    ones this run (and only this run) sends.  One write per batch instead of
    one per e-mail keeps a day's 10,000 reminders fast on SQLite too.
    """
    token = secrets.token_hex(16)
    ids = list(rows.values_list("pk", flat=True)[:CLAIM_BATCH])
    if not ids:
        return token, []
    rows.filter(pk__in=ids).update(claim_token=token, **fields)
    won = SessionMail.objects.filter(pk__in=ids, claim_token=token)
    return token, list(won.select_related("person").order_by("pk"))


def _send_batches(
    session: Session,
    kind: str,
    rows: QuerySet[SessionMail],
    claim: dict,
    undo: dict,
    connection,
    sent: Sent,
) -> None:
    """Claim and send ``rows`` batch by batch, counting into ``sent`` as they go
    (so a failure mid-batch still reports what went); undo what was not sent."""
    field = "invitations" if kind == "invitation" else "reminders"
    while True:
        token, batch = _claim_batch(rows, claim)
        if not batch:
            return
        attachment = services.session_ics(session)
        texts: Texts = {}
        for n, row in enumerate(batch):
            row.session = session
            try:
                _message(row, kind, connection, attachment, texts).send()
            except Exception:
                unsent = SessionMail.objects.filter(
                    pk__in=[r.pk for r in batch[n:]], claim_token=token
                )
                _undo(functools.partial(unsent.update, **undo))
                raise
            setattr(sent, field, getattr(sent, field) + 1)


def send_due(
    session: Session, *, now: datetime | None = None, connection=None, reminders: bool = True
) -> Sent:
    """Every e-mail about ``session`` that is due now; stops at the first failure.

    ``reminders=False`` leaves the reminders to the caller
    (:func:`send_all_due` claims them across sessions).
    """
    now = now or timezone.now()
    sent = Sent()
    try:
        if session.is_cancelled:
            sent.notices = _notices(session, now, "cancel", connection)
            return sent
        if session.starts_at <= now:
            return sent
        if rhythm.invitation_time(session.starts_at) <= now and ensure_rows(session):
            _send_batches(
                session,
                "invitation",
                SessionMail.objects.filter(session=session, invited_at__isnull=True),
                {"invited_at": now, "informed_sequence": session.sequence},
                {"invited_at": None, "informed_sequence": None},
                connection,
                sent,
            )
        sent.notices = _notices(session, now, "change", connection)
        due = reminder_due(session, now) if reminders else None
        if due is not None:
            _send_batches(
                session,
                "reminder",
                _waiting(Q(session=session, invited_at__lt=due)),
                {"reminded_at": now},
                {"reminded_at": None},
                connection,
                sent,
            )
    except Exception as error:  # mail or database refused: report it, retry next run
        _failed(session, sent, error)
    return sent


def _failed(session: Session, sent: Sent, error: Exception) -> None:
    logger.exception("sending session %s e-mail failed", session.pk)
    sent.error = f"{type(error).__name__}: {error}"


def reminder_due(session: Session, now: datetime) -> datetime | None:
    """When the reminders of ``session`` fell due, if they are due by ``now`` (else None).

    A reminder is never due before :data:`~peerlearn.engine.rhythm.REMINDER_LEAD`
    ahead of the start: the look-up of the previous session is skipped for
    everything further away.
    """
    if session.is_cancelled or session.starts_at <= now:
        return None
    if session.starts_at - rhythm.REMINDER_LEAD > now:
        return None
    due = rhythm.reminder_time(session.starts_at, previous_end(session))
    return due if due is not None and due <= now else None


def _waiting(where: Q) -> QuerySet[SessionMail]:
    """Rows still without a reminder among ``where`` (who was invited before it fell due)."""
    return SessionMail.objects.filter(where, reminded_at__isnull=True)


def _rows(session: Session) -> QuerySet[SessionMail]:
    return SessionMail.objects.filter(session=session).select_related("person").order_by("pk")


def _notices(session: Session, now: datetime, kind: str, connection) -> int:
    if session.sequence == 0:  # never changed: nobody can hold an older event
        return 0
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
    stale = SessionMail.objects.filter(
        session_id=OuterRef("pk"), informed_sequence__lt=OuterRef("sequence")
    )
    changed = Q(sequence__gt=0) & Exists(stale)
    sessions = Session.objects.filter(
        Q(status="scheduled", starts_at__gt=now, starts_at__lte=horizon) | changed
    )
    if programme is not None:
        sessions = sessions.filter(programme=programme)
    return (
        sessions.select_related("programme")
        .prefetch_related("groups", "facilitators")
        .order_by("starts_at", "pk")
    )


#: Sessions whose reminders one claiming ``UPDATE`` covers (an ``OR`` of their conditions).
SESSIONS_PER_CLAIM = 100


def send_all_due(now: datetime | None = None, programme=None) -> list[tuple[Session, Sent]]:
    """Every e-mail due now, session by session; reminders claimed across sessions.

    Invitations and notices go per session (:func:`send_due`). Reminders are
    the day's bulk (1,700 group sessions, 10,000 people): claiming them per
    session made one committed ``UPDATE`` per session, and on a busy disk
    each commit's sync cost more than the e-mails. So the reminders of up to
    :data:`SESSIONS_PER_CLAIM` sessions are claimed together, 500 rows per
    ``UPDATE``, with the same conditions and per-run token.
    """
    now = now or timezone.now()
    connection = get_connection()
    results = []
    with connection:
        due: list[tuple[Session, datetime, Sent]] = []
        for session in sessions_due(now, programme):
            sent = send_due(session, now=now, connection=connection, reminders=False)
            results.append((session, sent))
            when = None if sent.error else _reminder_due_or_failed(session, now, sent)
            if when is not None:
                due.append((session, when, sent))
        for start in range(0, len(due), SESSIONS_PER_CLAIM):
            _send_reminders(due[start : start + SESSIONS_PER_CLAIM], now, connection)
    return results


def _reminder_due_or_failed(session: Session, now: datetime, sent: Sent) -> datetime | None:
    try:
        return reminder_due(session, now)
    except Exception as error:  # the database refused: report it, retry next run
        _failed(session, sent, error)
        return None


def _send_reminders(due: list[tuple[Session, datetime, Sent]], now: datetime, connection) -> None:
    """Claim and send the reminders of several sessions, batch by batch.

    Each e-mail counts into its session's :class:`Sent` as it goes; at the
    first failure the rest of the batch is unclaimed (the next run retries)
    and the failing session reports the error; the other sessions of this
    call wait for the next run too.
    """
    where = Q(pk__in=[])
    for session, when, _sent in due:
        where |= Q(session_id=session.pk, invited_at__lt=when)
    sessions = {session.pk: (session, sent) for session, _when, sent in due}
    attachments: dict[int, bytes] = {}
    texts: dict[int, Texts] = {}
    rows = _waiting(where)
    while True:
        token, batch = _claim_batch(rows, {"reminded_at": now})
        if not batch:
            return
        for n, row in enumerate(batch):
            session, sent = sessions[row.session_id]
            row.session = session
            if session.pk not in attachments:
                attachments[session.pk] = services.session_ics(session)
            try:
                _message(
                    row,
                    "reminder",
                    connection,
                    attachments[session.pk],
                    texts.setdefault(session.pk, {}),
                ).send()
            except Exception as error:
                unsent = SessionMail.objects.filter(
                    pk__in=[r.pk for r in batch[n:]], claim_token=token
                )
                _undo(functools.partial(unsent.update, reminded_at=None))
                _failed(session, sent, error)
                return
            sent.reminders += 1
