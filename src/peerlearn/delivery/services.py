"""Planning, moving and cancelling sessions; who sees them; iCalendar.

Views stay thin: every rule about sessions is here (and the timing rules in
:mod:`peerlearn.engine.rhythm`).

Who sees a session (``visible_sessions``):

* a plenary session (no groups): everyone with a role in its cohort and
  everyone with a programme-wide role;
* a group session: the members of its groups, the facilitators of its
  cohort (or programme) and the facilitators named on the session; never
  evaluators or observers (what a group does is the group's).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from peerlearn.delivery.models import Session, SessionChange, SessionSeries
from peerlearn.engine import rhythm
from peerlearn.people.models import Person
from peerlearn.programmes.models import Cohort, Group, GroupMember, Membership, Programme
from peerlearn.programmes.permissions import Access

PRODID = "-//peerlearn//sessions//EN"

#: A feed shows sessions from this long ago on (calendars keep older ones).
FEED_PAST = timedelta(days=31)


# ---------------------------------------------------------------- visibility


def _session_audience_q(person_ids: list[int]) -> Q:
    """Sessions whose audience includes one of ``person_ids``.

    Built from small indexed look-ups (their groups, cohorts and programmes,
    the sessions they facilitate) rather than one correlated subquery per
    session: a person's feed among 68,000 sessions stays a few milliseconds.
    """
    group_ids = GroupMember.objects.filter(person_id__in=person_ids).values_list(
        "group_id", flat=True
    )
    by_group = Session.groups.through.objects.filter(group_id__in=list(group_ids)).values_list(
        "session_id", flat=True
    )
    facilitated = Session.facilitators.through.objects.filter(person_id__in=person_ids).values_list(
        "session_id", flat=True
    )
    roles = Membership.objects.filter(person_id__in=person_ids)
    cohorts = list(roles.filter(cohort__isnull=False).values_list("cohort_id", flat=True))
    programmes = list(roles.filter(cohort__isnull=True).values_list("programme_id", flat=True))
    return (
        Q(pk__in=set(by_group) | set(facilitated))
        | Q(plenary=True, cohort_id__in=cohorts)
        | Q(plenary=True, programme_id__in=programmes)
    )


def visible_sessions(user, programme: Programme, access: Access) -> QuerySet[Session]:
    """The programme's sessions this user may see (rules in the module docstring)."""
    sessions = Session.objects.filter(programme=programme)
    if access.manages_programme:
        return sessions
    managed = [cid for cid, roles in access.cohort_roles.items() if "facilitator" in roles]
    person_ids = list(Person.objects.filter(user=user).values_list("pk", flat=True))
    return sessions.filter(Q(cohort_id__in=managed) | _session_audience_q(person_ids))


def can_see(user, session: Session, access: Access) -> bool:
    return visible_sessions(user, session.programme, access).filter(pk=session.pk).exists()


def manages(session: Session, access: Access) -> bool:
    return access.manages_cohort(session.cohort_id)


def sessions_of_person(person: Person) -> QuerySet[Session]:
    """Every session, in any programme, whose audience includes ``person``."""
    managed = Membership.objects.filter(person=person, role="facilitator")
    whole = managed.filter(cohort__isnull=True).values_list("programme_id", flat=True)
    cohorts = managed.filter(cohort__isnull=False).values_list("cohort_id", flat=True)
    return Session.objects.filter(
        Q(programme_id__in=list(whole))
        | Q(cohort_id__in=list(cohorts))
        | _session_audience_q([person.pk])
    )


def audience(session: Session) -> QuerySet[Person]:
    """Who is invited: group members (or the cohort's participants) and the facilitators."""
    group_ids = list(session.groups.values_list("pk", flat=True))
    if group_ids:
        invited = Q(group_memberships__group_id__in=group_ids)
    else:
        invited = Q(memberships__cohort_id=session.cohort_id, memberships__role="participant")
    return Person.objects.filter(invited | Q(facilitated_sessions=session)).distinct()


def audience_ids(session: Session) -> set[int]:
    """The ids of :func:`audience`, from two plain queries (the mailer's hot path)."""
    group_ids = [group.pk for group in session.groups.all()]  # prefetched by the mailer
    invited: set[int]
    if group_ids:
        invited = set(
            GroupMember.objects.filter(group_id__in=group_ids).values_list("person_id", flat=True)
        )
    else:
        invited = set(
            Membership.objects.filter(cohort_id=session.cohort_id, role="participant").values_list(
                "person_id", flat=True
            )
        )
    return invited | {person.pk for person in session.facilitators.all()}


def next_session(user, programme: Programme, access: Access) -> Session | None:
    return (
        visible_sessions(user, programme, access)
        .filter(status="scheduled", ends_at__gt=timezone.now())
        .order_by("starts_at", "pk")
        .first()
    )


# ---------------------------------------------------------------- planning


@dataclass
class Plan:
    """What a facilitator asked for; ``first_start`` is naive local wall clock."""

    cohort: Cohort
    title: str
    first_start: datetime
    duration: timedelta
    time_zone: str
    rule: str = ""
    place: str = ""
    online_link: str = ""
    format_id: int | None = None
    groups: tuple[Group, ...] = ()
    facilitators: tuple[Person, ...] = ()


