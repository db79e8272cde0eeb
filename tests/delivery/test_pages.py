"""Session pages: planning, moving, cancelling, RSVP, attendance, formats and feeds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from peerlearn.audit.models import AuditEvent
from peerlearn.delivery import formats
from peerlearn.delivery.models import (
    Attendance,
    CalendarFeed,
    MeetingFormat,
    Rsvp,
    Session,
    SessionSeries,
)
from tests.delivery.conftest import group_a_session, plan, plenary, troika


def url(name, w, *args):
    return reverse(f"delivery:{name}", args=[w.programme.slug, *args])


def plan_form(w, **changes):
    day = (timezone.now() + timedelta(days=7)).date()
    data = {
        "cohort": w.event.pk,
        "title": "Daily clinic",
        "day": day.isoformat(),
        "start": "14:00",
        "minutes": "90",
        "time_zone": "Europe/Paris",
        "repeat": "weekdays",
        "count": "10",
        "rule": "",
        "place": "Room 2",
        "online_link": "",
    }
    data.update(changes)
    return data


def events(response) -> list:
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


def test_facilitator_plans_ten_weekdays(world, login):
    client = login(world.users["facilitator"])
    response = client.post(url("session_new", world), plan_form(world))
    assert response.status_code == 302
    sessions = list(Session.objects.filter(programme=world.programme))
    assert len(sessions) == 10
    assert all(s.starts_at.astimezone(timezone.get_current_timezone()) for s in sessions)
    assert {s.starts_at.weekday() for s in sessions} <= {0, 1, 2, 3, 4}
    assert AuditEvent.objects.filter(action="session.plan").exists()


def test_a_rule_that_never_ends_is_refused_and_nothing_is_written(world, login):
    client = login(world.users["facilitator"])
    response = client.post(url("session_new", world), plan_form(world, count=""))
    assert response.status_code == 200
    assert "has no end" in response.content.decode()
    assert not Session.objects.exists() and not SessionSeries.objects.exists()


def test_a_rule_beyond_the_maximum_is_refused_and_nothing_is_written(world, login):
    client = login(world.users["facilitator"])
    data = plan_form(world, repeat="custom", rule="FREQ=DAILY;COUNT=5000")
    response = client.post(url("session_new", world), data)
    assert "more than 400 sessions" in response.content.decode()
    assert not Session.objects.exists() and not SessionSeries.objects.exists()


def test_unknown_time_zone_is_a_field_error(world, login):
    client = login(world.users["facilitator"])
    response = client.post(url("session_new", world), plan_form(world, time_zone="Mars/Base"))
    assert "Unknown time zone" in response.content.decode()
    assert not Session.objects.exists()


def test_groups_of_another_cohort_are_refused(world, login):
    from peerlearn.programmes.models import Group

    other = Group.objects.create(cohort=world.module, name="Module group")
    client = login(world.users["facilitator"])
    response = client.post(url("session_new", world), plan_form(world, groups=[other.pk]))
    assert "groups of the chosen cohort" in response.content.decode()
    assert not Session.objects.exists()


def test_rescheduling_raises_the_ics_sequence_and_keeps_the_uid(world, login):
    session = plenary(world)
    client = login(world.users["facilitator"])
    before = events(client.get(url("session_ics", world, session.pk)))[0]
    local = session.starts_at + timedelta(days=1)
    response = client.post(
        url("session_edit", world, session.pk),
        {
            "day": local.date().isoformat(),
            "start": local.strftime("%H:%M"),
            "minutes": "60",
            "time_zone": "UTC",
            "place": "Room 9",
            "online_link": "",
            "scope": "one",
        },
    )
    assert response.status_code == 302
    after = events(client.get(url("session_ics", world, session.pk)))[0]
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert str(after["LOCATION"]) == "Room 9"


def test_moving_this_and_later_moves_the_rest_of_the_series_only(world, login):
    sessions = plan(world, rule="FREQ=WEEKLY;COUNT=4")
    client = login(world.users["facilitator"])
    third = sessions[2]
    moved = third.starts_at + timedelta(hours=2)
    client.post(
        url("session_edit", world, third.pk),
        {
            "day": moved.date().isoformat(),
            "start": moved.strftime("%H:%M"),
            "minutes": "90",
            "time_zone": "UTC",
            "place": "",
            "online_link": "",
            "scope": "later",
        },
    )
    sequences = list(
        Session.objects.filter(series=third.series)
        .order_by("pk")
        .values_list("sequence", flat=True)
    )
    assert sequences == [0, 0, 1, 1]


def test_cancelling_sends_cancel_in_the_ics(world, login):
    session = plenary(world)
    client = login(world.users["facilitator"])
    client.post(url("session_cancel", world, session.pk), {"scope": "one"})
    response = client.get(url("session_ics", world, session.pk))
    calendar = Calendar.from_ical(response.content)
    assert calendar["METHOD"] == "CANCEL"
    assert int(events(response)[0]["SEQUENCE"]) == 1
    # Cancelling twice changes nothing more.
    client.post(url("session_cancel", world, session.pk), {"scope": "one"})
    session.refresh_from_db()
    assert session.sequence == 1


def test_participant_answers_rsvp_and_facilitator_marks_attendance(world, login):
    session = group_a_session(world)
    client = login(world.users["participant"])
    client.post(url("session_rsvp", world, session.pk), {"answer": "yes"})
    client.post(url("session_rsvp", world, session.pk), {"answer": "no"})
    assert list(Rsvp.objects.values_list("answer", flat=True)) == ["no"]
    client = login(world.users["facilitator"])
    page = client.get(url("session_attendance", world, session.pk)).content.decode()
    assert "Participant Person" in page and "said no" in page
    assert "Peer Person" not in page  # group B is not invited
    participant = world.people["participant"]
    client.post(url("session_attendance", world, session.pk), {"present": [participant.pk]})
    assert Attendance.objects.get(session=session, person=participant).present


def test_next_session_is_first_on_the_programme_page(world, login):
    plan(
        world,
        title="Later plenary",
        start=(timezone.now() + timedelta(days=9)).replace(tzinfo=None),
    )
    plan(
        world, title="Soon plenary", start=(timezone.now() + timedelta(days=2)).replace(tzinfo=None)
    )
    group_a_session(world)
    page = login(world.users["peer"]).get(reverse("programmes:detail", args=[world.programme.slug]))
    text = page.content.decode()
    assert "Next session" in text
    assert text.index("Soon plenary") < text.index("All sessions")
    assert "Later plenary" not in text and "Group A work" not in text


def test_troika_agenda_with_timer_markup_and_no_inline_script(world, login):
    session = plenary(world)
    session.format = troika(world)
    session.save()
    page = login(world.users["participant"]).get(url("session", world, session.pk)).content.decode()
    assert "Troika consulting (11 min)" in page
    assert page.count('data-minutes="') == 4
    assert "delivery/timer.js" in page
    assert "<script>" not in page and "onclick" not in page


def test_built_in_formats_are_shown_in_the_readers_language_until_edited(world, login):
    meeting_format = troika(world)
    with translation.override("es"):
        shown = formats.shown_name(meeting_format)
    assert shown != "Troika consulting" and shown
    client = login(world.users["facilitator"])
    steps = list(meeting_format.steps.all())
    data = {"name": "Our troika", "purpose": "", "steps-TOTAL_FORMS": str(len(steps) + 1)}
    data |= {"steps-INITIAL_FORMS": str(len(steps)), "steps-MIN_NUM_FORMS": "0"}
    data |= {"steps-MAX_NUM_FORMS": "1000"}
    for n, step in enumerate(steps):
        data |= {
            f"steps-{n}-id": str(step.pk),
            f"steps-{n}-position": str(step.position),
            f"steps-{n}-title": step.title,
            f"steps-{n}-minutes": "3" if n == 0 else str(step.minutes),
            f"steps-{n}-speaker": step.speaker,
            f"steps-{n}-prompt": step.prompt,
        }
    response = client.post(url("format_edit", world, meeting_format.pk), data)
    assert response.status_code == 302
    meeting_format.refresh_from_db()
    assert meeting_format.customised
    with translation.override("es"):
        assert formats.shown_name(meeting_format) == "Our troika"
        assert formats.agenda(meeting_format)[0].minutes == 3


def test_installing_the_library_twice_adds_nothing(world):
    assert formats.install_library(world.programme) == len(formats.LIBRARY)
    assert formats.install_library(world.programme) == 0
    assert MeetingFormat.objects.filter(programme=world.programme).count() == len(formats.LIBRARY)


def test_feed_lists_the_persons_sessions_only(world, login):
    mine = group_a_session(world)
    theirs = plan(world, title="Group B work", groups=[world.group_b])[0]
    everyone = plenary(world)
    client = login(world.users["participant"])
    response = client.post(reverse("delivery:my_calendar"), {"action": "issue"})
    feed_url = response.context["feed_url"]
    assert feed_url
    client.logout()
    feed = client.get(feed_url)
    uids = {str(e["UID"]) for e in events(feed)}
    assert uids == {mine.ical_uid, everyone.ical_uid}
    assert theirs.ical_uid not in uids


def test_revoked_or_tampered_feed_token_is_404(world, client, login):
    token = CalendarFeed.issue(world.people["participant"])
    feed = reverse("delivery:feed", args=[token])
    assert client.get(feed).status_code == 200
    tampered = token[:-1] + ("B" if token.endswith("A") else "A")
    assert client.get(reverse("delivery:feed", args=[tampered])).status_code == 404
    login(world.users["participant"]).post(reverse("delivery:my_calendar"), {"action": "revoke"})
    assert client.get(feed).status_code == 404
    # A new address switches the old one off.
    second = CalendarFeed.issue(world.people["participant"])
    third = CalendarFeed.issue(world.people["participant"])
    assert client.get(reverse("delivery:feed", args=[second])).status_code == 404
    assert client.get(reverse("delivery:feed", args=[third])).status_code == 200


def test_the_feed_address_is_shown_once_and_never_stored(world, login):
    client = login(world.users["participant"])
    shown = client.post(reverse("delivery:my_calendar"), {"action": "issue"}).context["feed_url"]
    token = shown.rsplit("/", 1)[1].removesuffix(".ics")
    assert not CalendarFeed.objects.filter(token_hash=token).exists()
    assert client.get(reverse("delivery:my_calendar")).context["feed_url"] == ""


def test_my_profile_shows_my_next_session_only(world, login):
    plan(world, title="Group B work", groups=[world.group_b])
    plan(world, title="Group A work", groups=[world.group_a])
    page = login(world.users["participant"]).get(reverse("people:me")).content.decode()
    assert "Group A work" in page and "Next session" in page
    assert "Group B work" not in page


def test_facilitators_feeds_list_the_sessions_they_run(world, client):
    group_session = group_a_session(world)
    module_day = plan(world, title="Module day", cohort=world.module)[0]
    everyone = {str(e["UID"]) for e in events(client.get(_feed(world, "facilitator")))}
    assert {group_session.ical_uid, module_day.ical_uid} <= everyone
    module = {str(e["UID"]) for e in events(client.get(_feed(world, "module_facilitator")))}
    assert module_day.ical_uid in module and group_session.ical_uid not in module


def _feed(world, persona: str) -> str:
    return reverse("delivery:feed", args=[CalendarFeed.issue(world.people[persona])])


def test_a_weekly_series_across_the_spring_change_keeps_its_local_hour(world, login):
    from zoneinfo import ZoneInfo

    client = login(world.users["facilitator"])
    data = plan_form(world, day="2030-03-19", repeat="weekly", count="3")
    assert client.post(url("session_new", world), data).status_code == 302
    paris = ZoneInfo("Europe/Paris")
    starts = list(Session.objects.order_by("starts_at").values_list("starts_at", flat=True))
    assert [s.astimezone(paris).hour for s in starts] == [14, 14, 14]
    assert [s.hour for s in starts] == [13, 13, 12]  # summer time began on 31 March 2030
    page = client.get(url("session", world, Session.objects.order_by("starts_at").last().pk))
    assert "14:00" in page.content.decode()


def test_a_built_in_is_stored_once_per_programme_and_never_half_written(world):
    """What install_library relies on when two clicks race: the database refuses
    the second copy, and its steps go with it (one transaction)."""
    import pytest
    from django.db import IntegrityError

    from peerlearn.delivery.models import FormatStep

    formats.install_library(world.programme)
    steps = FormatStep.objects.count()
    with pytest.raises(IntegrityError):
        formats._install(world.programme, formats.BY_KEY["troika"])
    assert MeetingFormat.objects.filter(builtin_key="troika").count() == 1
    assert FormatStep.objects.count() == steps


@pytest.mark.django_db(transaction=True)
def test_clicks_at_once_on_make_my_feed_leave_one_live_feed_and_no_error(world):
    from tests.concurrency import at_once, tolerated

    person = world.people["participant"]
    tokens, failures = at_once([lambda: CalendarFeed.issue(person)] * 6)
    assert tolerated(failures) == []
    live = CalendarFeed.objects.filter(person=person, revoked_at__isnull=True)
    assert live.count() == 1
    # the live feed is the one the last click was shown; the other was revoked
    assert CalendarFeed.live(tokens[-1]) is not None
