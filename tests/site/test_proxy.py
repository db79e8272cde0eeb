"""Behind a proxy, limits and the audit log count the visitor, not the proxy."""

from __future__ import annotations

from django.test import override_settings
from django.urls import reverse

from peerlearn.audit.models import AuditEvent

FORWARDED = {"HTTP_X_FORWARDED_FOR": "198.51.100.7, 203.0.113.20", "REMOTE_ADDR": "127.0.0.1"}


def _password_sign_in(client, world):
    from tests.conftest import PASSWORD

    return client.post(
        reverse("accounts:login"),
        {"username": world.users["facilitator"].email, "password": PASSWORD},
        **FORWARDED,
    )


@override_settings(PEERLEARN_PROXY_COUNT=1)
def test_with_one_proxy_the_audit_log_keeps_the_address_nginx_saw(client, world):
    assert _password_sign_in(client, world).status_code == 302
    event = AuditEvent.objects.get(action="signin.password_login")
    assert event.client_ip == "203.0.113.20"


def test_without_a_proxy_count_forwarded_headers_are_ignored(client, world):
    """A client can write any X-Forwarded-For; with no proxy configured it is not believed."""
    assert _password_sign_in(client, world).status_code == 302
    event = AuditEvent.objects.get(action="signin.password_login")
    assert event.client_ip == "127.0.0.1"


@override_settings(PEERLEARN_PROXY_COUNT=2)
def test_with_two_proxies_the_entry_before_the_last_one_is_the_visitor(client, world):
    _password_sign_in(client, world)
    assert AuditEvent.objects.get(action="signin.password_login").client_ip == "198.51.100.7"
