"""Sign-in leaves events in the audit log: requests, links used, lockouts, password logins."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse

from peerlearn.audit.models import AuditEvent
from tests.accounts.conftest import ask_for_link, link_from
from tests.conftest import PASSWORD


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_link_request_for_a_known_address_names_the_account(world, client):
    ask_for_link(client, "participant@example.org", REMOTE_ADDR="203.0.113.5")
    (event,) = events("signin.link_requested")
    user = world.users["participant"]
    assert (event.target_type, event.target_id) == ("accounts.user", str(user.pk))
    assert event.client_ip == "203.0.113.5"
    assert event.actor_id is None and event.detail == {}


def test_link_request_for_an_unknown_address_names_nobody(world, client):
    ask_for_link(client, "nobody@example.org", REMOTE_ADDR="203.0.113.6")
    (event,) = events("signin.link_requested")
    assert event.target_type == "" and event.target_id == ""
    assert event.client_ip == "203.0.113.6"
    assert "nobody@example.org" not in str(event.detail) + event.target_label


def test_link_used_is_recorded_for_the_account(world, client):
    ask_for_link(client, "peer@example.org")
    client.post(link_from(mail.outbox[0]), REMOTE_ADDR="203.0.113.7")
    (event,) = events("signin.link_used")
    assert event.actor_id == world.users["peer"].pk
    assert event.target_id == str(world.users["peer"].pk)
    assert event.client_ip == "203.0.113.7"


def test_refused_link_records_no_use(world, client):
    client.post(reverse("accounts:link", args=["not-a-token"]))
    assert events("signin.link_used") == []


def test_password_login_is_recorded(world, client):
    client.post(
        reverse("accounts:login"),
        {"username": "facilitator@example.org", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.8",
    )
    (event,) = events("signin.password_login")
    assert event.actor_id == world.users["facilitator"].pk
    assert event.client_ip == "203.0.113.8"


def test_wrong_password_records_no_login(world, client):
    client.post(
        reverse("accounts:login"), {"username": "facilitator@example.org", "password": "no"}
    )
    assert events("signin.password_login") == []


def test_lockout_is_recorded_once_when_it_starts(world, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        client.post(
            reverse("accounts:login"),
            {"username": "Facilitator@example.org", "password": "wrong"},
            REMOTE_ADDR="203.0.113.9",
        )
    (event,) = events("signin.locked_out")
    assert event.target_id == str(world.users["facilitator"].pk)
    assert event.client_ip == "203.0.113.9"
    assert event.detail == {"failures": settings.AXES_FAILURE_LIMIT}
    assert event.actor_id is None


def test_a_sign_in_on_the_admin_login_page_is_recorded_and_a_wrong_password_is_not(world, client):
    staff = world.users["facilitator"]
    staff.is_staff = True
    staff.save()
    page = reverse("admin:login")
    assert page == "/admin/login/"
    wrong = client.post(page, {"username": staff.email, "password": "wrong"})
    assert wrong.status_code == 200 and events("signin.password_login") == []
    right = client.post(page, {"username": staff.email, "password": PASSWORD, "next": "/admin/"})
    assert right.status_code == 302 and right["Location"] == "/admin/"
    (event,) = events("signin.password_login")
    assert event.target_id == str(staff.pk) and event.actor_id == staff.pk
