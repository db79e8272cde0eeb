"""API tokens: stored hashed, shown once, scoped, expiring, revocable, audited."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from peerlearn.api.models import ApiToken, hash_secret
from peerlearn.api.pages import SHOWN_KEY
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


def form_of(client, **fields):
    """The token page's form as a browser would send it (with its one-time nonce)."""
    page = client.get(reverse("api:tokens"))
    assert page.status_code == 200
    nonce = page.context["form"].initial["nonce"]
    assert f'name="nonce" value="{nonce}"' in page.content.decode()
    return {"nonce": nonce, "name": "My script", "scope": "read", "expires": "30", **fields}


def test_token_page_makes_shows_once_lists_and_revokes(world, login):
    client = login(world.users["participant"])
    page = reverse("api:tokens")
    made = client.post(page, form_of(client, programme=world.programme.pk))
    # POST-redirect-GET: the page that shows the secret is a GET, safe to reload
    assert made.status_code == 302 and made["Location"] == page
    token = ApiToken.objects.get(user=world.users["participant"])
    shown = client.get(page)
    secret = shown.context["secret"]
    assert hash_secret(secret) == token.token_hash
    assert secret in shown.content.decode()
    assert token.expires_at is not None and token.programme == world.programme
    again = client.get(page).content.decode()
    assert secret not in again and "My script" in again and token.hint in again
    assert SHOWN_KEY not in client.session
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="api.token_revoke").count() == 1


def test_sending_the_same_form_twice_makes_one_token(world, login):
    client = login(world.users["participant"])
    form = form_of(client)
    first = client.post(reverse("api:tokens"), form)
    secret = client.get(first["Location"]).context["secret"]
    assert secret
    second = client.post(reverse("api:tokens"), form, follow=True)
    assert second.status_code == 200 and second.redirect_chain[-1][1] == 302
    assert ApiToken.objects.filter(user=world.users["participant"]).count() == 1
    page = second.content.decode()
    assert "already sent" in page and secret not in page and "My script" in page
    assert AuditEvent.objects.filter(action="api.token_create").count() == 1
    # a new form (a new nonce) makes a new token
    client.post(reverse("api:tokens"), form_of(client, name="Another"))
    assert ApiToken.objects.filter(user=world.users["participant"]).count() == 2


def test_two_users_may_send_the_same_nonce(world, login):
    """The nonce is unique per user: someone else's form never blocks mine."""
    form = form_of(login(world.users["participant"]))
    for persona in ("participant", "peer"):
        login(world.users[persona]).post(reverse("api:tokens"), form)
    assert ApiToken.objects.filter(form_nonce=form["nonce"]).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_make_one_token(world):
    """A double click: the same form sent by several requests at the same instant."""
    from django.test import Client

    from tests.concurrency import at_once, tolerated

    clients = []
    for _ in range(6):
        client = Client()
        client.force_login(world.users["participant"])
        clients.append(client)
    form = form_of(clients[0])
    url = reverse("api:tokens")
    answers, failures = at_once([lambda c=c: c.post(url, form) for c in clients])
    assert tolerated(failures) == []
    assert ApiToken.objects.filter(user=world.users["participant"]).count() == 1
    # Every answer redirects. On SQLite's shared-cache test database some
    # requests are refused "table is locked" instead of waiting (tolerated);
    # when the refusal hits the session save, Django answers 400
    # (SessionInterrupted) rather than raising, so 400 is tolerated there too.
    if connection.vendor == "sqlite":
        assert {a.status_code for a in answers} <= {302, 400}
    else:
        assert {a.status_code for a in answers} == {302}
        assert len(answers) == len(clients)
    assert AuditEvent.objects.filter(action="api.token_create").count() == 1


def test_an_out_of_date_form_gets_a_new_nonce_and_makes_nothing(world, login):
    client = login(world.users["participant"])
    stale = {"name": "Old tab", "scope": "read", "expires": "30"}  # no nonce
    response = client.post(reverse("api:tokens"), stale)
    assert response.status_code == 200 and not ApiToken.objects.exists()
    assert "out of date" in response.content.decode()
    refreshed = response.context["form"]
    assert refreshed.is_valid() and refreshed.data["name"] == "Old tab"
    made = client.post(reverse("api:tokens"), refreshed.data)
    assert made.status_code == 302 and ApiToken.objects.get().name == "Old tab"


def test_a_secret_is_shown_only_soon_after_and_only_to_its_owner(world, login):
    client = login(world.users["participant"])
    client.post(reverse("api:tokens"), form_of(client))
    session = client.session
    held = session[SHOWN_KEY]
    session[SHOWN_KEY] = {**held, "made": (timezone.now() - timedelta(minutes=11)).isoformat()}
    session.save()
    assert client.get(reverse("api:tokens")).context["secret"] == ""
    assert SHOWN_KEY not in client.session  # dropped, not kept for later


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
        form_of(client, programme=world.other_programme.pk, expires="never"),
    )
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert response.context["form"].errors["programme"]


def test_the_profile_page_links_to_the_token_page(world, login):
    from django.urls import reverse

    page = login(world.users["participant"]).get(reverse("people:me"))
    assert page.status_code == 200
    assert reverse("api:tokens") in page.content.decode()
