"""Intake: who is asked, saving versioned answers, and e-mailing personal links.

Sending is idempotent: the row is claimed with a conditional ``UPDATE`` before
the e-mail goes out, so two clicks, two workers or a cron job running twice
cannot send the same person two invitations, or two reminders within
``min_interval``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.mail import send_mail
from django.db import models
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from peerlearn.core.urls_abs import absolute_url
from peerlearn.intake.answers import Answers, write_answers
from peerlearn.intake.models import (
    Challenge,
    IntakeInvitation,
    IntakeSettings,
    IntakeVersion,
    LearningExpectation,
)
from peerlearn.people.models import Person
from peerlearn.programmes.models import Cohort, Membership, Programme

#: Never two reminders to one person within this interval (web button).
REMINDER_INTERVAL = timedelta(minutes=1)

#: Longest answer: the challenge field's own limit (one copy, in the model).
MAX_TEXT = int(getattr(Challenge._meta.get_field("text"), "max_length", 0))
MAX_ITEMS = 20


def settings_for(programme: Programme) -> IntakeSettings:
    """The programme's intake settings (an unsaved default when never set)."""
    found = IntakeSettings.objects.filter(programme=programme).first()
    return found or IntakeSettings(programme=programme)


def intake_people(programme: Programme, cohort: Cohort | None = None) -> models.QuerySet[Person]:
    """Everyone asked for intake answers: the participants of the programme or its cohorts.

    With ``cohort``, only the participants of that cohort (invitations and
    reminders can be limited to one cohort).
    """
    scope: dict[str, object] = {"memberships__programme": programme}
    scope["memberships__role"] = "participant"
    if cohort is not None:
        scope["memberships__cohort"] = cohort
    return (
        Person.objects.filter(**scope)
        .distinct()
        .select_related("organisation")
        .order_by("name", "pk")
    )


@dataclass(frozen=True)
class CohortCount:
    """How many people of one cohort were asked, invited and have answered (no names)."""

    cohort: Cohort | None  # None: participants of the whole programme
    asked: int
    invited: int
    answered: int
    #: Asked, never invited and not answered: what "Invite" would e-mail.
    to_invite: int = 0
    #: Invited and not answered: what "Remind" would e-mail (interval aside).
    to_remind: int = 0


def cohort_counts(programme: Programme) -> list[CohortCount]:
    """Intake progress per cohort, for readers who get counts only (evaluators).

    Counts of who answered are not answers, so they are shown however small;
    a person in two cohorts counts in both.
    """
    asked: dict[int | None, set[int]] = {}
    for cohort_id, person_id in Membership.objects.filter(
        programme=programme, role="participant"
    ).values_list("cohort_id", "person_id"):
        asked.setdefault(cohort_id, set()).add(person_id)
    invitations = IntakeInvitation.objects.filter(programme=programme)
    invited = set(invitations.filter(sent_at__isnull=False).values_list("person_id", flat=True))
    answered = set(
        invitations.filter(submitted_at__isnull=False).values_list("person_id", flat=True)
    )
    cohorts = {c.pk: c for c in programme.cohorts.all()}
    ordered = sorted(asked, key=lambda c: (c is not None, cohorts[c].name if c else ""))
    return [
        CohortCount(
            cohort=cohorts[cohort_id] if cohort_id is not None else None,
            asked=len(asked[cohort_id]),
            invited=len(asked[cohort_id] & invited),
            answered=len(asked[cohort_id] & answered),
            to_invite=len(asked[cohort_id] - invited - answered),
            to_remind=len((asked[cohort_id] & invited) - answered),
        )
        for cohort_id in ordered
    ]


def invitation_for(person: Person, programme: Programme) -> IntakeInvitation:
    invitation, _created = IntakeInvitation.objects.get_or_create(
        person=person, programme=programme
    )
    return invitation


def current_answers(person: Person, programme: Programme) -> tuple[list[str], list[str]]:
    challenges = Challenge.objects.filter(person=person, programme=programme).order_by(
        "position", "pk"
    )
    expectations = LearningExpectation.objects.filter(person=person, programme=programme).order_by(
        "position", "pk"
    )
    return [c.text for c in challenges], [e.text for e in expectations]


def save_answers(
    invitation: IntakeInvitation,
    challenges: Sequence[str],
    expectations: Sequence[str],
    *,
    entered_by: Person | None = None,
    on_behalf: bool = False,
) -> IntakeVersion:
    """Store a submitted intake form as the person's answers, and a new version.

    Tags stay with the challenge at their position (the form has no tags).  A
    submission is versioned even when nothing changed: the person confirmed.
    An answer entered on someone's behalf counts as answered too (the
    facilitator typed in what the person said).
    """
    person, programme = invitation.person, invitation.programme
    versions = write_answers(
        programme,
        {person.pk: Answers.from_texts(challenges, expectations)},
        entered_by=entered_by,
        on_behalf=on_behalf,
        answered=True,
        always_version=True,
    )
    invitation.submitted_at = versions[person.pk].created_at
    return versions[person.pk]


# ------------------------------------------------------------------ e-mail


