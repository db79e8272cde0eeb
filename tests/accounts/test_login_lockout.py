"""Password sign-in is locked per address and client after repeated failures (django-axes)."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from django.test import override_settings
from django.urls import reverse

from tests.conftest import PASSWORD

LOGIN = "accounts:login"


def sign_in(client, password: str, email: str = "facilitator@example.org", **extra):
    return client.post(reverse(LOGIN), {"username": email, "password": password}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_sixty_wrong_passwords_then_the_right_one_is_refused(world, client):
    for _ in range(60):
        sign_in(client, "wrong")
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    assert "Sign-in paused" in response.content.decode()


def test_lockout_counts_the_address_in_any_case(world, client):
    for attempt in range(5):
        sign_in(
            client,
            "wrong",
            email="FACILITATOR@example.org" if attempt % 2 else "facilitator@example.org",
        )
    assert sign_in(client, PASSWORD).status_code == 429
    assert not signed_in(client)


def test_fewer_failures_than_the_limit_still_sign_in(world, client):
    for _ in range(4):
        assert sign_in(client, "wrong").status_code == 200
    assert sign_in(client, PASSWORD).status_code == 302
    assert signed_in(client)


@override_settings(AXES_FAILURE_LIMIT=2)
def test_the_limit_is_a_setting(world, client):
    sign_in(client, "wrong")
    sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 429


def test_after_the_cool_off_the_right_password_works(world, client, settings):
    for _ in range(10):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 429
    past = timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES, seconds=1)
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= past
        attempt.save()
    assert sign_in(client, PASSWORD).status_code == 302
    assert signed_in(client)


def test_lockout_is_per_client_address(world, client):
    for _ in range(10):
        sign_in(client, "wrong", REMOTE_ADDR="203.0.113.9")
    assert sign_in(client, PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 429
    assert sign_in(client, PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_lockout_page_is_translated(world, client):
    for _ in range(6):
        sign_in(client, "wrong")
    response = sign_in(client, PASSWORD, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 429
    assert "Connexion suspendue" in response.content.decode()


def test_failed_attempts_do_not_keep_the_password(world, client):
    sign_in(client, "my-secret-guess")
    (attempt,) = AccessAttempt.objects.all()
    assert attempt.username == "facilitator@example.org"
    assert "my-secret-guess" not in attempt.post_data + attempt.get_data
