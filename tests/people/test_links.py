"""E-mailed links start with PEERLEARN_SITE_URL, or else the address the site was reached at."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from peerlearn.core.urls_abs import absolute_url
from peerlearn.people.invitations import send_sign_in_link
from peerlearn.site.checks import site_url_is_set


def invite_participant(client, world, host: str) -> str:
    client.force_login(world.users["facilitator"])
    person = world.people["participant"]
    url = reverse("people:invite_one", args=[world.programme.slug, person.pk])
    response = client.post(url, HTTP_HOST=host)
    assert response.status_code == 302
    (message,) = [m for m in mail.outbox if person.email in m.to]
    return message.body


def test_without_site_url_links_follow_the_request_address(client, world, settings):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["demo.example:8100", "demo.example"]
    body = invite_participant(client, world, "demo.example:8100")
    assert "http://demo.example:8100/accounts/" in body
    assert "127.0.0.1:8000" not in body


def test_site_url_wins_over_the_request_address(client, world, settings):
    settings.SITE_URL = "https://peerlearn.example.org"
    settings.ALLOWED_HOSTS = ["internal.example"]
    body = invite_participant(client, world, "internal.example")
    assert "https://peerlearn.example.org/accounts/" in body
    assert "internal.example" not in body


def test_outside_a_request_a_missing_site_url_is_named(world, settings):
    settings.SITE_URL = ""
    with pytest.raises(ImproperlyConfigured, match="PEERLEARN_SITE_URL must be set"):
        send_sign_in_link(world.people["participant"])
    assert mail.outbox == []


def test_absolute_url_joins_the_configured_address(settings):
    settings.SITE_URL = "https://peerlearn.example.org"
    assert absolute_url("/accounts/x/") == "https://peerlearn.example.org/accounts/x/"


def test_deploy_check_warns_when_site_url_is_empty(settings):
    settings.SITE_URL = ""
    assert [w.id for w in site_url_is_set(None)] == ["peerlearn.W001"]
    settings.SITE_URL = "https://peerlearn.example.org"
    assert site_url_is_set(None) == []
