"""The facilitator's survey pages: schedule, edit, send now, control group, cancel, progress."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peerlearn.programmes.models import Cohort
from peerlearn.surveys import sending
from peerlearn.surveys.library import install_builtin
from peerlearn.surveys.models import Invitation, Survey
from tests.conftest import make_person
from tests.surveys.conftest import make_survey

LOCAL = timezone.get_current_timezone()


def url(name, world, *args):
    return reverse(f"surveys:{name}", args=[world.programme.slug, *args])


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL)


def form_data(world, **changes):
    data = {
        "instrument": install_builtin(world.programme, "pulse").pk,
        "title": "Pulse after day one",
        "cohort": world.event.pk,
        "anchor": "date",
        "opens_at": "2030-03-01T09:00",
        "session_name": "",
        "session_at": "",
        "offset_days": "",
        "closes_at": "",
        "reminders": "3, 7",
        "invite_participants": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def errors_of(response) -> dict:
    assert response.status_code == 200, "an invalid form comes back, it does not fail"
    return response.context["form"].errors


@pytest.fixture
def facilitator(world, login):
    return login(world.users["facilitator"])


# ---------------------------------------------------------------- creating


def test_schedule_on_a_date(world, facilitator):
    response = facilitator.post(url("survey_new", world), form_data(world))
    survey = Survey.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("survey", world, survey.pk)
    assert survey.opens_at == local("2030-03-01T09:00")
    assert survey.reminder_days == [3, 7]
    assert survey.programme == world.programme and survey.cohort == world.event
    assert survey.created_by == world.people["facilitator"]
    assert survey.invite_participants


def test_schedule_at_a_session(world, facilitator):
    data = form_data(
        world,
        anchor="session",
        opens_at="",
        session_name="Day 1 closing",
        session_at="2030-03-02T16:30",
        offset_days="0",
    )
    assert facilitator.post(url("survey_new", world), data).status_code == 302
    survey = Survey.objects.get()
    assert survey.opens_at == local("2030-03-02T16:30")
    assert survey.session_name == "Day 1 closing" and survey.anchor == "session"


def test_schedule_days_after_a_session(world, facilitator):
    data = form_data(
        world,
        anchor="session",
        session_name="Day 1",
        session_at="2030-03-02T16:30",
        offset_days="2",
    )
    assert facilitator.post(url("survey_new", world), data).status_code == 302
    assert Survey.objects.get().opens_at == local("2030-03-04T16:30")


@pytest.mark.parametrize(
    ("anchor", "days", "opens"),
    [("cohort_start", "0", "2030-05-04T09:00"), ("cohort_end", "90", "2030-08-11T09:00")],
)
def test_schedule_after_the_cohort_starts_or_ends(world, facilitator, anchor, days, opens):
    Cohort.objects.filter(pk=world.event.pk).update(start=date(2030, 5, 4), end=date(2030, 5, 13))
    data = form_data(world, anchor=anchor, opens_at="", offset_days=days, reminders="")
    assert facilitator.post(url("survey_new", world), data).status_code == 302
    survey = Survey.objects.get()
    assert survey.opens_at == local(opens)
    assert survey.offset_days == int(days) and survey.reminder_days == []


def test_whole_programme_survey(world, facilitator):
    assert (
        facilitator.post(url("survey_new", world), form_data(world, cohort="")).status_code == 302
    )
    assert Survey.objects.get().cohort is None


def test_cohort_facilitator_schedules_for_their_module(world, login):
    client = login(world.users["module_facilitator"])
    page = client.get(url("survey_new", world)).content.decode()
    assert "Module on budgeting" in page and "Ten-day event" not in page
    response = client.post(url("survey_new", world), form_data(world, cohort=world.module.pk))
    assert response.status_code == 302
    assert Survey.objects.get().cohort == world.module


def test_instrument_preselected_from_the_address(world, facilitator):
    instrument = install_builtin(world.programme, "capabilities")
    response = facilitator.get(url("survey_new", world) + f"?instrument={instrument.pk}")
    assert response.context["form"]["instrument"].value() == instrument.pk


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"closes_at": "2030-02-28T09:00"}, "closes_at", "close after it opens"),
        ({"closes_at": "2030-03-01T09:00"}, "closes_at", "close after it opens"),
        ({"reminders": "7, 3"}, "reminders", "increasing order"),
        ({"reminders": "3, 3"}, "reminders", "increasing order"),
        ({"reminders": "-1"}, "reminders", "at least 1 day"),
        ({"reminders": "0"}, "reminders", "at least 1 day"),
        ({"reminders": "abc"}, "reminders", "not a whole number"),
        ({"reminders": "2.5"}, "reminders", "not a whole number"),
        ({"reminders": "1, 2, 3, 4, 5, 6"}, "reminders", "At most 5"),
        ({"reminders": "400"}, "reminders", "more than a year"),
        ({"closes_at": "2030-03-05T09:00"}, "reminders", "after the survey closes"),
        ({"opens_at": ""}, "opens_at", "date and time the survey opens"),
        ({"opens_at": "tomorrow"}, "opens_at", "valid date"),
        ({"anchor": "session", "session_at": ""}, "session_at", "time of the session"),
        ({"anchor": "session", "session_at": "2030-03-02T10:00"}, "session_name", "Name"),
        ({"anchor": "cohort_end", "offset_days": "90"}, "cohort", "has no end date"),
        ({"anchor": "cohort_start"}, "cohort", "has no start date"),
        ({"anchor": "cohort_end", "cohort": ""}, "cohort", "Choose the cohort"),
        ({"anchor": "cohort_end", "offset_days": "99999"}, "offset_days", "less than or equal"),
        ({"anchor": "someday"}, "anchor", "valid choice"),
        ({"title": ""}, "title", "required"),
        ({"instrument": "999999"}, "instrument", "this programme's instruments"),
    ],
)
def test_bad_values_get_clear_errors(world, facilitator, changes, field, words):
    response = facilitator.post(url("survey_new", world), form_data(world, **changes))
    errors = errors_of(response)
    assert field in errors, errors
    assert words in " ".join(errors[field]), errors[field]
    assert not Survey.objects.exists()


def test_instrument_of_another_programme_is_refused(world, facilitator):
    foreign = install_builtin(world.other_programme, "pulse")
    response = facilitator.post(url("survey_new", world), form_data(world, instrument=foreign.pk))
    assert "instrument" in errors_of(response)
    assert not Survey.objects.exists()


def test_cohort_facilitator_cannot_choose_another_cohort(world, login):
    client = login(world.users["module_facilitator"])
    response = client.post(url("survey_new", world), form_data(world, cohort=world.event.pk))
    assert "cohorts you facilitate" in " ".join(errors_of(response)["cohort"])
    response = client.post(url("survey_new", world), form_data(world, cohort=""))
    assert "cohort" in errors_of(response), "a cohort's facilitator cannot ask everyone"
    assert not Survey.objects.exists()


def test_error_page_shows_the_message(world, facilitator):
    body = facilitator.post(
        url("survey_new", world), form_data(world, reminders="7, 3")
    ).content.decode()
    assert "increasing order" in body and 'role="alert"' in body


# ---------------------------------------------------------------- editing


def test_edit_reschedules(world, facilitator):
    survey = make_survey(world, "pulse", reminder_days=[2])
    edit = facilitator.get(url("survey_edit", world, survey.pk))
    assert edit.context["form"]["reminders"].value() == "2"
    data = form_data(
        world, instrument=survey.instrument.pk, title="Renamed", reminders="1, 4, 9", closes_at=""
    )
    assert facilitator.post(url("survey_edit", world, survey.pk), data).status_code == 302
    survey.refresh_from_db()
    assert survey.title == "Renamed" and survey.reminder_days == [1, 4, 9]
    assert survey.opens_at == local("2030-03-01T09:00")
    assert Survey.objects.count() == 1


def test_instrument_fixed_once_invitations_went_out(world, facilitator):
    survey = make_survey(world, "pulse")
    sending.send_due(survey)
    other = install_builtin(world.programme, "capabilities")
    response = facilitator.post(
        url("survey_edit", world, survey.pk), form_data(world, instrument=other.pk)
    )
    assert "cannot change" in " ".join(errors_of(response)["instrument"])
    survey.refresh_from_db()
    assert survey.instrument.builtin == "pulse"
    same = form_data(world, instrument=survey.instrument.pk, title="Still fine")
    assert facilitator.post(url("survey_edit", world, survey.pk), same).status_code == 302


# ---------------------------------------------------------------- send now, cancel


def test_send_now_sends_once(world, facilitator):
    survey = make_survey(world, "pulse")
    response = facilitator.post(url("survey_send", world, survey.pk), follow=True)
    assert "3 invitations sent, 0 reminders sent." in response.content.decode()
    assert len(mail.outbox) == 3
    response = facilitator.post(url("survey_send", world, survey.pk), follow=True)
    assert "0 invitations sent" in response.content.decode()
    assert len(mail.outbox) == 3


def test_send_now_before_opening_sends_nothing(world, facilitator):
    survey = make_survey(world, "pulse", opens_at=timezone.now() + timedelta(days=2))
    response = facilitator.post(url("survey_send", world, survey.pk), follow=True)
    assert "not open" in response.content.decode()
    assert mail.outbox == [] and not Invitation.objects.exists()


def test_cancel_stops_sending(world, facilitator):
    survey = make_survey(world, "pulse")
    response = facilitator.post(url("survey_cancel", world, survey.pk), follow=True)
    assert "Survey cancelled" in response.content.decode()
    survey.refresh_from_db()
    assert survey.cancelled_at is not None
    body = facilitator.get(url("survey", world, survey.pk)).content.decode()
    assert "Cancelled" in body and url("survey_cancel", world, survey.pk) not in body
    facilitator.post(url("survey_send", world, survey.pk))
    assert mail.outbox == []
    again = facilitator.post(url("survey_cancel", world, survey.pk), follow=True)
    assert "already cancelled" in again.content.decode()


# ---------------------------------------------------------------- control group


def test_control_group_malformed_address_adds_nobody(world, facilitator):
    survey = make_survey(world, "pulse")
    response = facilitator.post(
        url("survey_control", world, survey.pk),
        {"addresses": "nobody@example.org\nnot-an-address; ghost@"},
    )
    errors = " ".join(errors_of(response)["addresses"])
    assert "not-an-address" in errors and "ghost@" in errors
    assert "nobody@example.org" not in errors
    assert not Invitation.objects.exists()


def test_control_group_refuses_the_surveys_own_participants(world, facilitator):
    survey = make_survey(world, "pulse")
    response = facilitator.post(
        url("survey_control", world, survey.pk), {"addresses": "peer@example.org"}
    )
    assert "has a role in this programme" in " ".join(errors_of(response)["addresses"])
    assert not Invitation.objects.exists()


def test_control_group_added_and_invited(world, facilitator):
    survey = make_survey(world, "pulse")
    make_person("alumna", world.people["peer"].organisation, with_user=False)
    response = facilitator.post(
        url("survey_control", world, survey.pk),
        {"addresses": " Outsider@Example.org , alumna@example.org;outsider@example.org\n"},
        follow=True,
    )
    assert "2 people added to the control group." in response.content.decode()
    control = Invitation.objects.filter(survey=survey, audience="control")
    assert set(control.values_list("person__email", flat=True)) == {
        "outsider@example.org",
        "alumna@example.org",
    }
    again = facilitator.post(
        url("survey_control", world, survey.pk), {"addresses": "alumna@example.org"}, follow=True
    )
    assert "1 person was already asked" in again.content.decode()
    assert control.count() == 2
    sending.send_due(survey)
    assert {m.to[0] for m in mail.outbox} >= {"outsider@example.org", "alumna@example.org"}
    assert control.filter(sent_at__isnull=False).count() == 2


# ---------------------------------------------------------------- progress


def answered(survey: Survey, key: str, world) -> None:
    Invitation.objects.filter(survey=survey, person=world.people[key]).update(
        started_at=timezone.now(), submitted_at=timezone.now()
    )


def test_counts_on_detail_and_list(world, facilitator, login):
    survey = make_survey(world, "pulse", reminder_days=[3, 7])
    Invitation.objects.create(survey=survey, person=world.people["outsider"], audience="control")
    sending.send_due(survey)
    answered(survey, "peer", world)
    detail = facilitator.get(url("survey", world, survey.pk))
    assert detail.context["audience"] == 4
    body = detail.content.decode()
    assert "1 of 4 (25%)" in body
    assert "1 person in the control group" in body
    assert "Reminder 1: 3 days after opening" in body and "Reminder 2: 7 days" in body
    listing = login(world.users["evaluator"]).get(url("surveys", world)).content.decode()
    assert survey.title in listing and "1 of 4 (25%)" in listing
    assert url("instruments", world) in listing and url("results", world, survey.pk) in listing


def test_list_shows_a_cohort_facilitator_only_their_surveys(world, login):
    mine = make_survey(world, "pulse", cohort=world.module, title="Module pulse")
    theirs = make_survey(world, "pulse", title="Event pulse")
    body = login(world.users["module_facilitator"]).get(url("surveys", world)).content.decode()
    assert mine.title in body and theirs.title not in body


@pytest.mark.parametrize(
    ("anonymity", "persona", "sees_names"),
    [
        ("identified", "facilitator", True),
        ("identified", "evaluator", False),
        ("pseudonymous", "facilitator", False),
        ("anonymous", "facilitator", False),
        ("pseudonymous", "evaluator", False),
    ],
)
def test_who_answered_only_for_identified_instruments_to_managers(
    world, login, anonymity, persona, sees_names
):
    survey = make_survey(world, "pulse", anonymity=anonymity)
    sending.send_due(survey)
    answered(survey, "peer", world)
    body = login(world.users[persona]).get(url("survey", world, survey.pk)).content.decode()
    assert ("Peer Person" in body) is sees_names
    assert ("Participant Person" in body) is sees_names
    assert "1 of 3 (33%)" in body, "counts are for every reader"


def test_evaluator_sees_no_buttons(world, login):
    survey = make_survey(world, "pulse")
    body = login(world.users["evaluator"]).get(url("survey", world, survey.pk)).content.decode()
    for name in ("survey_send", "survey_cancel", "survey_edit", "survey_control"):
        assert url(name, world, survey.pk) not in body
    facilitator_body = (
        login(world.users["facilitator"]).get(url("survey", world, survey.pk)).content.decode()
    )
    for name in ("survey_send", "survey_cancel", "survey_edit", "survey_control"):
        assert url(name, world, survey.pk) in facilitator_body
