"""The "e-mail me a link" page: limited, the same for every address, few live links."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from peerlearn.accounts.models import SignInLink
from tests.accounts.conftest import ask_for_link, link_from

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
KNOWN = "participant@example.org"
UNKNOWN = "nobody@example.org"


def answer(response, client) -> tuple[int, str, str]:
    """What a visitor can see: status, where it leads, and that page (without its CSRF token)."""
    page = client.get(response["Location"]).content.decode()
    return response.status_code, response["Location"], re.sub(r'value="[^"]{64}"', "", page)


def test_over_the_address_limit_the_answer_is_the_same_but_nothing_is_sent(world, client):
    answers = [answer(ask_for_link(client, KNOWN), client) for _ in range(5)]
    assert len(mail.outbox) == 3, "3 links per address per hour"
    assert all(a == answers[0] for a in answers)


@override_settings(SIGN_IN_LINKS_PER_CLIENT_HOUR=4)
def test_over_the_client_limit_nothing_is_sent(world, client):
    for n in range(4):
        answer(ask_for_link(client, f"someone-{n}@example.org"), client)
    first = answer(ask_for_link(client, KNOWN), client)
    assert mail.outbox == [], "the client used up its requests on unknown addresses"
    assert first == answer(ask_for_link(client, UNKNOWN, REMOTE_ADDR="198.51.100.7"), client)
    ask_for_link(client, KNOWN, REMOTE_ADDR="198.51.100.7")
    assert [m.to for m in mail.outbox] == [[KNOWN]], "another client is not limited"


def test_the_address_limit_ignores_case(world, client):
    for email in ("participant@example.org", "PARTICIPANT@example.org", "Participant@Example.org"):
        ask_for_link(client, email)
    ask_for_link(client, "pArticipant@example.org")
    assert len(mail.outbox) == 3


@override_settings(TASKS=DUMMY_TASKS)
def test_the_view_does_the_same_work_for_known_and_unknown_addresses(world, client):
    from django_tasks import default_task_backend

    default_task_backend.clear()
    runs = {}
    for email in (KNOWN, UNKNOWN):
        with CaptureQueriesContext(connection) as queries:
            response = ask_for_link(client, email)
        runs[email] = (answer(response, client), [q["sql"] for q in queries.captured_queries])
    assert runs[KNOWN] == runs[UNKNOWN]
    assert not any("accounts_user" in sql for sql in runs[KNOWN][1])
    assert not any("people_person" in sql for sql in runs[KNOWN][1])
    queued = [(r.task.name, r.args) for r in default_task_backend.results]
    assert queued == [
        ("send_requested_sign_in_link", [KNOWN, "127.0.0.1"]),
        ("send_requested_sign_in_link", [UNKNOWN, "127.0.0.1"]),
    ]
    assert mail.outbox == [], "the view sends nothing itself"


@override_settings(SIGN_IN_LINKS_PER_ADDRESS_HOUR=100, SIGN_IN_LINKS_PER_CLIENT_HOUR=100)
def test_forty_five_requests_leave_at_most_three_working_links(world, client):
    for _ in range(45):
        ask_for_link(client, KNOWN)
    assert len(mail.outbox) == 45
    user = world.users["participant"]
    assert SignInLink.objects.usable().filter(user=user).count() == 3
    working = [m for m in mail.outbox if client.get(link_from(m)).status_code == 200]
    assert working == mail.outbox[-3:], "the newest three work, the older ones do not"
    assert client.post(link_from(mail.outbox[0])).status_code == 410


@override_settings(SIGN_IN_LINKS_LIVE=1)
def test_the_number_of_live_links_is_a_setting(world, client):
    first = SignInLink.issue(world.users["participant"])
    second = SignInLink.issue(world.users["participant"])
    assert SignInLink.redeem(first) is None
    assert SignInLink.redeem(second) == world.users["participant"]


def test_revoking_does_not_touch_used_links_or_other_accounts(world):
    used = SignInLink.issue(world.users["participant"])
    SignInLink.redeem(used)
    used_at = SignInLink.objects.get(used_at__isnull=False).used_at
    other = SignInLink.issue(world.users["peer"])
    for _ in range(5):
        SignInLink.issue(world.users["participant"])
    assert SignInLink.objects.get(used_at__isnull=False).used_at == used_at
    assert SignInLink.objects.usable().filter(user=world.users["peer"]).count() == 1
    assert SignInLink.redeem(other) == world.users["peer"]


@pytest.mark.parametrize("email", ["not-an-address", ""])
def test_invalid_addresses_send_nothing_and_count_nothing(world, client, email):
    response = ask_for_link(client, email)
    assert response.status_code == 200
    assert mail.outbox == []


@override_settings(
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    EMAIL_HOST="127.0.0.1",
    EMAIL_PORT=9,  # nothing listens: sending fails
    EMAIL_TIMEOUT=2,
)
def test_a_mail_failure_for_a_known_address_does_not_change_the_answer(world, client):
    known = answer(ask_for_link(client, KNOWN), client)
    unknown = answer(ask_for_link(client, UNKNOWN), client)
    assert known == unknown
