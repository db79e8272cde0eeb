"""A superuser without a role here gives a reason before reading what a group shares.

Personas: ``world`` plus a superuser ("staff") who holds no role in the
programme. Members of the group and the facilitators of its cohort or
programme read it without a reason; the staff member's reason is recorded as
``group.private_read`` and remembered for that group for one hour.
"""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from peerlearn.accounts.models import User
from peerlearn.audit.models import AuditEvent
from peerlearn.programmes.models import GroupNote, Membership
from peerlearn.programmes.views import PRIVATE_READ_SECONDS
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

SECRET = "Secret of group A"  # the note the world fixture shares in group A


@pytest.fixture
def staff(world) -> User:
    person = make_person("staff", world.people["facilitator"].organisation)
    user = person.user
    user.is_superuser = True
    user.save()
    return user


def group_url(world, group=None) -> str:
    return reverse("programmes:group", args=[world.programme.slug, (group or world.group_a).pk])


def reads() -> int:
    return AuditEvent.objects.filter(action="group.private_read").count()


def test_staff_without_a_role_is_asked_for_a_reason_first(world, login, staff):
    body = login(staff).get(group_url(world)).content.decode()
    assert 'id="private-read-reason"' in body
    assert SECRET not in body
    assert "Participant Person" in body, "who is in the group is not private material"
    assert reads() == 0


def test_a_reason_is_recorded_and_then_the_notes_are_shown(world, login, staff):
    client = login(staff)
    response = client.post(group_url(world), {"read_reason": "Complaint 12 from a member"})
    assert response.status_code == 302 and response["Location"] == group_url(world)
    event = AuditEvent.objects.get(action="group.private_read")
    assert event.reason == "Complaint 12 from a member" and event.actor == staff
    assert event.programme_id == world.programme.pk
    assert event.target_type == "programmes.group" and event.target_id == str(world.group_a.pk)
    assert SECRET not in str(event.detail)
    assert SECRET in client.get(group_url(world)).content.decode()
    client.get(group_url(world))
    assert reads() == 1, "remembered for the session: no second reason"


def test_the_reason_is_for_one_group_only(world, login, staff):
    GroupNote.objects.create(group=world.group_b, text="Secret of group B")
    client = login(staff)
    client.post(group_url(world), {"read_reason": "Complaint 12"})
    body = client.get(group_url(world, world.group_b)).content.decode()
    assert 'id="private-read-reason"' in body and "Secret of group B" not in body


def test_the_reason_expires_after_an_hour(world, login, staff):
    client = login(staff)
    client.post(group_url(world), {"read_reason": "Complaint 12"})
    session = client.session
    session[f"peerlearn.group_private_read.{world.group_a.pk}"] = (
        time.time() - PRIVATE_READ_SECONDS - 1
    )
    session.save()
    body = client.get(group_url(world)).content.decode()
    assert 'id="private-read-reason"' in body and SECRET not in body


def test_an_empty_reason_is_refused(world, login, staff):
    response = login(staff).post(group_url(world), {"read_reason": "  "})
    body = response.content.decode()
    assert response.status_code == 200 and "This field is required" in body
    assert SECRET not in body and reads() == 0


def test_staff_cannot_share_a_note_without_a_reason(world, login, staff):
    login(staff).post(group_url(world), {"text": "posted by staff"})
    assert not GroupNote.objects.filter(text="posted by staff").exists()


def test_staff_who_facilitate_the_programme_need_no_reason(world, login, staff):
    Membership.objects.create(person=staff.person, programme=world.programme, role="facilitator")
    assert SECRET in login(staff).get(group_url(world)).content.decode()
    assert reads() == 0


def test_staff_who_facilitate_another_cohort_still_give_a_reason(world, login, staff):
    Membership.objects.create(
        person=staff.person, programme=world.programme, cohort=world.module, role="facilitator"
    )
    body = login(staff).get(group_url(world)).content.decode()
    assert 'id="private-read-reason"' in body and SECRET not in body


@pytest.mark.parametrize("persona", ["participant", "facilitator"])
def test_members_and_facilitators_read_without_a_reason(world, login, persona):
    body = login(world.users[persona]).get(group_url(world)).content.decode()
    assert SECRET in body and 'id="private-read-reason"' not in body
    assert reads() == 0


def test_evaluators_still_never_read_it(world, login):
    body = login(world.users["evaluator"]).get(group_url(world)).content.decode()
    assert SECRET not in body and 'id="private-read-reason"' not in body
