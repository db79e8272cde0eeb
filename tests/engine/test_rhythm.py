"""Recurrence expansion and reminder timing: plain Python, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from peerlearn.engine import rhythm
from peerlearn.engine.rhythm import RecurrenceError, expand, reminder_time

HOUR = timedelta(hours=1)
PARIS = ZoneInfo("Europe/Paris")


def test_every_weekday_for_ten_days_skips_the_weekend():
    sessions = expand(
        "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=10",
        datetime(2030, 6, 3, 14, 0),  # a Monday
        timedelta(minutes=90),
        "Africa/Nairobi",
    )
    assert len(sessions) == 10
    assert {s.start.astimezone(ZoneInfo("Africa/Nairobi")).weekday() for s in sessions} == {
        0,
        1,
        2,
        3,
        4,
    }
    assert all(s.end - s.start == timedelta(minutes=90) for s in sessions)
    assert sessions[-1].start.date() == datetime(2030, 6, 14).date()


def test_first_tuesday_monthly_for_five_months():
    sessions = expand("FREQ=MONTHLY;BYDAY=+1TU;COUNT=5", datetime(2030, 1, 1, 9), HOUR, "UTC")
    assert [s.start.day for s in sessions] == [1, 5, 5, 2, 7]
    assert all(s.start.weekday() == 1 for s in sessions)


def test_sessions_keep_their_local_hour_across_daylight_saving_changes():
    sessions = expand("FREQ=WEEKLY;COUNT=3", datetime(2030, 3, 24, 14), HOUR, "Europe/Paris")
    local_hours = [s.start.astimezone(PARIS).hour for s in sessions]
    utc_hours = [s.start.hour for s in sessions]
    assert local_hours == [14, 14, 14]
    assert utc_hours == [13, 12, 12]  # summer time began on 31 March


def test_a_session_in_the_spring_gap_starts_after_the_gap():
    (session,) = expand("", datetime(2030, 3, 31, 2, 30), HOUR, "Europe/Paris")
    assert session.start.astimezone(PARIS).replace(tzinfo=None) == datetime(2030, 3, 31, 3, 30)
    assert session.end - session.start == HOUR


def test_a_session_spanning_the_autumn_change_lasts_its_real_length():
    (session,) = expand("", datetime(2030, 10, 27, 1, 30), 2 * HOUR, "Europe/Paris")
    assert session.end - session.start == 3 * HOUR  # 01:30 to 03:30 wall clock, one hour repeats


@pytest.mark.parametrize("rule", ["FREQ=DAILY", "RRULE:FREQ=WEEKLY;BYDAY=TU"])
def test_a_rule_that_never_ends_is_refused(rule):
    with pytest.raises(RecurrenceError) as refused:
        expand(rule, datetime(2030, 1, 1, 9), HOUR, "UTC")
    assert refused.value.code == "endless"


def test_a_rule_beyond_the_maximum_is_refused():
    with pytest.raises(RecurrenceError) as refused:
        expand("FREQ=DAILY;COUNT=401", datetime(2030, 1, 1, 9), HOUR, "UTC")
    assert refused.value.code == "too_many"
    assert len(expand("FREQ=DAILY;COUNT=400", datetime(2030, 1, 1, 9), HOUR, "UTC")) == 400


def test_an_until_far_away_is_refused_without_expanding_everything():
    with pytest.raises(RecurrenceError) as refused:
        expand("FREQ=MINUTELY;UNTIL=99991231T000000", datetime(2030, 1, 1), HOUR, "UTC")
    assert refused.value.code == "too_many"


@pytest.mark.parametrize(
    ("rule", "code"),
    [("FREQ=SOMETIMES;COUNT=2", "invalid"), ("FREQ=DAILY;UNTIL=20200101", "empty")],
)
def test_unreadable_and_empty_rules_are_refused(rule, code):
    with pytest.raises(RecurrenceError) as refused:
        expand(rule, datetime(2030, 1, 1, 9), HOUR, "UTC")
    assert refused.value.code == code


def test_unknown_zone_is_refused():
    with pytest.raises(RecurrenceError) as refused:
        expand("", datetime(2030, 1, 1, 9), HOUR, "Europe/Atlantis")
    assert refused.value.code == "zone"


def test_reminder_never_before_the_previous_session_ended():
    start = datetime(2030, 5, 2, 14, tzinfo=UTC)
    previous_end = datetime(2030, 5, 1, 15, 30, tzinfo=UTC)
    assert reminder_time(start, None) == start - rhythm.REMINDER_LEAD
    assert reminder_time(start, previous_end) == previous_end
    assert reminder_time(start, datetime(2030, 4, 30, tzinfo=UTC)) == start - rhythm.REMINDER_LEAD


def test_no_reminder_for_a_session_back_to_back_with_the_previous():
    start = datetime(2030, 5, 2, 14, tzinfo=UTC)
    assert reminder_time(start, start) is None
    assert reminder_time(start, start + HOUR) is None
