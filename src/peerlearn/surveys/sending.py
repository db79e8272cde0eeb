"""When a survey opens, who is asked, and e-mailing invitations and reminders.

Sending is idempotent and safe when several copies run at once (cron every few
minutes, a task worker and the "send now" button): every e-mail is *claimed*
with a conditional ``UPDATE`` before it goes out, and only the copy whose
``UPDATE`` changed the row sends it.  If sending fails the claim is undone, so
the next run tries again.

* An invitation is claimed by ``sent_at IS NULL -> now``.
* Reminder ``n`` (1-based) is due ``reminder_days[n - 1]`` days after the
  survey opens.  It is claimed by moving ``reminder_count`` up to ``n``, so no
  reminder number can go twice.  After downtime only the latest due reminder
  goes (once): nobody gets a burst of reminders.
* A reminder goes only to people invited at least :data:`REMINDER_MIN_GAP`
  before it is due, so someone added late is not reminded minutes after their
  invitation.
"""

from __future__ import annotations

import logging
import math
import time as time_module
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.mail import send_mail
from django.db import OperationalError, models
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peerlearn.accounts.models import hash_token
from peerlearn.core.urls_abs import absolute_url
from peerlearn.people.models import Person
from peerlearn.programmes.models import Cohort, Membership, Programme
from peerlearn.surveys.models import Invitation, InvitationLink, Survey

logger = logging.getLogger(__name__)

#: Surveys anchored on a cohort's dates open at this hour (site time zone), a
#: civil time to receive an e-mail rather than midnight.
OPENING_HOUR = 9

#: Nobody is reminded sooner than this after their invitation went out.
REMINDER_MIN_GAP = timedelta(hours=12)

#: An undo that hits a busy database is retried this often, this far apart.
UNDO_ATTEMPTS = 40
UNDO_PAUSE_SECONDS = 0.05

#: Rough answering speed used to tell people how long a survey takes.
SECONDS_PER_QUESTION = 20


class ScheduleError(ValueError):
    """The schedule cannot be computed; ``field`` names the form field to blame."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# ---------------------------------------------------------------- schedule


def _at_opening_hour(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(OPENING_HOUR)))


def opening_time(
    anchor: str,
    *,
    at: datetime | None = None,
    session_at: datetime | None = None,
    offset_days: int = 0,
    cohort: Cohort | None = None,
) -> datetime:
    """When a survey opens, from what it is anchored on.

    * ``date``: ``at`` itself (``offset_days`` ignored);
    * ``session``: ``session_at`` plus ``offset_days`` (0 = when the session starts);
    * ``cohort_start`` / ``cohort_end``: the cohort's start or end date plus
      ``offset_days``, at :data:`OPENING_HOUR` in the site's time zone
      (e.g. 90 days after the event ends).

    Raises :class:`ScheduleError` naming what is missing.
    """
    if anchor == "date":
        if at is None:
            raise ScheduleError("opens_at", _("Give the date and time the survey opens."))
        return at
    if anchor == "session":
        if session_at is None:
            raise ScheduleError("session_at", _("Give the date and time of the session."))
        return session_at + timedelta(days=offset_days)
    if anchor in ("cohort_start", "cohort_end"):
        if cohort is None:
            raise ScheduleError(
                "cohort", _("Choose the cohort whose dates the survey follows, or pick a date.")
            )
        day = cohort.start if anchor == "cohort_start" else cohort.end
        if day is None:
            if anchor == "cohort_start":
                message = _("The cohort “%(name)s” has no start date: set it, or pick a date.")
            else:
                message = _("The cohort “%(name)s” has no end date: set it, or pick a date.")
            raise ScheduleError("cohort", message % {"name": cohort.name})
        return _at_opening_hour(day + timedelta(days=offset_days))
    raise ScheduleError("anchor", _("Unknown kind of schedule."))


def reminder_times(survey: Survey) -> list[datetime]:
    """When each reminder is due, in order."""
    return [survey.opens_at + timedelta(days=int(days)) for days in survey.reminder_days]


def due_reminder(survey: Survey, now: datetime) -> tuple[int, datetime | None]:
    """The latest reminder number due at ``now`` (0 when none) and its time."""
    number, when = 0, None
    for n, moment in enumerate(reminder_times(survey), start=1):
        if moment <= now:
            number, when = n, moment
    return number, when


def open_surveys(now: datetime | None = None) -> models.QuerySet[Survey]:
    """Surveys that are open now (the database version of ``Survey.is_open``)."""
    now = now or timezone.now()
    return Survey.objects.filter(cancelled_at__isnull=True, opens_at__lte=now).filter(
        Q(closes_at__isnull=True) | Q(closes_at__gt=now)
    )


# ---------------------------------------------------------------- audience


def participants(survey: Survey) -> models.QuerySet[Person]:
    """Participants of the survey's cohort, or of the whole programme when it has none."""
    if not survey.invite_participants:
        return Person.objects.none()
    memberships = Membership.objects.filter(programme_id=survey.programme_id, role="participant")
    if survey.cohort_id is not None:
        memberships = memberships.filter(cohort_id=survey.cohort_id)
    return Person.objects.filter(pk__in=memberships.values("person_id"))


