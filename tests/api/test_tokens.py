"""API tokens: stored hashed, shown once, scoped, expiring, revocable, audited."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from peerlearn.api.models import ApiToken, hash_secret
from peerlearn.audit.models import AuditEvent
from tests.api.conftest import token_for

PROGRAMMES = "/api/v1/programmes/"


def client_with(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    return client


def test_only_the_hash_of_a_token_is_stored(world):
    token, secret = ApiToken.issue(world.users["facilitator"], "BI")
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret.startswith("pl_") and len(secret) > 40
    assert stored.token_hash == hash_secret(secret)
    assert secret not in {stored.token_hash, stored.hint, stored.name}
    assert secret.startswith(stored.hint)


@pytest.mark.parametrize("keyword", ["Token", "Bearer", "bearer"])
def test_token_and_bearer_are_both_accepted(world, keyword):
    secret = token_for(world.users["evaluator"])
    response = client_with(f"{keyword} {secret}").get(PROGRAMMES)
    assert response.status_code == 200
    assert [p["slug"] for p in response.json()["results"]] == ["reform-leaders"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"revoked_at": timezone.now()}, "token_revoked"),
        ({"expires_at": timezone.now() - timedelta(seconds=1)}, "token_expired"),
    ],
)
def test_revoked_and_expired_tokens_are_refused_with_their_reason(world, change, code):
    token, secret = ApiToken.issue(world.users["facilitator"], "old", scope="write")
    ApiToken.objects.filter(pk=token.pk).update(**change)
    for method in ("get", "post"):
        response = getattr(client_with(f"Token {secret}"), method)(PROGRAMMES)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == code
        assert response.json()["error"]["status"] == 401


def test_unknown_and_malformed_tokens_are_401(world):
    unknown = client_with("Token pl_nothing").get(PROGRAMMES)
    assert unknown.json()["error"]["code"] == "token_unknown"
    malformed = client_with("Token two words").get(PROGRAMMES)
    assert malformed.json()["error"]["code"] == "token_malformed"
    nothing = APIClient().get(PROGRAMMES)
    assert nothing.status_code == 401
    assert nothing.json()["error"]["code"] == "not_authenticated"


def test_a_token_of_a_deactivated_account_is_refused(world):
    secret = token_for(world.users["participant"])
    world.users["participant"].is_active = False
    world.users["participant"].save()
    assert client_with(f"Token {secret}").get(PROGRAMMES).status_code == 401


def test_a_read_only_token_cannot_write(world):
    secret = token_for(world.users["facilitator"], scope="read")
    url = f"/api/v1/programmes/{world.programme.slug}/cohorts/"
    response = client_with(f"Token {secret}").post(url, {"name": "New"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "read_only_token"
    assert not world.programme.cohorts.filter(name="New").exists()


def test_a_programme_token_sees_no_other_programme(world):
    user = world.users["facilitator"]
    from peerlearn.programmes.models import Membership

    Membership.objects.create(
        person=world.people["facilitator"], programme=world.other_programme, role="facilitator"
    )
    secret = token_for(user, programme=world.programme)
    client = client_with(f"Token {secret}")
    listed = client.get(PROGRAMMES).json()["results"]
    assert [p["slug"] for p in listed] == [world.programme.slug]
    for path in ("", "people/", "cohorts/"):
        response = client.get(f"/api/v1/programmes/{world.other_programme.slug}/{path}")
        assert response.status_code == 404, path
    written = client.post(
        f"/api/v1/programmes/{world.other_programme.slug}/cohorts/",
        {"name": "Sneaky"},
        format="json",
    )
    assert written.status_code == 404
    # The same user with an all-programmes token does see it.
    every = client_with(f"Token {token_for(user)}")
    assert every.get(f"/api/v1/programmes/{world.other_programme.slug}/").status_code == 200


def test_uses_are_recorded_at_most_once_a_minute(world):
    token, secret = ApiToken.issue(world.users["evaluator"], "poller")
    client = client_with(f"Token {secret}")
    for _ in range(5):
        assert client.get(PROGRAMMES).status_code == 200
    events = AuditEvent.objects.filter(action="api.token_used", target_id=str(token.pk))
    assert events.count() == 1
    assert events.get().actor == world.users["evaluator"]
    token.refresh_from_db()
    assert token.last_used_at is not None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    client.get(PROGRAMMES)
    assert events.count() == 2


def test_command_prints_the_token_alone_on_its_last_line(world):
    out, err = StringIO(), StringIO()
    call_command(
        "create_api_token",
        world.users["evaluator"].email,
        "--programme",
        world.programme.slug,
        "--read-only",
        stdout=out,
        stderr=err,
    )
    secret = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get(token_hash=hash_secret(secret))
    assert token.read_only and token.programme == world.programme
    assert client_with(f"Token {secret}").get(PROGRAMMES).status_code == 200
    assert AuditEvent.objects.filter(action="api.token_create", target_id=str(token.pk)).exists()


def test_command_refuses_unknown_users_and_programmes(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No active account"):
        call_command("create_api_token", "nobody@example.org", stdout=StringIO())
    with pytest.raises(CommandError, match="No programme"):
        call_command(
            "create_api_token",
            world.users["evaluator"].email,
            "--programme",
            "nope",
            stdout=StringIO(),
        )


def test_token_page_makes_shows_once_lists_and_revokes(world, login):
    client = login(world.users["participant"])
    page = reverse("api:tokens")
    assert client.get(page).status_code == 200
    made = client.post(
        page,
        {"name": "My script", "scope": "read", "programme": world.programme.pk, "expires": "30"},
    )
    assert made.status_code == 200
    token = ApiToken.objects.get(user=world.users["participant"])
    secret = made.context["secret"]
    assert hash_secret(secret) == token.token_hash
    assert secret in made.content.decode()
    assert token.expires_at is not None and token.programme == world.programme
    again = client.get(page).content.decode()
    assert secret not in again and "My script" in again and token.hint in again
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="api.token_revoke").count() == 1


def test_nobody_revokes_someone_elses_token(world, login):
    token, _secret = ApiToken.issue(world.users["facilitator"], "mine")
    client = login(world.users["participant"])
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_page_offers_only_my_programmes(world, login):
    client = login(world.users["participant"])
    response = client.post(
        reverse("api:tokens"),
        {"name": "x", "scope": "read", "programme": world.other_programme.pk, "expires": "never"},
    )
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert response.context["form"].errors["programme"]


def test_the_profile_page_links_to_the_token_page(world, login):
    from django.urls import reverse

    page = login(world.users["participant"]).get(reverse("people:me"))
    assert page.status_code == 200
    assert reverse("api:tokens") in page.content.decode()
