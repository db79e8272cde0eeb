"""Scheduling and e-mailing surveys: opening times, who is asked, invitations, reminders.

Time is passed in (``now=``) rather than mocked: the functions compute what is
due at that moment from the rows in the database, exactly as cron would.
"""

from __future__ import annotations

import re
import socket
from collections import Counter
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import resolve
from django.utils import timezone

from peerlearn.programmes.models import Membership
from peerlearn.surveys import sending
from peerlearn.surveys.models import Invitation, InvitationLink, Survey
from peerlearn.surveys.sending import ScheduleError, opening_time
from tests.concurrency import at_once, tolerated
from tests.conftest import make_person
from tests.surveys.conftest import make_survey

EVENT_PARTICIPANTS = {
    "participant@example.org",
    "peer@example.org",
    "module_facilitator@example.org",
}
BASE = timezone.make_aware(datetime(2030, 3, 1, 9, 0))


def recipients() -> Counter[str]:
    return Counter(address for message in mail.outbox for address in message.to)


def link_token(body: str, survey: Survey) -> str:
    found = re.search(rf"/s/{survey.pk}/([A-Za-z0-9_-]+)/", body)
    assert found, body
    return found.group(1)


def scheduled(world, **fields) -> Survey:
    """A pulse survey of the event cohort opening at BASE (reminders 3 and 7 days after)."""
    values = {"opens_at": BASE, "reminder_days": [3, 7]}
    values.update(fields)
    return make_survey(world, "pulse", **values)


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def failing_mail(settings):
    """A real SMTP backend pointed at a closed port on this machine: every send raises."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = unused_port()
    settings.EMAIL_TIMEOUT = 5
    return settings


# ---------------------------------------------------------------- opening_time


def test_opening_on_a_date_is_that_moment():
    assert opening_time("date", at=BASE, offset_days=5) == BASE


def test_opening_on_a_date_needs_the_date():
    with pytest.raises(ScheduleError) as problem:
        opening_time("date")
    assert problem.value.field == "opens_at"


def test_opening_at_a_session_adds_the_days_after_it():
    session = timezone.make_aware(datetime(2030, 4, 2, 14, 30))
    assert opening_time("session", session_at=session) == session
    assert opening_time("session", session_at=session, offset_days=1) == session + timedelta(1)


def test_opening_at_a_session_needs_its_time():
    with pytest.raises(ScheduleError) as problem:
        opening_time("session", offset_days=0)
    assert problem.value.field == "session_at"


def test_opening_after_cohort_start_and_end_at_nine(world):
    world.event.start, world.event.end = date(2030, 5, 4), date(2030, 5, 13)
    start = opening_time("cohort_start", cohort=world.event, offset_days=0)
    after_end = opening_time("cohort_end", cohort=world.event, offset_days=90)
    assert timezone.localtime(start).replace(tzinfo=None) == datetime(2030, 5, 4, 9, 0)
    assert timezone.localtime(after_end).replace(tzinfo=None) == datetime(2030, 8, 11, 9, 0)
    before = opening_time("cohort_start", cohort=world.event, offset_days=-7)
    assert timezone.localtime(before).date() == date(2030, 4, 27)


@pytest.mark.parametrize("anchor", ["cohort_start", "cohort_end"])
def test_opening_after_a_cohort_needs_its_dates(world, anchor):
    with pytest.raises(ScheduleError) as problem:
        opening_time(anchor, cohort=world.event, offset_days=90)
    assert problem.value.field == "cohort"
    assert "Ten-day event" in problem.value.message
    with pytest.raises(ScheduleError) as no_cohort:
        opening_time(anchor, offset_days=90)
    assert no_cohort.value.field == "cohort"


def test_unknown_anchor_is_refused():
    with pytest.raises(ScheduleError):
        opening_time("tomorrow", at=BASE)


# ---------------------------------------------------------------- audience


def emails(survey: Survey, audience: str | None = None) -> set[str]:
    rows = Invitation.objects.filter(survey=survey)
    if audience:
        rows = rows.filter(audience=audience)
    return set(rows.values_list("person__email", flat=True))


def test_invitations_for_the_participants_of_the_cohort_only(world):
    survey = scheduled(world)
    assert sending.ensure_invitations(survey) == 3
    assert emails(survey) == EVENT_PARTICIPANTS
    assert sending.ensure_invitations(survey) == 0, "a second run adds nobody"
    assert Invitation.objects.filter(survey=survey).count() == 3


def test_invitations_programme_wide_without_a_cohort(world):
    module_only = make_person("learner", world.people["peer"].organisation)
    Membership.objects.create(
        person=module_only, programme=world.programme, cohort=world.module, role="participant"
    )
    survey = scheduled(world, cohort=None)
    sending.ensure_invitations(survey)
    assert emails(survey) == EVENT_PARTICIPANTS | {"learner@example.org"}


def test_control_group_kept_and_no_participants_when_not_invited(world):
    survey = scheduled(world, invite_participants=False)
    Invitation.objects.create(survey=survey, person=world.people["outsider"], audience="control")
    assert sending.ensure_invitations(survey) == 0
    assert emails(survey) == {"outsider@example.org"}
    survey.invite_participants = True
    survey.save()
    sending.ensure_invitations(survey)
    assert emails(survey, "control") == {"outsider@example.org"}
    assert emails(survey, "participant") == EVENT_PARTICIPANTS


# ---------------------------------------------------------------- invitations


def test_invitation_sent_once_even_when_run_twice(world):
    survey = scheduled(world)
    first = sending.send_due(survey, now=BASE + timedelta(minutes=5))
    second = sending.send_due(survey, now=BASE + timedelta(minutes=10))
    assert (first.invitations, second.invitations) == (3, 0)
    assert recipients() == dict.fromkeys(EVENT_PARTICIPANTS, 1)
    assert InvitationLink.objects.filter(invitation__survey=survey).count() == 3


def test_nothing_sent_before_opening_or_when_cancelled_or_closed(world):
    survey = scheduled(world)
    assert sending.send_due(survey, now=BASE - timedelta(minutes=1)).invitations == 0
    survey.cancelled_at = BASE
    survey.save()
    assert sending.send_due(survey, now=BASE + timedelta(hours=1)).invitations == 0
    closed = scheduled(world, closes_at=BASE + timedelta(days=1), title="closed")
    assert sending.send_due(closed, now=BASE + timedelta(days=2)).invitations == 0
    assert mail.outbox == []
    assert not Invitation.objects.filter(sent_at__isnull=False).exists()


def test_someone_who_answered_already_is_not_invited(world):
    survey = scheduled(world)
    sending.ensure_invitations(survey)
    Invitation.objects.filter(survey=survey, person=world.people["peer"]).update(submitted_at=BASE)
    assert sending.send_due(survey, now=BASE + timedelta(minutes=1)).invitations == 2
    assert "peer@example.org" not in recipients()


def test_email_in_the_persons_language_with_a_working_personal_link(world, client):
    peer = world.people["peer"]
    peer.languages = ["de", "es"]  # German is not a site language: the first one it speaks
    peer.save()
    closes = timezone.make_aware(datetime(2099, 3, 5, 17, 0))
    survey = make_survey(world, "pulse", closes_at=closes)  # open now: the link must work
    sending.send_due(survey)
    by_person = {message.to[0]: message for message in mail.outbox}
    spanish, english = by_person["peer@example.org"], by_person["participant@example.org"]
    # Greeting and link line come from the project's Spanish catalogue, the closing
    # date from Django's: the whole e-mail was rendered in Spanish.
    assert spanish.body.startswith("Hola Peer Person,")
    assert "Su enlace personal" in spanish.body
    assert english.body.startswith("Hello Participant Person,")
    assert "marzo" in spanish.body and "marzo" not in english.body
    assert "March" in english.body
    assert spanish.subject == f"Reform leaders solicita sus respuestas: {survey.title}"
    assert english.subject == f"Reform leaders asks for your answers: {survey.title}"
    assert "Reform leaders" in english.body and survey.title in english.body
    assert "5 questions" in english.body and "no password" in english.body
    token = link_token(spanish.body, survey)
    invitation = Invitation.for_token(survey.pk, token)
    assert invitation is not None and invitation.person == peer
    path = re.search(r"https?://[^/\s]+(/\S+)", spanish.body).group(1)
    match = resolve(path)
    assert match.view_name == "surveys:answer"
    assert match.kwargs == {"survey_id": survey.pk, "token": token}
    assert Invitation.for_token(survey.pk + 1000, token) is None, "not for another survey"
    page = client.get(path)
    assert page.status_code == 200, "the personal link opens the survey without signing in"


def test_email_falls_back_to_the_site_language(world):
    peer = world.people["peer"]
    peer.languages = ["sw"]
    peer.save()
    assert peer.site_language() == "en"
    peer.languages = ["fr", "es"]
    assert peer.site_language() == "fr"


def test_a_title_with_markup_is_sent_as_plain_text(world):
    survey = scheduled(world, title="Budget & <reform> pulse")
    sending.send_due(survey, now=BASE + timedelta(minutes=1))
    message = mail.outbox[0]
    assert "Budget & <reform> pulse" in message.subject
    assert "Budget & <reform> pulse" in message.body


# ---------------------------------------------------------------- reminders


def invite_all(survey: Survey) -> None:
    assert sending.send_due(survey, now=BASE + timedelta(minutes=2)).invitations == 3
    mail.outbox.clear()


def test_nth_reminder_sent_once_at_its_time_not_before_not_to_responders(world):
    survey = scheduled(world)
    invite_all(survey)
    day = timedelta(days=1)
    assert sending.send_due(survey, now=BASE + 3 * day - timedelta(minutes=1)).reminders == 0
    assert sending.send_due(survey, now=BASE + 3 * day).reminders == 3
    assert sending.send_due(survey, now=BASE + 3 * day + timedelta(hours=1)).reminders == 0
    assert set(Invitation.objects.values_list("reminder_count", flat=True)) == {1}
    Invitation.objects.filter(person=world.people["peer"]).update(submitted_at=BASE + 4 * day)
    assert sending.send_due(survey, now=BASE + 7 * day).reminders == 2
    assert sending.send_due(survey, now=BASE + 9 * day).reminders == 0, "no third reminder"
    assert recipients() == {
        "participant@example.org": 2,
        "module_facilitator@example.org": 2,
        "peer@example.org": 1,  # reminder 1 only: answered before reminder 2
    }
    assert all(m.subject.startswith("Reminder") for m in mail.outbox)
    assert len({link_token(m.body, survey) for m in mail.outbox}) == 5, "a fresh link each time"


def test_catch_up_after_downtime_sends_only_the_latest_reminder(world):
    survey = scheduled(world)
    invite_all(survey)
    result = sending.send_due(survey, now=BASE + timedelta(days=8))
    assert result.reminders == 3
    assert recipients() == dict.fromkeys(EVENT_PARTICIPANTS, 1)
    assert set(Invitation.objects.values_list("reminder_count", flat=True)) == {2}
    assert sending.send_due(survey, now=BASE + timedelta(days=9)).reminders == 0


def test_no_reminders_for_cancelled_or_closed_surveys(world):
    survey = scheduled(world, closes_at=BASE + timedelta(days=5), reminder_days=[3])
    invite_all(survey)
    assert sending.send_due(survey, now=BASE + timedelta(days=6)).reminders == 0, "closed"
    Survey.objects.filter(pk=survey.pk).update(closes_at=None, cancelled_at=BASE + timedelta(1))
    survey.refresh_from_db()
    assert sending.send_due(survey, now=BASE + timedelta(days=6)).reminders == 0, "cancelled"
    assert mail.outbox == []
    assert set(Invitation.objects.values_list("reminder_count", flat=True)) == {0}


def test_someone_invited_late_is_not_reminded_minutes_later(world):
    survey = scheduled(world)
    invite_all(survey)
    late = Invitation.objects.create(
        survey=survey, person=world.people["outsider"], audience="control"
    )
    three_days = BASE + timedelta(days=3)
    result = sending.send_due(survey, now=three_days - timedelta(hours=1))
    assert (result.invitations, result.reminders) == (1, 0)
    assert sending.send_due(survey, now=three_days).reminders == 3
    late.refresh_from_db()
    assert late.reminder_count == 0, "invited an hour before reminder 1: not reminded"
    assert sending.send_due(survey, now=BASE + timedelta(days=7)).reminders == 4
    late.refresh_from_db()
    assert late.reminder_count == 2


# ---------------------------------------------------------------- failures


def test_failed_invitation_is_not_claimed_and_goes_next_time(world, failing_mail):
    survey = scheduled(world)
    result = sending.send_due(survey, now=BASE + timedelta(minutes=1))
    assert result.invitations == 0 and result.error
    assert not Invitation.objects.filter(sent_at__isnull=False).exists()
    assert not InvitationLink.objects.exists(), "the unsent link is gone too"
    failing_mail.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert sending.send_due(survey, now=BASE + timedelta(minutes=6)).invitations == 3
    assert recipients() == dict.fromkeys(EVENT_PARTICIPANTS, 1)


def test_failed_reminder_is_undone_and_goes_next_time(world, settings):
    survey = scheduled(world)
    invite_all(survey)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", unused_port(), 5
    result = sending.send_due(survey, now=BASE + timedelta(days=3))
    assert result.reminders == 0 and "Error" in result.error
    assert set(Invitation.objects.values_list("reminder_count", flat=True)) == {0}
    assert not Invitation.objects.filter(last_reminded_at__isnull=False).exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert sending.send_due(survey, now=BASE + timedelta(days=3, minutes=5)).reminders == 3


# ---------------------------------------------------------------- command


def run_command(*args: str) -> str:
    out = StringIO()
    call_command("send_survey_mail", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_command_sends_and_reports_per_survey(world):
    survey = make_survey(world, "pulse", reminder_days=[3])
    make_survey(world, "pulse", title="Not yet", opens_at=timezone.now() + timedelta(days=1))
    output = run_command()
    assert f"reform-leaders #{survey.pk} {survey.title}: 3 invitations sent / 0 reminders sent" in (
        output
    )
    assert "Not yet" not in output, "only open surveys are listed"
    assert output.strip().endswith("total: 3 invitations sent / 0 reminders sent")
    assert "total: 0 invitations sent / 0 reminders sent" in run_command()
    assert len(mail.outbox) == 3


def test_command_dry_run_lists_without_sending(world):
    survey = make_survey(world, "pulse")
    output = run_command("--dry-run")
    assert f"#{survey.pk}" in output and "3 invitations due / 0 reminders due" in output
    assert mail.outbox == []
    assert not Invitation.objects.exists(), "a dry run writes nothing"


def test_command_for_one_programme(world):
    make_survey(world, "pulse")
    assert "total: 0 invitations sent" in run_command("--programme", "other-network")
    assert mail.outbox == []
    assert "total: 3 invitations sent" in run_command("--programme", "reform-leaders")
    with pytest.raises(CommandError, match="no programme"):
        run_command("--programme", "nowhere")


def test_command_fails_loudly_when_mail_fails(world, failing_mail):
    make_survey(world, "pulse")
    with pytest.raises(CommandError, match="sending failed"):
        run_command()
    assert not Invitation.objects.filter(sent_at__isnull=False).exists()


# ---------------------------------------------------------------- two copies at once


def _crowd(world, n: int) -> None:
    organisation = world.people["peer"].organisation
    for i in range(n):
        person = make_person(f"crowd{i:02d}", organisation, with_user=False)
        Membership.objects.create(
            person=person, programme=world.programme, cohort=world.event, role="participant"
        )


def _run_twice_at_once() -> tuple[list[str], list[str]]:
    """Two copies of the command started together; returns their outputs and failures."""

    def copy() -> tuple[str, str | None]:
        # A copy stopped half-way has already sent (and reported) part of its
        # work: keep its output whether or not it failed.
        out, err = StringIO(), StringIO()
        try:
            call_command("send_survey_mail", stdout=out, stderr=err)
        except Exception as error:  # a stopped copy: judged by tolerated()
            return out.getvalue(), f"{type(error).__name__}: {error}: {err.getvalue()}"
        return out.getvalue(), None

    results, crashed = at_once([copy, copy])
    failures = crashed + [failure for _, failure in results if failure is not None]
    return [output for output, _ in results], failures


def reported(outputs: list[str], kind: str) -> int:
    """E-mails the copies say they sent (their "total:" lines)."""
    found = [re.search(r"total: (\d+) invitations sent / (\d+) reminders sent", o) for o in outputs]
    index = 1 if kind == "invitations" else 2
    return sum(int(m.group(index)) for m in found if m)


@pytest.mark.django_db(transaction=True)
def test_two_commands_at_once_send_each_invitation_and_reminder_once(world):
    _crowd(world, 30)
    survey = make_survey(world, "pulse", reminder_days=[1])
    people = EVENT_PARTICIPANTS | {f"crowd{i:02d}@example.org" for i in range(30)}

    outputs, failures = _run_twice_at_once()
    assert tolerated(failures) == []
    assert len(outputs) == 2
    assert max(recipients().values()) == 1, "nobody invited twice"
    assert reported(outputs, "invitations") == len(mail.outbox), "the copies report what they sent"
    run_command()  # the next cron run finishes anything a stopped copy left
    assert recipients() == dict.fromkeys(people, 1)
    assert Invitation.objects.filter(survey=survey, sent_at__isnull=False).count() == 33

    # Reminder 1 is now due (opened two days ago, everyone invited well before it).
    mail.outbox.clear()
    Survey.objects.filter(pk=survey.pk).update(opens_at=timezone.now() - timedelta(days=2))
    Invitation.objects.update(sent_at=timezone.now() - timedelta(days=2))
    outputs, failures = _run_twice_at_once()
    assert tolerated(failures) == []
    assert max(recipients().values()) == 1, "nobody reminded twice"
    assert reported(outputs, "reminders") == len(mail.outbox)
    run_command()
    assert recipients() == dict.fromkeys(people, 1)
    assert set(Invitation.objects.values_list("reminder_count", flat=True)) == {1}
