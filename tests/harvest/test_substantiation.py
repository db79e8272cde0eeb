"""Substantiation by personal link: hashed token, one answer, clear refusals, nothing written."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peerlearn.accounts.models import hash_token
from peerlearn.audit.models import AuditEvent
from peerlearn.harvest.models import Substantiation, verification_status
from tests.harvest.conftest import ask, make_story


def _ask_by_page(world, login, capture, story):
    client = login(world.users["facilitator"])
    with capture(execute=True):
        response = client.post(
            reverse("harvest:substantiator_add", args=[world.programme.slug, story.pk]),
            {"name": "Amina Wanjiru", "email": "amina@example.org"},
        )
    assert response.status_code == 302
    return client


def _token_from(message) -> str:
    found = re.search(r"/substantiate/([^/\s]+)/", message.body)
    assert found, message.body
    return found.group(1)


def test_link_is_stored_as_a_hash_only(world, login, django_capture_on_commit_callbacks):
    story = make_story(world)
    _ask_by_page(world, login, django_capture_on_commit_callbacks, story)
    assert [m.to for m in mail.outbox] == [["amina@example.org"]]
    token = _token_from(mail.outbox[0])
    item = Substantiation.objects.get(story=story)
    assert item.token_hash == hash_token(token) and token not in item.token_hash
    assert item.sent_at is not None and item.expires_at > timezone.now() + timedelta(days=29)
    assert AuditEvent.objects.filter(action="story.substantiation_requested").count() == 1


def test_answer_is_written_once_and_a_reused_link_writes_nothing(client, world):
    story = make_story(world)
    item, token = ask(story)
    link = reverse("harvest:substantiate", args=[token])
    page = client.get(link)
    assert page.status_code == 200 and story.description in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"
    answered = client.post(link, {"answer": "full", "comment": "I saw the reports."})
    assert answered.status_code == 200 and "is recorded" in answered.content.decode()
    item.refresh_from_db()
    assert (item.answer, item.comment) == ("full", "I saw the reports.")
    assert story.verification == "substantiated"
    again = client.post(link, {"answer": "not", "comment": "Changed my mind"})
    assert again.status_code == 410
    assert "already used" in again.content.decode()
    item.refresh_from_db()
    assert (item.answer, item.comment) == ("full", "I saw the reports.")
    assert AuditEvent.objects.filter(action="story.substantiated").count() == 1


def test_tampered_link_is_refused_and_writes_nothing(client, world):
    story = make_story(world)
    item, token = ask(story)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = client.post(
        reverse("harvest:substantiate", args=[tampered]), {"answer": "not", "comment": "x"}
    )
    assert response.status_code == 404
    assert "not recognised" in response.content.decode()
    item.refresh_from_db()
    assert item.answer == "" and item.answered_at is None
    assert not AuditEvent.objects.filter(action="story.substantiated").exists()


def test_expired_link_is_refused(client, world):
    item, token = ask(make_story(world))
    Substantiation.objects.filter(pk=item.pk).update(expires_at=timezone.now())
    response = client.post(reverse("harvest:substantiate", args=[token]), {"answer": "full"})
    assert response.status_code == 410 and "expired" in response.content.decode()
    item.refresh_from_db()
    assert item.answered_at is None


def test_a_new_link_replaces_the_old_one(client, world):
    item, old = ask(make_story(world))
    new = item.issue_token()
    assert client.get(reverse("harvest:substantiate", args=[old])).status_code == 404
    assert client.get(reverse("harvest:substantiate", args=[new])).status_code == 200


def test_no_new_link_for_an_answered_question(world):
    item, token = ask(make_story(world))
    assert item.redeem(token, "partly", "")
    assert item.issue_token() == ""
    item.refresh_from_db()
    assert item.token_hash == hash_token(token)


def test_answer_without_a_choice_is_refused_and_nothing_written(client, world):
    item, token = ask(make_story(world))
    response = client.post(reverse("harvest:substantiate", args=[token]), {"comment": "Hm"})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    item.refresh_from_db()
    assert item.answered_at is None


def test_status_follows_the_answers(world):
    story = make_story(world)
    assert story.verification == "unverified"
    first, t1 = ask(story)
    second, t2 = ask(story, name="B", email="b@example.org")
    assert first.redeem(t1, "full", "")
    assert story.verification == "substantiated"
    assert second.redeem(t2, "not", "It was the donor's project")
    assert story.verification == "disputed"
    assert verification_status(["partly"]) == "partly"


def test_e_mail_is_in_the_askers_language(world, login, django_capture_on_commit_callbacks):
    story = make_story(world)
    client = login(world.users["facilitator"])
    client.cookies["django_language"] = "fr"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("harvest:substantiator_add", args=[world.programme.slug, story.pk]),
            {"name": "Awa", "email": "awa@example.org"},
            headers={"accept-language": "fr"},
        )
    assert Substantiation.objects.get().language == "fr"
    assert "Pouvez-vous" in mail.outbox[0].subject
