"""Who reads the audit log: a programme's facilitators (their programme), staff (all)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from peerlearn.audit import record
from peerlearn.audit.models import AuditEvent
from peerlearn.programmes.audit_urls import urlpatterns
from tests.programmes.test_permissions import PERSONAS, expect, request_as

CASES = [
    (
        "audit:programme_log",
        lambda w: reverse("audit:programme_log", args=[w.programme.slug]),
        "get",
        expect({"facilitator"}),
    ),
    (
        "audit:programme_log_csv",
        lambda w: reverse("audit:programme_log_csv", args=[w.programme.slug]),
        "get",
        expect({"facilitator"}),
    ),
    # Staff only: members and outsiders alike are refused (403), not hidden.
    (
        "audit:site_log",
        lambda w: reverse("audit:site_log"),
        "get",
        expect(set(), member=403, outsider=403),
    ),
    (
        "audit:site_log_csv",
        lambda w: reverse("audit:site_log_csv"),
        "get",
        expect(set(), member=403, outsider=403),
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "url", "method", "expected"), CASES, ids=[c[0] for c in CASES])
def test_audit_permissions(world, login, persona, name, url, method, expected):
    request_as(world, login, persona, name, url, method, expected)


def test_every_audit_view_has_a_permission_case():
    covered = {name for name, *_ in CASES}
    for pattern in urlpatterns:
        assert f"audit:{pattern.name}" in covered, pattern.name


@pytest.fixture
def events(world):
    facilitator = world.users["facilitator"]
    mine = record("roster.export", actor=facilitator, programme=world.programme, detail={"rows": 7})
    theirs = record("roster.export", actor=world.users["outsider"], programme=world.other_programme)
    return mine, theirs


def test_facilitator_sees_only_their_programmes_events(world, login, events):
    body = (
        login(world.users["facilitator"])
        .get(reverse("audit:programme_log", args=[world.programme.slug]))
        .content.decode()
    )
    assert "Exported the roster with e-mail addresses" in body
    assert "facilitator@example.org" in body
    assert "outsider@example.org" not in body


def test_staff_see_every_programmes_events(world, login, events):
    staff = world.users["observer"]
    staff.is_staff = True
    staff.save()
    body = login(staff).get(reverse("audit:site_log")).content.decode()
    assert "facilitator@example.org" in body
    assert "outsider@example.org" in body


def test_csv_export_holds_the_programmes_events_and_is_itself_recorded(world, login, events):
    response = login(world.users["facilitator"]).get(
        reverse("audit:programme_log_csv", args=[world.programme.slug])
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    # The export's own event is written first, so the file records itself too.
    assert [row[1] for row in rows[1:]] == ["roster.export", "audit.export"]
    assert rows[1][3] == "facilitator@example.org"
    assert '"rows": 7' in rows[1][9]
    export = AuditEvent.objects.get(action="audit.export")
    assert export.programme_id == world.programme.pk
    assert export.actor_id == world.users["facilitator"].pk


def test_filter_by_action(world, login, events):
    record("role.grant", actor=world.users["facilitator"], programme=world.programme)
    url = reverse("audit:programme_log", args=[world.programme.slug])
    body = login(world.users["facilitator"]).get(url, {"action": "role.grant"}).content.decode()
    table = body.split("<tbody>")[1]
    assert "Gave a role" in table
    assert "Exported the roster" not in table


def test_spanish_page_shows_no_english_action_names(world, login, events):
    client = login(world.users["facilitator"])
    url = reverse("audit:programme_log", args=[world.programme.slug])
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    table = body.split("<tbody>")[1]
    assert "Exported the roster with e-mail addresses" not in table
    assert "roster.export" not in table
