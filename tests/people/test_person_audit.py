"""Writes to people, roles and rosters leave audit events (who, which programme, counts)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.audit.models import AuditEvent
from peerlearn.programmes.models import Membership
from tests.roster.test_roster_import_pages import GOOD_ROWS, confirm, csv_bytes, upload


@pytest.fixture
def facilitator(world, login):
    return login(world.users["facilitator"])


def only_event(action: str) -> AuditEvent:
    events = list(AuditEvent.objects.filter(action=action))
    assert len(events) == 1, [e.action for e in AuditEvent.objects.all()]
    return events[0]


def test_confirmed_import_is_recorded_with_its_counts(world, facilitator):
    response = upload(facilitator, world, csv_bytes(GOOD_ROWS))
    facilitator.get(response["Location"])
    assert not AuditEvent.objects.filter(action="roster.import").exists(), "a preview is not"
    confirm(facilitator, response)
    event = only_event("roster.import")
    assert event.actor == world.users["facilitator"]
    assert event.programme == world.programme
    assert event.detail["created"] == 3
    assert event.detail["updated"] == 0
    assert event.detail["added_to_programme"] == 0


def test_import_counts_people_added_from_elsewhere(world, facilitator):
    rows = [["outsider@example.org", "X", "", "", "", "", "", "", "", ""]]
    confirm(facilitator, upload(facilitator, world, csv_bytes(rows)))
    event = only_event("roster.import")
    assert (event.detail["created"], event.detail["added_to_programme"]) == (0, 1)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_is_recorded_with_its_row_count(world, facilitator, fmt):
    response = facilitator.get(reverse("people:export", args=[world.programme.slug, fmt]))
    assert response.status_code == 200
    event = only_event("roster.export")
    assert event.actor == world.users["facilitator"]
    assert event.programme == world.programme
    assert event.detail["rows"] == 6  # the six people of the programme


def test_role_grant_and_revoke_are_recorded(world, facilitator):
    person = world.people["peer"]
    facilitator.post(
        reverse("people:role_add", args=[world.programme.slug, person.pk]),
        {"role": "observer", "cohort": world.module.pk},
    )
    grant = only_event("role.grant")
    assert (grant.actor, grant.programme) == (world.users["facilitator"], world.programme)
    assert grant.target_id == str(person.pk)
    assert grant.detail == {"role": "observer", "cohort": world.module.pk}
    membership = Membership.objects.get(person=person, role="observer")
    facilitator.post(
        reverse("people:role_remove", args=[world.programme.slug, person.pk, membership.pk])
    )
    revoke = only_event("role.revoke")
    assert revoke.detail == {"role": "observer", "cohort": world.module.pk}
    assert revoke.target_id == str(person.pk)
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_a_role_already_held_is_not_recorded_again(world, facilitator):
    person = world.people["peer"]
    facilitator.post(
        reverse("people:role_add", args=[world.programme.slug, person.pk]),
        {"role": "participant", "cohort": world.event.pk},
    )
    assert not AuditEvent.objects.filter(action="role.grant").exists()
