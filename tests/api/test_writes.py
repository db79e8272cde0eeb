"""Writes go through the pages' forms and rules: same validation, same audit."""

from __future__ import annotations

from rest_framework.test import APIClient

from peerlearn.audit.models import AuditEvent
from peerlearn.delivery.models import Session
from peerlearn.people.models import Person
from peerlearn.programmes.models import Membership
from tests.api.conftest import token_for


def client_of(user, **fields):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user, **fields)}")
    return client


def url(world, kind):
    return f"/api/v1/programmes/{world.programme.slug}/{kind}/"


def test_a_facilitator_adds_a_person_who_joins_as_participant(world):
    response = client_of(world.users["facilitator"]).post(
        url(world, "people"),
        {"name": "Amina Diallo", "email": " Amina@Example.org ", "country": "SN"},
        format="json",
    )
    assert response.status_code == 201, response.content
    person = Person.objects.get(email="amina@example.org")
    assert response.json()["id"] == person.pk
    assert response.json()["email"] == "amina@example.org"
    membership = Membership.objects.get(person=person, programme=world.programme)
    assert membership.role == "participant" and membership.cohort is None
    event = AuditEvent.objects.get(action="role.grant", target_id=str(person.pk))
    assert event.actor == world.users["facilitator"] and event.detail["via"] == "api"


def test_a_known_person_joins_as_they_are(world):
    """As on the page: the details of someone stored are not the adder's to rewrite."""
    known = world.people["outsider"]
    response = client_of(world.users["facilitator"]).post(
        url(world, "people"),
        {"name": "Rewritten Name", "email": known.email, "country": "FR"},
        format="json",
    )
    assert response.status_code == 201
    known.refresh_from_db()
    assert known.name != "Rewritten Name"
    assert Membership.objects.filter(person=known, programme=world.programme).exists()


def test_invalid_person_is_400_with_the_forms_messages_and_writes_nothing(world):
    before = Person.objects.count()
    client = client_of(world.users["facilitator"])
    response = client.post(url(world, "people"), {"name": "", "email": "nope"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400 and {"name", "email"} <= set(error["fields"])
    # The page's form refuses what only it knows: an unknown country code.
    body = {"name": "X", "email": "x@example.org", "country": "ZZ"}
    country = client.post(url(world, "people"), body, format="json")
    assert country.status_code == 400 and "country" in country.json()["error"]["fields"]
    assert Person.objects.count() == before


def test_cohort_with_a_taken_name_is_refused(world):
    client = client_of(world.users["facilitator"])
    response = client.post(url(world, "cohorts"), {"name": world.event.name}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["error"]["fields"]
    made = client.post(
        url(world, "cohorts"),
        {
            "name": "Country cohort",
            "kind": "in_country",
            "start": "2030-01-10",
            "end": "2030-01-05",
        },
        format="json",
    )
    assert made.status_code == 400  # end before start, as the page refuses
    ok = client.post(url(world, "cohorts"), {"name": "Country cohort"}, format="json")
    assert ok.status_code == 201 and ok.json()["name"] == "Country cohort"
    assert AuditEvent.objects.filter(action="api.cohort_create").count() == 1


def test_a_module_facilitator_plans_sessions_for_their_module_only(world):
    client = client_of(world.users["module_facilitator"])
    body = {
        "title": "Clinic",
        "day": "2030-03-04",
        "start": "14:00",
        "minutes": 90,
        "time_zone": "Europe/Paris",
        "repeat": "none",
        "rule": "FREQ=WEEKLY;COUNT=3",
    }
    refused = client.post(url(world, "sessions"), {**body, "cohort": world.event.pk}, format="json")
    assert refused.status_code == 400 and "cohort" in refused.json()["error"]["fields"]
    made = client.post(url(world, "sessions"), {**body, "cohort": world.module.pk}, format="json")
    assert made.status_code == 201, made.content
    sessions = made.json()["sessions"]
    assert Session.objects.filter(cohort=world.module).count() == len(sessions) >= 1
    assert sessions[0]["starts_at"].endswith("Z")
    assert AuditEvent.objects.filter(action="session.plan").count() == 1


def test_a_bad_time_zone_or_endless_rule_is_400(world):
    client = client_of(world.users["facilitator"])
    body = {
        "cohort": world.event.pk,
        "title": "Clinic",
        "day": "2030-03-04",
        "start": "14:00",
        "minutes": 60,
        "time_zone": "Mars/Olympus",
        "repeat": "none",
    }
    response = client.post(url(world, "sessions"), body, format="json")
    assert response.status_code == 400 and "time_zone" in response.json()["error"]["fields"]
    assert not Session.objects.exists()


def test_non_json_and_wrong_shapes_are_400_not_500(world):
    client = client_of(world.users["facilitator"])
    garbage = client.post(url(world, "cohorts"), "{not json", content_type="application/json")
    assert garbage.status_code == 400 and garbage.json()["error"]["code"] == "parse_error"
    listed = client.post(url(world, "cohorts"), [1, 2], format="json")
    assert listed.status_code == 400
    form = client.post(url(world, "cohorts"), "name=x", content_type="text/plain")
    assert form.status_code == 415
    assert form.json()["error"]["code"] == "unsupported_media_type"


def test_read_only_and_wrong_programme_tokens_cannot_write(world):
    read_only = client_of(world.users["facilitator"], scope="read")
    for kind, body in (("people", {"name": "X", "email": "x@example.org"}), ("sessions", {})):
        response = read_only.post(url(world, kind), body, format="json")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "read_only_token"
    elsewhere = client_of(world.users["facilitator"], programme=world.other_programme)
    response = elsewhere.post(url(world, "cohorts"), {"name": "Y"}, format="json")
    assert response.status_code == 404
    assert not Person.objects.filter(email="x@example.org").exists()
