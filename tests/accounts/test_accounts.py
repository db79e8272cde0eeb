"""Signing in: passwords for facilitators, single-use e-mailed links for peers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peerlearn.accounts.models import SignInLink, User
from peerlearn.people.models import Person
from tests.conftest import PASSWORD


def link_from(message) -> str:
    match = re.search(r"https?://\S+/accounts/link/(\S+)/", message.body)
    assert match, message.body
    return reverse("accounts:link", args=[match.group(1)])


def test_password_sign_in_with_any_case_email(world, client):
    response = client.post(
        reverse("accounts:login"), {"username": "FACILITATOR@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("programmes:list")).status_code == 200


def test_wrong_password_is_refused(world, client):
    response = client.post(
        reverse("accounts:login"), {"username": "facilitator@example.org", "password": "nope"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_invitation_link_signs_in_once(world, login, client):
    newcomer = Person.objects.create(
        name="Nadia Haddad", email="nadia@example.org", languages=["fr"]
    )
    world.programme.memberships.create(person=newcomer, role="participant")
    facilitator = login(world.users["facilitator"])
    facilitator.post(reverse("people:invite_one", args=[world.programme.slug, newcomer.pk]))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nadia@example.org"]
    assert "Bonjour" in message.body or "Reform leaders" in message.subject  # French when available
    url = link_from(message)
    facilitator.logout()
    assert client.get(url).status_code == 200  # a GET only shows the button
    assert client.post(url).status_code == 302
    assert client.get(reverse("people:me")).status_code == 200
    client.logout()
    assert client.post(url).status_code == 410, "a link works once"
    newcomer.refresh_from_db()
    assert newcomer.user is not None and newcomer.invited_at is not None


def test_expired_link_is_refused(world, client):
    token = SignInLink.issue(world.users["participant"])
    SignInLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.post(reverse("accounts:link", args=[token])).status_code == 410
    assert "_auth_user_id" not in client.session


def test_tampered_link_is_refused(world, client):
    token = SignInLink.issue(world.users["participant"])
    assert client.post(reverse("accounts:link", args=[token[:-2] + "xx"])).status_code == 410


def test_only_a_hash_of_the_token_is_stored(world):
    token = SignInLink.issue(world.users["participant"])
    assert not SignInLink.objects.filter(token_hash=token).exists()


def test_link_request_does_not_reveal_membership(world, client):
    known = client.post(
        reverse("accounts:link_request"), {"email": "participant@example.org"}, follow=True
    )
    unknown = client.post(
        reverse("accounts:link_request"), {"email": "nobody@example.org"}, follow=True
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["participant@example.org"]
    message = "If this address is in our network"
    assert message in known.content.decode() and message in unknown.content.decode()


def test_invite_everyone_not_yet_invited(world, login):
    facilitator = login(world.users["facilitator"])
    facilitator.post(reverse("people:invite", args=[world.programme.slug]), {"who": "not_invited"})
    first = len(mail.outbox)
    assert first == Person.objects.filter(memberships__programme=world.programme).distinct().count()
    facilitator.post(reverse("people:invite", args=[world.programme.slug]), {"who": "not_invited"})
    assert len(mail.outbox) == first, "nobody is invited twice by 'not invited yet'"


@pytest.mark.parametrize("language,greeting", [("es", "Hola"), ("fr", "Bonjour"), ("en", "Hello")])
def test_invitation_in_the_persons_language(world, language, greeting):
    from peerlearn.people.invitations import send_sign_in_link

    person = Person.objects.create(
        name="Ana", email=f"ana-{language}@example.org", languages=[language]
    )
    send_sign_in_link(person)
    assert greeting in mail.outbox[-1].body


def test_user_email_is_normalised():
    user = User(email="  Mixed@Example.ORG ")
    assert user.email.strip().lower() == "mixed@example.org"


def test_sign_out_needs_a_post_and_ends_the_session(world, login):
    client = login(world.users["participant"])
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("programmes:list")).status_code == 302