def audience_size(survey: Survey) -> int:
    """Everyone the survey asks: the participants plus anyone invited by hand."""
    invited = Invitation.objects.filter(survey=survey).values("person_id")
    return Person.objects.filter(
        Q(pk__in=participants(survey).values("pk")) | Q(pk__in=invited)
    ).count()


def ensure_invitations(survey: Survey) -> int:
    """Create the missing invitation rows of the participants; returns how many were new.

    The unique (survey, person) constraint with ``ignore_conflicts`` makes two
    concurrent runs safe; control-group rows are never touched.
    """
    existing = Invitation.objects.filter(survey=survey).values("person_id")
    missing = list(participants(survey).exclude(pk__in=existing).values_list("pk", flat=True))
    if not missing:
        return 0
    before = Invitation.objects.filter(survey=survey).count()
    Invitation.objects.bulk_create(
        [Invitation(survey=survey, person_id=pk, audience="participant") for pk in missing],
        ignore_conflicts=True,
    )
    return Invitation.objects.filter(survey=survey).count() - before


# ---------------------------------------------------------------- e-mail


def answer_url(survey: Survey, token: str) -> str:
    return absolute_url(reverse("surveys:answer", args=[survey.pk, token]))


def _minutes(questions: int) -> int:
    return max(1, math.ceil(questions * SECONDS_PER_QUESTION / 60))


def _undo(statement: Callable[[], object]) -> None:
    """Run an undo statement, retrying briefly if the database is momentarily busy.

    An undo that failed would leave an e-mail marked as sent that never went;
    a busy database (SQLite refuses concurrent writers at once in shared-cache
    mode) must not cause that.
    """
    for attempt in range(UNDO_ATTEMPTS):
        try:
            statement()
            return
        except OperationalError:
            if attempt == UNDO_ATTEMPTS - 1:
                raise
            time_module.sleep(UNDO_PAUSE_SECONDS)


def _send(invitation: Invitation, kind: str) -> None:
    """E-mail a fresh personal link; ``kind`` is "invitation" or "reminder".

    The link is removed again when the e-mail cannot be sent: nobody knows it.
    """
    survey, person = invitation.survey, invitation.person
    questions = len(survey.instrument.form.questions())
    token = invitation.issue_link()
    context = {
        "person": person,
        "programme_name": survey.programme.name,
        "title": survey.title,
        "questions": questions,
        "minutes": _minutes(questions),
        "closes_at": survey.closes_at,
        "url": answer_url(survey, token),
    }
    try:
        with translation.override(person.site_language()):
            # One line whatever the title holds: a newline in a subject is refused.
            subject = " ".join(
                render_to_string(f"surveys/email/{kind}_subject.txt", context).split()
            )
            body = render_to_string(f"surveys/email/{kind}_body.txt", context)
        send_mail(subject, body, None, [person.email])
    except Exception:
        _undo(lambda: InvitationLink.objects.filter(token_hash=hash_token(token)).delete())
        raise


def send_invitation(invitation: Invitation, *, now: datetime | None = None) -> bool:
    """Invite once: True when this call sent the e-mail."""
    now = now or timezone.now()
    claimed = Invitation.objects.filter(
        pk=invitation.pk, sent_at__isnull=True, submitted_at__isnull=True
    ).update(sent_at=now)
    if not claimed:
        return False
    try:
        _send(invitation, "invitation")
    except Exception:
        _undo(lambda: Invitation.objects.filter(pk=invitation.pk, sent_at=now).update(sent_at=None))
        raise
    invitation.sent_at = now
    return True