def _send(invitation: IntakeInvitation, kind: str) -> None:
    """E-mail a fresh personal link (``kind`` is "invitation" or "reminder")."""
    person, programme = invitation.person, invitation.programme
    token = invitation.issue_token()
    context = {
        "person": person,
        "programme_name": programme.name,
        "url": absolute_url(reverse("intake:answer", args=[token])),
        "deadline": settings_for(programme).deadline,
        "asked": programme.min_challenges,
    }
    with translation.override(person.site_language()):
        subject = render_to_string(f"intake/email/{kind}_subject.txt", context).strip()
        body = render_to_string(f"intake/email/{kind}_body.txt", context)
    send_mail(subject, body, None, [person.email])


def send_invitation(invitation: IntakeInvitation, *, now: datetime | None = None) -> bool:
    """Invite once: True when this call sent the e-mail."""
    now = now or timezone.now()
    claimed = IntakeInvitation.objects.filter(pk=invitation.pk, sent_at__isnull=True).update(
        sent_at=now
    )
    if not claimed:
        return False
    try:
        _send(invitation, "invitation")
    except Exception:
        IntakeInvitation.objects.filter(pk=invitation.pk, sent_at=now).update(sent_at=None)
        raise
    invitation.sent_at = now
    return True


def send_reminder(
    invitation: IntakeInvitation,
    *,
    min_interval: timedelta = REMINDER_INTERVAL,
    now: datetime | None = None,
) -> bool:
    """Remind someone invited who has not answered, at most once per ``min_interval``."""
    now = now or timezone.now()
    since = now - min_interval
    claimed = (
        IntakeInvitation.objects.filter(
            pk=invitation.pk, submitted_at__isnull=True, sent_at__lte=since
        )
        .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=since))
        .update(last_reminded_at=now, reminder_count=F("reminder_count") + 1)
    )
    if not claimed:
        return False
    try:
        _send(invitation, "reminder")
    except Exception:
        IntakeInvitation.objects.filter(pk=invitation.pk, last_reminded_at=now).update(
            last_reminded_at=invitation.last_reminded_at,
            reminder_count=F("reminder_count") - 1,
        )
        raise
    invitation.last_reminded_at = now
    return True


@dataclass(frozen=True)
class Progress:
    asked: int
    answered: int
    invited: int


def progress(programme: Programme) -> Progress:
    people = intake_people(programme)
    invitations = IntakeInvitation.objects.filter(programme=programme, person__in=people)
    return Progress(
        asked=people.count(),
        answered=invitations.filter(submitted_at__isnull=False).count(),
        invited=invitations.filter(sent_at__isnull=False).count(),
    )


def _cohort(programme: Programme, cohort_id: int | None) -> Cohort | None:
    return None if cohort_id is None else programme.cohorts.get(pk=cohort_id)


def invite_all(programme_id: int, cohort_id: int | None = None) -> int:
    """Invite everyone asked (of one cohort) who was never invited; returns the e-mails sent."""
    programme = Programme.objects.get(pk=programme_id)
    if not settings_for(programme).is_open():
        return 0
    sent = 0
    for person in intake_people(programme, _cohort(programme, cohort_id)):
        invitation = invitation_for(person, programme)
        if invitation.sent_at is None and invitation.submitted_at is None:
            sent += send_invitation(invitation)
    return sent


def remind_all(
    programme_id: int,
    cohort_id: int | None = None,
    *,
    min_interval: timedelta = REMINDER_INTERVAL,
) -> int:
    """Remind everyone invited (of one cohort) who has not answered; returns the e-mails sent."""
    programme = Programme.objects.get(pk=programme_id)
    if not settings_for(programme).is_open():
        return 0
    waiting = IntakeInvitation.objects.filter(
        programme=programme,
        person__in=intake_people(programme, _cohort(programme, cohort_id)),
        sent_at__isnull=False,
        submitted_at__isnull=True,
    ).select_related("person", "programme")
    return sum(send_reminder(invitation, min_interval=min_interval) for invitation in waiting)


def pending(programme: Programme, kind: str, cohort: Cohort | None = None) -> int:
    """Who "Invite" (``kind`` "invitation") or "Remind" would e-mail now, interval aside."""
    asked = set(intake_people(programme, cohort).values_list("pk", flat=True))
    rows = IntakeInvitation.objects.filter(programme=programme, person_id__in=asked)
    invited = set(rows.filter(sent_at__isnull=False).values_list("person_id", flat=True))
    answered = set(rows.filter(submitted_at__isnull=False).values_list("person_id", flat=True))
    return len(asked - invited - answered) if kind == "invitation" else len(invited - answered)


def sent_since(
    programme: Programme, kind: str, since: datetime, cohort: Cohort | None = None
) -> int:
    """Invitations (``kind`` "invitation") or reminders e-mailed since ``since``.

    The progress of a sending in the background, counted in the database.
    """
    field = "sent_at__gte" if kind == "invitation" else "last_reminded_at__gte"
    return IntakeInvitation.objects.filter(
        programme=programme, person__in=intake_people(programme, cohort), **{field: since}
    ).count()
