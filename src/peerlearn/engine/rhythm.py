"""The rhythm of a programme: recurring sessions and when to remind people.

Pure Python (no Django), so the rules are tested without a database.

Recurrence uses RFC 5545 rules (``FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=10``)
through :mod:`dateutil.rrule`.  A rule is expanded in the session's *own*
time zone, on naive wall-clock times, and only then given its zone: "every
Tuesday 14:00 in Paris" stays at 14:00 local on both sides of a
daylight-saving change (its UTC time moves by an hour), which is what people
in the room expect.

Two kinds of rule are refused, with a message a facilitator can act on:
a rule with neither ``COUNT`` nor ``UNTIL`` (it never ends), and a rule
that yields more than :data:`MAX_OCCURRENCES` sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr

#: No series may plan more sessions than this (a ten-day event is 10, a
#: weekly rhythm over two years about 100): a typo must not write thousands.
MAX_OCCURRENCES = 400

#: Reminders go this long before a session starts...
REMINDER_LEAD = timedelta(hours=24)

#: ...and invitations this long before (or at once for sooner sessions).
INVITATION_LEAD = timedelta(days=14)


class RecurrenceError(ValueError):
    """A rule that cannot be planned; ``code`` tells callers which message to show."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Occurrence:
    """One planned session, in UTC (the zone is kept for showing local times)."""

    start: datetime
    end: datetime


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; :class:`RecurrenceError` ("zone") when unknown.

    >>> zone("Europe/Paris").key
    'Europe/Paris'
    >>> zone("Mars/Olympus")
    Traceback (most recent call last):
    ...
    peerlearn.engine.rhythm.RecurrenceError: zone: Mars/Olympus
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise RecurrenceError("zone", name) from error


def localise(wall: datetime, tz: ZoneInfo) -> datetime:
    """A naive wall-clock time in ``tz`` as a UTC instant.

    A time that does not exist (inside the spring-forward gap) is read with
    the offset in force before the gap, as RFC 5545 says: 02:30 on the night
    clocks jump from 02:00 to 03:00 becomes 03:30.  An ambiguous autumn time
    is the first of the two.

    >>> paris = zone("Europe/Paris")
    >>> localise(datetime(2030, 3, 31, 2, 30), paris).astimezone(paris).time()
    datetime.time(3, 30)
    >>> localise(datetime(2030, 7, 1, 14, 0), paris).hour
    12
    """
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _checked_rule(rule: str) -> str:
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    upper = text.upper()
    if "COUNT=" not in upper and "UNTIL=" not in upper:
        raise RecurrenceError("endless")
    return text


def expand(
    rule: str,
    first_start: datetime,
    duration: timedelta,
    time_zone: str,
    *,
    limit: int = MAX_OCCURRENCES,
) -> list[Occurrence]:
    """Every session of a series: ``rule`` from the wall-clock ``first_start``.

    ``first_start`` is naive, in ``time_zone``; the result is in UTC.  An empty
    rule means one session.  Raises :class:`RecurrenceError` with code
    ``endless``, ``too_many``, ``invalid``, ``empty`` or ``zone``.

    Every weekday at 14:00 for ten days, across the end of summer time in
    Paris: always 14:00 local, so 12:00 then 13:00 UTC.

    >>> sessions = expand("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=10",
    ...                   datetime(2030, 10, 21, 14, 0), timedelta(minutes=90), "Europe/Paris")
    >>> len(sessions), sessions[0].start.hour, sessions[-1].start.hour
    (10, 12, 13)
    >>> expand("FREQ=WEEKLY", datetime(2030, 1, 1, 9), timedelta(hours=1), "UTC")
    Traceback (most recent call last):
    ...
    peerlearn.engine.rhythm.RecurrenceError: endless
    """
    if first_start.tzinfo is not None:
        raise ValueError("first_start must be a naive wall-clock time")
    if duration <= timedelta(0):
        raise RecurrenceError("duration")
    tz = zone(time_zone)
    walls = _walls(_checked_rule(rule), first_start, limit) if rule.strip() else [first_start]
    if not walls:
        raise RecurrenceError("empty")
    return [_occurrence(wall, duration, tz) for wall in walls]


def _walls(text: str, first_start: datetime, limit: int) -> list[datetime]:
    try:
        parsed = rrulestr(text, dtstart=first_start)
    except (ValueError, TypeError) as error:
        raise RecurrenceError("invalid", str(error)) from error
    walls: list[datetime] = []
    for wall in parsed:
        if not isinstance(wall, datetime):  # pragma: no cover - rrulestr yields datetimes
            raise RecurrenceError("invalid")
        if wall.tzinfo is not None:
            # An UNTIL given in UTC makes dateutil yield aware times: keep wall clock.
            wall = wall.replace(tzinfo=None)
        walls.append(wall)
        if len(walls) > limit:
            raise RecurrenceError("too_many", str(limit))
    return walls


def _occurrence(wall: datetime, duration: timedelta, tz: ZoneInfo) -> Occurrence:
    start = localise(wall, tz)
    end = localise(wall + duration, tz)
    if end <= start:  # the end fell into a gap and folded before the start
        end = start + duration
    return Occurrence(start=start, end=end)


def reminder_time(
    start: datetime, previous_end: datetime | None, *, lead: timedelta = REMINDER_LEAD
) -> datetime | None:
    """When a session's reminder is due, or None when none should go.

    ``lead`` before the start, but never before the previous session of the
    same rhythm ended: a reminder for tomorrow's session must not arrive
    while people are still sitting in today's.  When the previous session
    runs until this one starts (back to back), no reminder is sent.

    >>> start = datetime(2030, 5, 2, 14, 0, tzinfo=UTC)
    >>> reminder_time(start, None)
    datetime.datetime(2030, 5, 1, 14, 0, tzinfo=datetime.timezone.utc)
    >>> reminder_time(start, datetime(2030, 5, 1, 15, 30, tzinfo=UTC))
    datetime.datetime(2030, 5, 1, 15, 30, tzinfo=datetime.timezone.utc)
    >>> reminder_time(start, start) is None
    True
    """
    due = start - lead
    if previous_end is not None and previous_end > due:
        due = previous_end
    return due if due < start else None


def invitation_time(start: datetime, *, lead: timedelta = INVITATION_LEAD) -> datetime:
    """When a session's invitation is due: ``lead`` before it starts.

    >>> invitation_time(datetime(2030, 5, 15, 9, tzinfo=UTC)).day
    1
    """
    return start - lead