def send_reminder(invitation: Invitation, number: int, *, now: datetime | None = None) -> bool:
    """Send reminder ``number`` unless it (or a later one) went already, or they answered."""
    now = now or timezone.now()
    previous_count, previous_time = invitation.reminder_count, invitation.last_reminded_at
    claimed = Invitation.objects.filter(
        pk=invitation.pk,
        reminder_count__lt=number,
        sent_at__isnull=False,
        submitted_at__isnull=True,
    ).update(reminder_count=number, last_reminded_at=now)
    if not claimed:
        return False
    try:
        _send(invitation, "reminder")
    except Exception:
        _undo(
            lambda: Invitation.objects.filter(
                pk=invitation.pk, reminder_count=number, last_reminded_at=now
            ).update(reminder_count=previous_count, last_reminded_at=previous_time)
        )
        raise
    invitation.reminder_count, invitation.last_reminded_at = number, now
    return True


# ---------------------------------------------------------------- due mail


@dataclass
class Sent:
    """What one run did (or, in a dry run, would do) for one survey."""

    invitations: int = 0
    reminders: int = 0
    error: str = ""

    def as_dict(self) -> dict[str, int | str]:
        return {"invitations": self.invitations, "reminders": self.reminders, "error": self.error}


def invitations_due(survey: Survey) -> models.QuerySet[Invitation]:
    return Invitation.objects.filter(
        survey=survey, sent_at__isnull=True, submitted_at__isnull=True
    ).select_related("person")


def reminders_due(survey: Survey, now: datetime) -> tuple[int, models.QuerySet[Invitation]]:
    """The reminder number due now and who gets it (invited early enough, not answered)."""
    number, when = due_reminder(survey, now)
    if when is None:
        return 0, Invitation.objects.none()
    waiting = Invitation.objects.filter(
        survey=survey,
        sent_at__lte=when - REMINDER_MIN_GAP,
        submitted_at__isnull=True,
        reminder_count__lt=number,
    ).select_related("person")
    return number, waiting


def _with_survey(invitations: models.QuerySet[Invitation], survey: Survey) -> list[Invitation]:
    """The rows with ``survey`` attached (one instrument parse for all e-mails)."""
    rows = list(invitations.order_by("pk"))
    for row in rows:
        row.survey = survey
    return rows


def send_due(survey: Survey, *, now: datetime | None = None) -> Sent:
    """Send every invitation and reminder of ``survey`` that is due now.

    Stops at the first e-mail that cannot be sent (the mail server is most
    likely down) and says why in ``Sent.error``; what was claimed for it is
    undone, so the next run sends it.
    """
    now = now or timezone.now()
    sent = Sent()
    if not survey.is_open(now):
        return sent
    try:
        ensure_invitations(survey)
        for invitation in _with_survey(invitations_due(survey), survey):
            sent.invitations += send_invitation(invitation, now=now)
        number, waiting = reminders_due(survey, now)
        for invitation in _with_survey(waiting, survey):
            sent.reminders += send_reminder(invitation, number, now=now)
    except Exception as error:  # mail or database refused: report it, retry next run
        logger.exception("sending survey %s e-mail failed", survey.pk)
        sent.error = f"{type(error).__name__}: {error}"
    return sent


def preview_due(survey: Survey, *, now: datetime | None = None) -> Sent:
    """What :func:`send_due` would send now, without writing anything."""
    now = now or timezone.now()
    if not survey.is_open(now):
        return Sent()
    existing = Invitation.objects.filter(survey=survey).values("person_id")
    new_people = participants(survey).exclude(pk__in=existing).count()
    _number, waiting = reminders_due(survey, now)
    return Sent(invitations=invitations_due(survey).count() + new_people, reminders=waiting.count())


def surveys_due(programme: Programme | None = None, now: datetime | None = None):
    """The open surveys (of one programme, or all), oldest first."""
    surveys = open_surveys(now).select_related("programme", "instrument")
    if programme is not None:
        surveys = surveys.filter(programme=programme)
    return surveys.order_by("opens_at", "pk")


def send_all_due(
    programme: Programme | None = None, *, now: datetime | None = None
) -> list[tuple[Survey, Sent]]:
    """Run :func:`send_due` for every open survey; returns what each sent."""
    now = now or timezone.now()
    return [(survey, send_due(survey, now=now)) for survey in surveys_due(programme, now)]
