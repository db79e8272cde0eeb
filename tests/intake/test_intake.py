"""Intake: the personal link, versions, deadline, on-behalf entry, invitations and reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from peerlearn.intake import services, tasks
from peerlearn.intake.models import (
    Challenge,
    IntakeInvitation,
    IntakeSettings,
    IntakeToken,
    IntakeVersion,
    LearningExpectation,
)

ANSWERS = {
    "n_challenges": "5",
    "n_expectations": "2",
    "challenge_1": "Getting other agencies on board",
    "challenge_2": "Managing a difficult political principal",
    "challenge_3": "Building a team for the new land agency",
    "challenge_4": "",
    "challenge_5": "",
    "expectation_1": "How peers handled ministers",
    "expectation_2": "",
}


def link(world, key="peer"):
    invitation = services.invitation_for(world.people[key], world.programme)
    return invitation, reverse("intake:answer", args=[invitation.issue_token()])


def set_deadline(world, delta):
    IntakeSettings.objects.update_or_create(
        programme=world.programme, defaults={"deadline": timezone.now() + delta}
    )


def texts(model, world, key="peer"):
    rows = model.objects.filter(person=world.people[key], programme=world.programme)
    return list(rows.order_by("position").values_list("text", flat=True))


def test_link_shows_the_form_without_signing_in(world, client):
    _invitation, url = link(world)
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Challenge 3 *" in body and "csrfmiddlewaretoken" in body
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert "_auth_user_id" not in client.session


def test_submission_saves_challenges_expectations_and_a_version(world, client):
    invitation, url = link(world)
    response = client.post(url, ANSWERS)
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert texts(Challenge, world) == [ANSWERS[f"challenge_{i}"] for i in (1, 2, 3)]
    assert texts(LearningExpectation, world) == ["How peers handled ministers"]
    version = IntakeVersion.objects.get(invitation=invitation)
    assert version.number == 1 and not version.on_behalf
    assert version.entered_by == world.people["peer"]
    assert version.challenges[0] == "Getting other agencies on board"
    invitation.refresh_from_db()
    assert invitation.submitted_at is not None


def test_too_few_challenges_is_refused_and_nothing_saved(world, client):
    _invitation, url = link(world)
    response = client.post(url, {**ANSWERS, "challenge_3": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert texts(Challenge, world) == []
    assert not IntakeVersion.objects.exists()


def test_fewer_required_when_the_programme_asks_fewer(world, client):
    world.programme.min_challenges = 1
    world.programme.save()
    _invitation, url = link(world)
    response = client.post(url, {"challenge_1": "One problem", "expectation_1": "Learn"})
    assert "Thank you" in response.content.decode()
    assert texts(Challenge, world) == ["One problem"]


def test_too_long_challenge_is_refused(world, client):
    _invitation, url = link(world)
    response = client.post(url, {**ANSWERS, "challenge_2": "x" * 2001})
    assert "at most 2000 characters" in response.content.decode()
    assert texts(Challenge, world) == []


def test_second_use_before_deadline_is_prefilled_and_versioned(world, client):
    set_deadline(world, timedelta(days=2))
    invitation, url = link(world)
    client.post(url, ANSWERS)
    body = client.get(url).content.decode()
    assert "Getting other agencies on board" in body, "pre-filled with the latest answers"
    assert "Already answered" in body
    client.post(url, {**ANSWERS, "challenge_1": "Creating a new entity", "challenge_4": "More"})
    assert texts(Challenge, world)[0] == "Creating a new entity"
    assert texts(Challenge, world)[-1] == "More"
    versions = list(invitation.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].challenges[0] == "Getting other agencies on board", "earlier answers kept"
    assert versions[1].challenges[0] == "Creating a new entity"


def test_edits_keep_challenge_rows_and_tags(world, client):
    invitation, url = link(world)
    client.post(url, ANSWERS)
    first = Challenge.objects.get(person=world.people["peer"], position=1)
    first.tags = ["teams"]
    first.save()
    client.post(url, {**ANSWERS, "challenge_3": ""} | {"challenge_3": "Changed third"})
    first.refresh_from_db()
    assert first.tags == ["teams"]
    assert texts(Challenge, world)[2] == "Changed third"


def test_after_deadline_the_link_refuses_and_answers_are_untouched(world, client):
    invitation, url = link(world)
    client.post(url, ANSWERS)
    set_deadline(world, -timedelta(minutes=1))
    response = client.get(url)
    assert response.status_code == 410
    assert "intake is closed" in response.content.decode()
    assert "earlier answers are kept" in response.content.decode()
    response = client.post(url, {**ANSWERS, "challenge_1": "Too late"})
    assert response.status_code == 410
    assert texts(Challenge, world)[0] == "Getting other agencies on board"
    assert invitation.versions.count() == 1


@pytest.mark.parametrize(
    "mangle", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: "x"]
)
def test_tampered_or_unknown_token(world, client, mangle):
    invitation = services.invitation_for(world.people["peer"], world.programme)
    token = invitation.issue_token()
    url = reverse("intake:answer", args=[mangle(token)])
    for response in (client.get(url), client.post(url, ANSWERS)):
        assert response.status_code == 404
        assert "not recognised" in response.content.decode()
    assert texts(Challenge, world) == []


def test_only_a_hash_of_the_token_is_stored(world):
    invitation = services.invitation_for(world.people["peer"], world.programme)
    token = invitation.issue_token()
    stored = IntakeToken.objects.get(invitation=invitation).token_hash
    assert token not in stored and len(stored) == 64


def test_link_submission_needs_csrf(world):
    from django.test import Client

    _invitation, url = link(world)
    response = Client(enforce_csrf_checks=True).post(url, ANSWERS)
    assert response.status_code == 403
    assert texts(Challenge, world) == []


def test_facilitator_enters_answers_on_behalf(world, login):
    client = login(world.users["facilitator"])
    url = reverse("intake:on_behalf", args=[world.programme.slug, world.people["peer"].pk])
    assert "recorded with your name" in client.get(url).content.decode()
    response = client.post(url, ANSWERS)
    assert response.status_code == 302
    version = IntakeVersion.objects.get(invitation__person=world.people["peer"])
    assert version.on_behalf and version.entered_by == world.people["facilitator"]
    assert texts(Challenge, world)[1] == "Managing a difficult political principal"
    history = client.get(response["Location"]).content.decode()
    assert "entered on behalf by Facilitator Person" in history
    status = client.get(reverse("intake:status", args=[world.programme.slug])).content.decode()
    assert "on behalf" in status


def test_on_behalf_only_for_people_asked(world, login):
    client = login(world.users["facilitator"])
    url = reverse("intake:on_behalf", args=[world.programme.slug, world.people["outsider"].pk])
    assert client.get(url).status_code == 404


def test_versions_keep_answers_from_link_and_on_behalf(world, login, client):
    invitation, url = link(world)
    client.post(url, ANSWERS)
    services.save_answers(
        invitation,
        ["A", "B", "C"],
        ["D"],
        entered_by=world.people["facilitator"],
        on_behalf=True,
    )
    first, second = invitation.versions.order_by("number")
    assert first.challenges == [ANSWERS[f"challenge_{i}"] for i in (1, 2, 3)]
    assert second.challenges == ["A", "B", "C"] and second.on_behalf
    assert texts(Challenge, world) == ["A", "B", "C"]


# The snapshot of edits made on the peer's own page: tests/intake/test_answer_writes.py


# ------------------------------------------------------------------ status page


def test_status_counts_answered(world, login, client):
    _invitation, url = link(world)
    client.post(url, ANSWERS)
    body = (
        login(world.users["facilitator"])
        .get(reverse("intake:status", args=[world.programme.slug]))
        .content.decode()
    )
    assert "1 of 3 people have answered" in body
    assert "Peer Person" in body and "Participant Person" in body


def test_settings_update(world, login):
    client = login(world.users["facilitator"])
    response = client.post(
        reverse("intake:settings", args=[world.programme.slug]),
        {"deadline": "2031-05-01T12:30", "is_private": ""},
    )
    assert response.status_code == 302
    intake = IntakeSettings.objects.get(programme=world.programme)
    assert intake.deadline.year == 2031 and not intake.is_private


# ------------------------------------------------------------------ e-mail


def test_invitations_are_sent_once_in_the_persons_language(world, login):
    world.people["peer"].languages = ["fr", "en"]
    world.people["peer"].save()
    client = login(world.users["facilitator"])
    url = reverse("intake:invite", args=[world.programme.slug])
    response = client.post(url, follow=True)
    assert "3 invitations sent" in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "module_facilitator@example.org",
        "participant@example.org",
        "peer@example.org",
    ]
    message = next(m for m in mail.outbox if m.to == ["peer@example.org"])
    assert "Reform leaders" in message.subject and "/intake/" in message.body
    assert world.people["peer"].site_language() == "fr"
    client.post(url)
    assert len(mail.outbox) == 3, "a second click invites nobody twice"


def test_link_from_the_email_opens_the_form(world, client):
    services.invite_all(world.programme.pk)
    message = next(m for m in mail.outbox if m.to == ["peer@example.org"])
    path = next(line for line in message.body.splitlines() if "/intake/" in line)
    path = path.strip().split("8000", 1)[-1]
    response = client.get(path)
    assert response.status_code == 200 and "Peer Person" in response.content.decode()


def _invited_long_ago(world):
    services.invite_all(world.programme.pk)
    mail.outbox.clear()
    IntakeInvitation.objects.update(sent_at=timezone.now() - timedelta(hours=1))


def test_reminder_not_double_sent(world):
    _invited_long_ago(world)
    assert services.remind_all(world.programme.pk) == 3
    assert services.remind_all(world.programme.pk) == 0
    assert len(mail.outbox) == 3
    assert all(i.reminder_count == 1 for i in IntakeInvitation.objects.all())
    assert all(i.last_reminded_at is not None for i in IntakeInvitation.objects.all())


def test_reminder_race_on_one_row(world):
    _invited_long_ago(world)
    invitation = IntakeInvitation.objects.get(person=world.people["peer"])
    stale = IntakeInvitation.objects.get(pk=invitation.pk)  # a second process's copy
    assert services.send_reminder(invitation) is True
    assert services.send_reminder(stale) is False
    assert len(mail.outbox) == 1


def test_reminder_again_after_the_interval(world):
    _invited_long_ago(world)
    invitation = IntakeInvitation.objects.get(person=world.people["peer"])
    services.send_reminder(invitation)
    later = timezone.now() + timedelta(minutes=2)
    assert services.send_reminder(invitation, now=later) is True
    invitation.refresh_from_db()
    assert invitation.reminder_count == 2


def test_reminders_skip_people_who_answered(world, client):
    _invited_long_ago(world)
    invitation = IntakeInvitation.objects.get(person=world.people["peer"])
    client.post(reverse("intake:answer", args=[invitation.issue_token()]), ANSWERS)
    assert services.remind_all(world.programme.pk) == 2
    assert "peer@example.org" not in [m.to[0] for m in mail.outbox]


def test_no_reminders_after_deadline(world):
    _invited_long_ago(world)
    set_deadline(world, -timedelta(minutes=1))
    assert services.remind_all(world.programme.pk) == 0
    assert mail.outbox == []


def test_remind_button_runs_the_task(world, login):
    _invited_long_ago(world)
    client = login(world.users["facilitator"])
    url = reverse("intake:remind", args=[world.programme.slug])
    assert "3 reminders sent" in client.post(url, follow=True).content.decode()
    body = client.post(url, follow=True).content.decode()
    assert "0 reminders sent" in body
    assert len(mail.outbox) == 3
    assert "last " in body


def test_task_enqueue_returns_the_count(world):
    _invited_long_ago(world)
    result = tasks.send_intake_reminders.enqueue(world.programme.pk)
    assert result.return_value == 3


def test_command_is_idempotent(world, capsys):
    _invited_long_ago(world)
    IntakeInvitation.objects.update(sent_at=timezone.now() - timedelta(days=2))
    call_command("send_intake_reminders")
    call_command("send_intake_reminders", "--programme", world.programme.slug)
    out = capsys.readouterr().out
    assert "reform-leaders: 3 reminders sent" in out
    assert "reform-leaders: 0 reminders sent" in out
    assert len(mail.outbox) == 3


def test_command_waits_a_day_after_the_invitation(world, capsys):
    _invited_long_ago(world)  # one hour ago
    call_command("send_intake_reminders")
    assert mail.outbox == []


# ------------------------------------------------------------------ privacy


def test_private_answers_hidden_from_evaluator(world, login, client):
    _invitation, url = link(world)
    client.post(url, ANSWERS)
    evaluator = login(world.users["evaluator"])
    status = evaluator.get(reverse("intake:status", args=[world.programme.slug]))
    assert status.status_code == 200
    body = status.content.decode()
    assert "1 of 3 people have answered" in body
    assert "Getting other agencies" not in body
    person_url = reverse("intake:person", args=[world.programme.slug, world.people["peer"].pk])
    assert evaluator.get(person_url).status_code == 403
    IntakeSettings.objects.filter(programme=world.programme).update(is_private=False)
    IntakeSettings.objects.get_or_create(programme=world.programme, defaults={"is_private": False})
    response = evaluator.get(person_url)
    assert response.status_code == 200
    assert "Getting other agencies on board" in response.content.decode()


def test_participant_never_sees_others_answers(world, login, client):
    IntakeSettings.objects.create(programme=world.programme, is_private=False)
    _invitation, url = link(world)
    client.post(url, ANSWERS)
    participant = login(world.users["participant"])
    person_url = reverse("intake:person", args=[world.programme.slug, world.people["peer"].pk])
    assert participant.get(person_url).status_code == 403
    assert participant.get(reverse("intake:status", args=[world.programme.slug])).status_code == 403