def recurrence_message(error: rhythm.RecurrenceError) -> str:
    """The facilitator-facing sentence for a refused rule."""
    messages = {
        "endless": _(
            "This rule has no end: add one (COUNT=10 for ten sessions, or UNTIL=20301231)."
        ),
        "too_many": _("This rule plans more than %(max)s sessions: shorten it or split it.")
        % {"max": rhythm.MAX_OCCURRENCES},
        "invalid": _("We cannot understand this recurrence rule: %(detail)s")
        % {"detail": error.detail},
        "empty": _("This rule yields no session at all: check its days and end."),
        "zone": _("Unknown time zone “%(zone)s”: use a name like Europe/Paris.")
        % {"zone": error.detail},
        "duration": _("A session must last at least one minute."),
    }
    return messages.get(error.code, str(error))


def plan_sessions(programme: Programme, plan: Plan) -> list[Session]:
    """Write a one-off session or a whole series, all or nothing.

    The rule is expanded (and refused, raising ``RecurrenceError``) before
    anything is written, and the rows go in one transaction.
    """
    occurrences = rhythm.expand(plan.rule, plan.first_start, plan.duration, plan.time_zone)
    with transaction.atomic():
        series = None
        if plan.rule.strip():
            series = SessionSeries.objects.create(
                programme=programme,
                cohort=plan.cohort,
                title=plan.title,
                rule=plan.rule.strip(),
                first_start=plan.first_start.replace(tzinfo=rhythm.zone("UTC")),
                duration_minutes=int(plan.duration.total_seconds() // 60),
                time_zone=plan.time_zone,
            )
        sessions = Session.objects.bulk_create(
            Session(
                programme=programme,
                cohort=plan.cohort,
                series=series,
                title=plan.title,
                starts_at=o.start,
                ends_at=o.end,
                time_zone=plan.time_zone,
                place=plan.place,
                online_link=plan.online_link,
                format_id=plan.format_id,
                plenary=not plan.groups,
            )
            for o in occurrences
        )
        if not sessions[0].pk:  # backends that do not return ids from bulk_create
            sessions = list(Session.objects.filter(series=series)) if series else sessions
        for session in sessions:
            if plan.groups:
                session.groups.set(plan.groups)
            if plan.facilitators:
                session.facilitators.set(plan.facilitators)
    return sessions


def _bump(session: Session, kind: str, actor: Person | None, old_start: datetime | None) -> None:
    session.sequence += 1
    session.updated_at = timezone.now()
    SessionChange.objects.create(
        session=session,
        sequence=session.sequence,
        kind=kind,
        old_start=old_start,
        new_start=session.starts_at,
        actor=actor,
    )


def reschedule(
    session: Session,
    *,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    online_link: str,
    actor: Person | None,
) -> bool:
    """Move or edit one session; True (and SEQUENCE raised) when anything changed."""
    old_start = session.starts_at
    moved = starts_at != session.starts_at or ends_at != session.ends_at
    edited = place != session.place or online_link != session.online_link
    if not (moved or edited):
        return False
    with transaction.atomic():
        session.starts_at, session.ends_at = starts_at, ends_at
        session.place, session.online_link = place, online_link
        _bump(session, "moved" if moved else "edited", actor, old_start)
        session.save()
    return True


def cancel(session: Session, actor: Person | None) -> bool:
    """Cancel one session (kept, so calendars receive METHOD:CANCEL); False if already."""
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if locked.is_cancelled:
            return False
        locked.status = "cancelled"
        _bump(locked, "cancelled", actor, locked.starts_at)
        locked.save()
    session.refresh_from_db()
    return True


def later_in_series(session: Session) -> QuerySet[Session]:
    """This session and the later ones of its series that are still to come."""
    if session.series_id is None:
        return Session.objects.filter(pk=session.pk)
    return Session.objects.filter(
        series_id=session.series_id, starts_at__gte=session.starts_at, status="scheduled"
    )


def shift_series(session: Session, delta: timedelta, place: str, link: str, actor) -> int:
    """Move this and every later session of the series by the same local shift."""
    count = 0
    with transaction.atomic():
        for each in later_in_series(session).order_by("starts_at"):
            tz = rhythm.zone(each.time_zone)
            wall = each.starts_at.astimezone(tz).replace(tzinfo=None) + delta
            length = each.ends_at - each.starts_at
            start = rhythm.localise(wall, tz)
            count += reschedule(
                each,
                starts_at=start,
                ends_at=start + length,
                place=place,
                online_link=link,
                actor=actor,
            )
    return count


# ---------------------------------------------------------------- iCalendar


def _event(session: Session, method: str) -> Event:
    event = Event()
    event.add("uid", session.ical_uid)
    event.add("sequence", session.sequence)
    event.add("dtstamp", session.updated_at)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", session.title)
    where = session.place or session.online_link
    if where:
        event.add("location", where)
    if session.online_link:
        event.add("url", session.online_link)
    cancelled = method == "CANCEL" or session.is_cancelled
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def calendar(sessions, method: str | None = None) -> bytes:
    """An iCalendar file of ``sessions``; ``method`` REQUEST or CANCEL for e-mail."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    for session in sessions:
        cal.add_component(_event(session, method or ""))
    return cal.to_ical()


def session_ics(session: Session) -> bytes:
    return calendar([session], "CANCEL" if session.is_cancelled else "REQUEST")


def feed_ics(person: Person) -> bytes:
    since = timezone.now() - FEED_PAST
    sessions = sessions_of_person(person).filter(ends_at__gte=since).order_by("starts_at")
    return calendar(sessions.only(*FEED_FIELDS))


FEED_FIELDS = (
    "uid",
    "sequence",
    "updated_at",
    "starts_at",
    "ends_at",
    "title",
    "place",
    "online_link",
    "status",
)
