"""The session mailer: invitations, reminders, change and cancellation notices."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone
from icalendar import Calendar

from peerlearn.delivery import sending, services
from peerlearn.delivery.models import SessionMail
from peerlearn.programmes.models import GroupMember, Membership
from tests.concurrency import at_once, tolerated
from tests.conftest import make_person
from tests.delivery.conftest import plan

EVENT_PARTICIPANTS = {
    "participant@example.org",
    "peer@example.org",
    "module_facilitator@example.org",
}


def recipients() -> Counter[str]:
    return Counter(address for message in mail.outbox for address in message.to)


def ics(message) -> Calendar:
    (name, content, mimetype) = message.attachments[0]
    assert name == "session.ics"
    return Calendar.from_ical(content)


def event_of(message):
    return next(iter(ics(message).walk("VEVENT")))


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://peerlearn.example.org"


def test_invitation_goes_once_with_a_request_ics(world, site_url):
    (session,) = plan(world)
    first = sending.send_due(session)
    again = sending.send_due(session)
    assert (first.invitations, again.invitations) == (3, 0)
    assert set(recipients()) == EVENT_PARTICIPANTS
    message = mail.outbox[0]
    assert ics(message)["METHOD"] == "REQUEST"
    assert str(event_of(message)["UID"]) == session.ical_uid
    assert int(event_of(message)["SEQUENCE"]) == 0
    assert "https://peerlearn.example.org/programmes/reform-leaders/sessions/" in message.body


def test_group_session_invites_only_the_group(world, site_url):
    (session,) = plan(world, groups=[world.group_a])
    sending.send_due(session)
    assert set(recipients()) == {"participant@example.org"}


def test_someone_joining_mid_programme_is_invited_to_what_is_still_to_come(world, site_url):
    (session,) = plan(world)
    sending.send_due(session)
    late = make_person("latecomer", world.people["participant"].organisation)
    Membership.objects.create(
        person=late, programme=world.programme, cohort=world.event, role="participant"
    )
    mail.outbox.clear()
    assert sending.send_due(session).invitations == 1
    assert set(recipients()) == {"latecomer@example.org"}


def test_no_invitation_before_the_lead_time(world, site_url):
    far = (timezone.now() + timedelta(days=40)).replace(tzinfo=None)
    (session,) = plan(world, start=far)
    assert sending.send_due(session).invitations == 0
    assert not SessionMail.objects.filter(session=session).exists()


def test_reminder_waits_for_the_previous_session_of_the_series_to_end(world, site_url):
    # Daily sessions 14:00-15:30; tomorrow's reminder must not go during today's session.
    start = (timezone.now() + timedelta(days=2)).replace(
        hour=14, minute=0, second=0, microsecond=0, tzinfo=None
    )
    first, second = plan(world, rule="FREQ=DAILY;COUNT=2", start=start)
    invited_at = timezone.now() - timedelta(days=3)
    sending.send_due(second, now=invited_at)
    during_first = first.starts_at + timedelta(minutes=30)  # 23.5 h before the second
    assert sending.send_due(second, now=during_first).reminders == 0
    after_first = first.ends_at + timedelta(minutes=1)
    assert sending.send_due(second, now=after_first).reminders == 3
    assert sending.send_due(second, now=after_first).reminders == 0


def test_a_move_after_the_reminder_sends_a_change_notice_with_a_higher_sequence(world, site_url):
    (session,) = plan(world)
    now = session.starts_at - timedelta(hours=2)
    sending.send_due(session, now=now - timedelta(days=3))  # invitations
    sending.send_due(session, now=now)  # reminders
    mail.outbox.clear()
    services.reschedule(
        session,
        starts_at=session.starts_at + timedelta(hours=3),
        ends_at=session.ends_at + timedelta(hours=3),
        place="Room 4",
        online_link="",
        actor=None,
    )
    result = sending.send_due(session, now=now)
    assert (result.notices, result.reminders, result.invitations) == (3, 0, 0)
    event = event_of(mail.outbox[0])
    assert int(event["SEQUENCE"]) == 1
    assert str(event["UID"]) == session.ical_uid
    assert "Changed:" in mail.outbox[0].subject
    assert sending.send_due(session, now=now).notices == 0


def test_cancellation_tells_only_those_who_were_told(world, site_url):
    (session,) = plan(world)
    sending.send_due(session)
    GroupMember.objects.create(
        group=world.group_b,
        person=make_person("nobody", world.people["participant"].organisation),
    )
    mail.outbox.clear()
    services.cancel(session, actor=None)
    session.refresh_from_db()
    assert sending.send_due(session).notices == 3
    assert ics(mail.outbox[0])["METHOD"] == "CANCEL"
    assert str(event_of(mail.outbox[0])["STATUS"]) == "CANCELLED"
    assert int(event_of(mail.outbox[0])["SEQUENCE"]) == 1
    assert sending.send_due(session).notices == 0


def test_a_failed_send_is_undone_and_retried(world, site_url, settings):
    (session,) = plan(world)
    settings.EMAIL_BACKEND = "tests.delivery.test_sending.RefusingBackend"
    result = sending.send_due(session)
    assert result.error and result.invitations == 0
    assert not SessionMail.objects.filter(session=session, invited_at__isnull=False).exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert sending.send_due(session).invitations == 3


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        return False

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def _send_once() -> str:
    """One run of the command; a failed run raises with what it wrote to stderr.

    The command reports a refused session on stderr and then fails as a whole,
    so the failure carries the cause (on SQLite's shared-cache test database,
    "table is locked", which :func:`tolerated` drops).
    """
    out, err = StringIO(), StringIO()
    try:
        call_command("send_session_mail", stdout=out, stderr=err)
    except CommandError as error:
        raise CommandError(f"{error}: {err.getvalue()}") from error
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_two_commands_at_once_send_each_invitation_once(world, site_url):
    org = world.people["participant"].organisation
    for i in range(30):
        person = make_person(f"crowd{i:02d}", org, with_user=False)
        Membership.objects.create(
            person=person, programme=world.programme, cohort=world.event, role="participant"
        )
    plan(world)
    outputs, failures = at_once([_send_once, _send_once])
    assert tolerated(failures) == []
    call_command("send_session_mail", stdout=StringIO())  # what a stopped copy left
    expected = EVENT_PARTICIPANTS | {f"crowd{i:02d}@example.org" for i in range(30)}
    assert recipients() == Counter(expected)
    reported = sum(
        int(m.group(1)) for o in outputs if (m := re.search(r"total: (\d+) invitations", o))
    )
    assert reported <= len(expected)


class FailsOnThirdBackend(RefusingBackend):
    """Sends two e-mails to the locmem outbox, then refuses."""

    def send_messages(self, messages):
        if len(mail.outbox) >= 2:
            raise ConnectionRefusedError("mail server down")
        mail.outbox.extend(messages)
        return len(messages)


def test_a_failure_mid_batch_keeps_what_went_and_retries_only_the_rest(world, site_url, settings):
    (session,) = plan(world)
    settings.EMAIL_BACKEND = "tests.delivery.test_sending.FailsOnThirdBackend"
    result = sending.send_due(session)
    assert result.error and result.invitations == 2
    assert SessionMail.objects.filter(session=session, invited_at__isnull=False).count() == 2
    first_two = set(recipients())
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert sending.send_due(session).invitations == 1
    assert set(recipients()) == EVENT_PARTICIPANTS
    assert len(first_two) == 2


def test_e_mails_are_plain_text_not_html_escaped(world, site_url):
    (session,) = plan(world, title="Budgets & teams <draft>")
    sending.send_due(session)
    message = mail.outbox[0]
    assert "Budgets & teams <draft>" in message.subject
    assert "Budgets & teams <draft>" in message.body
    assert message.body.startswith("Dear ")


def test_e_mails_are_in_the_persons_language(world, site_url):
    peer = world.people["peer"]
    peer.languages = ["fr"]
    peer.save()
    (session,) = plan(world)
    sending.send_due(session)
    french = next(m for m in mail.outbox if m.to == ["peer@example.org"])
    english = next(m for m in mail.outbox if m.to == ["participant@example.org"])
    assert french.subject.startswith("Invitation : ")
    assert french.body.startswith("Bonjour ")
    assert english.subject.startswith("Invitation: ")


def _three_sessions_tomorrow(world):
    """The plenary and the sessions of groups A and B, 20 hours from now, invitations sent."""
    start = (timezone.now() + timedelta(hours=20)).replace(tzinfo=None, microsecond=0)
    sessions = [
        *plan(world, start=start),
        *plan(world, title="Group A work", groups=[world.group_a], start=start),
        *plan(world, title="Group B work", groups=[world.group_b], start=start),
    ]
    SessionMail.objects.all().delete()
    for session in sessions:
        sending.ensure_rows(session)
    SessionMail.objects.update(invited_at=timezone.now() - timedelta(days=3), informed_sequence=0)
    mail.outbox.clear()
    return sessions


def test_reminders_of_a_days_sessions_are_claimed_together_and_go_once(world, site_url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plenary, group_a, group_b = _three_sessions_tomorrow(world)
    with CaptureQueriesContext(connection) as captured:
        results = dict(sending.send_all_due())
    assert {s.pk: r.reminders for s, r in results.items()} == {
        plenary.pk: 3,
        group_a.pk: 1,
        group_b.pk: 1,
    }
    assert recipients() == Counter(
        {"participant@example.org": 2, "peer@example.org": 2, "module_facilitator@example.org": 1}
    )
    # one claiming UPDATE for the three sessions, not one per session
    updates = [q for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert all(r.reminders == 0 for _s, r in sending.send_all_due())


def test_a_failure_among_a_days_reminders_keeps_what_went_and_retries_the_rest(
    world, site_url, settings
):
    _three_sessions_tomorrow(world)
    settings.EMAIL_BACKEND = "tests.delivery.test_sending.FailsOnThirdBackend"
    results = sending.send_all_due()
    assert sum(r.reminders for _s, r in results) == 2
    assert [r.error for _s, r in results if r.error] != []
    assert SessionMail.objects.filter(reminded_at__isnull=False).count() == 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert sum(r.reminders for _s, r in sending.send_all_due()) == 3
    assert SessionMail.objects.filter(reminded_at__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_commands_at_once_send_each_reminder_once(world, site_url):
    org = world.people["participant"].organisation
    for i in range(30):
        person = make_person(f"crowd{i:02d}", org, with_user=False)
        Membership.objects.create(
            person=person, programme=world.programme, cohort=world.event, role="participant"
        )
    _three_sessions_tomorrow(world)
    outputs, failures = at_once([_send_once, _send_once])
    assert tolerated(failures) == []
    call_command("send_session_mail", stdout=StringIO())  # what a stopped copy left
    crowd = Counter({f"crowd{i:02d}@example.org": 1 for i in range(30)})
    assert recipients() == crowd + Counter(
        {"participant@example.org": 2, "peer@example.org": 2, "module_facilitator@example.org": 1}
    )
    reported = sum(int(m.group(1)) for o in outputs if (m := re.search(r"(\d+) reminders", o)))
    assert reported <= 35
