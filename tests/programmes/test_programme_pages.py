"""Creating and editing programmes and cohorts; peers editing their own challenges."""

from __future__ import annotations

from django.urls import reverse

from peerlearn.intake.models import Challenge, LearningExpectation
from peerlearn.programmes.models import Cohort, GroupNote, Membership, Programme


def test_facilitator_creates_a_programme_and_becomes_its_facilitator(world, login):
    client = login(world.users["facilitator"])
    response = client.post(
        reverse("programmes:create"),
        {
            "name": "Municipal finance circle",
            "purpose": "Peers from city governments learn from each other.",
            "languages": "en, français, es",
            "start": "2027-01-10",
            "end": "2027-06-30",
            "stage": "curation",
            "min_challenges": 3,
        },
    )
    programme = Programme.objects.get(name="Municipal finance circle")
    assert response.status_code == 302
    assert programme.slug == "municipal-finance-circle"
    assert programme.languages == ["en", "fr", "es"]
    assert Membership.objects.filter(
        person=world.people["facilitator"], programme=programme, role="facilitator"
    ).exists()
    assert client.get(programme.get_absolute_url()).status_code == 200


def test_programme_form_rejects_end_before_start_and_unknown_language(world, login):
    client = login(world.users["facilitator"])
    response = client.post(
        reverse("programmes:create"),
        {
            "name": "Bad dates",
            "languages": "en, klingon",
            "start": "2027-06-01",
            "end": "2027-01-01",
            "stage": "curation",
            "min_challenges": 3,
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "end date is before the start date" in body
    assert "Unknown language: klingon" in body
    assert not Programme.objects.filter(name="Bad dates").exists()


def test_facilitator_adds_a_cohort(world, login):
    client = login(world.users["facilitator"])
    response = client.post(
        reverse("programmes:cohort_create", args=[world.programme.slug]),
        {
            "name": "In-country cohort",
            "kind": "in_country",
            "start": "2026-04-06",
            "end": "2026-08-28",
            "place": "Accra",
        },
    )
    assert response.status_code == 302
    assert Cohort.objects.filter(
        programme=world.programme, name="In-country cohort", kind="in_country"
    ).exists()
    duplicate = client.post(
        reverse("programmes:cohort_create", args=[world.programme.slug]),
        {"name": "in-country COHORT", "kind": "module"},
    )
    assert "already has a cohort with this name" in duplicate.content.decode()


def test_module_facilitator_edits_only_their_module(world, login):
    client = login(world.users["module_facilitator"])
    url = reverse("programmes:cohort_edit", args=[world.programme.slug, world.module.pk])
    assert (
        client.post(url, {"name": "Budgeting module", "kind": "module", "online": "on"}).status_code
        == 302
    )
    world.module.refresh_from_db()
    assert world.module.name == "Budgeting module" and world.module.online
    other = reverse("programmes:cohort_edit", args=[world.programme.slug, world.event.pk])
    assert client.post(other, {"name": "Hijacked", "kind": "event"}).status_code == 403
    world.event.refresh_from_db()
    assert world.event.name == "Ten-day event"


def test_peer_edits_own_challenges(world, login):
    client = login(world.users["participant"])
    url = reverse("people:my_challenges", args=[world.programme.slug])
    page = client.get(url)
    assert page.status_code == 200
    existing = Challenge.objects.get(person=world.people["participant"])
    data = {
        "c-TOTAL_FORMS": "3",
        "c-INITIAL_FORMS": "1",
        "c-MIN_NUM_FORMS": "0",
        "c-MAX_NUM_FORMS": "10",
        "c-0-id": str(existing.pk),
        "c-0-text": "Keeping my reform team together",
        "c-0-tags": "teams, people",
        "c-1-text": "Managing a minister who changes priorities",
        "c-1-tags": "",
        "c-2-text": "",
        "c-2-tags": "",
        "e-TOTAL_FORMS": "1",
        "e-INITIAL_FORMS": "0",
        "e-MIN_NUM_FORMS": "0",
        "e-MAX_NUM_FORMS": "10",
        "e-0-text": "How others built cross-ministry committees",
    }
    assert client.post(url, data).status_code == 302
    challenges = list(
        Challenge.objects.filter(person=world.people["participant"]).order_by("position")
    )
    assert [(c.position, c.text) for c in challenges] == [
        (1, "Keeping my reform team together"),
        (2, "Managing a minister who changes priorities"),
    ]
    assert challenges[0].tags == ["teams", "people"]
    assert LearningExpectation.objects.filter(person=world.people["participant"]).count() == 1


def test_peer_cannot_edit_someone_elses_challenge(world, login):
    client = login(world.users["peer"])
    theirs = Challenge.objects.get(person=world.people["participant"])
    url = reverse("people:my_challenges", args=[world.programme.slug])
    data = {
        "c-TOTAL_FORMS": "1",
        "c-INITIAL_FORMS": "1",
        "c-MIN_NUM_FORMS": "0",
        "c-MAX_NUM_FORMS": "10",
        "c-0-id": str(theirs.pk),
        "c-0-text": "Overwritten",
        "c-0-tags": "",
        "e-TOTAL_FORMS": "0",
        "e-INITIAL_FORMS": "0",
        "e-MIN_NUM_FORMS": "0",
        "e-MAX_NUM_FORMS": "10",
    }
    client.post(url, data)
    theirs.refresh_from_db()
    assert theirs.text == "Building a reform team"


def test_group_member_shares_a_note(world, login):
    client = login(world.users["participant"])
    url = reverse("programmes:group", args=[world.programme.slug, world.group_a.pk])
    assert client.post(url, {"text": "What worked for us"}).status_code == 302
    assert GroupNote.objects.filter(
        group=world.group_a, text="What worked for us", author=world.people["participant"]
    ).exists()


def test_note_text_is_escaped(world, login):
    GroupNote.objects.create(group=world.group_a, text="<script>alert(1)</script>")
    body = (
        login(world.users["participant"])
        .get(reverse("programmes:group", args=[world.programme.slug, world.group_a.pk]))
        .content.decode()
    )
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_pages_are_phone_ready(world, login):
    body = login(world.users["participant"]).get(reverse("programmes:list")).content.decode()
    assert 'name="viewport"' in body


def test_facilitator_gives_and_removes_a_module_role(world, login):
    client = login(world.users["facilitator"])
    person = world.people["participant"]
    url = reverse("people:role_add", args=[world.programme.slug, person.pk])
    client.post(url, {"role": "facilitator", "cohort": world.module.pk})
    added = Membership.objects.get(person=person, cohort=world.module, role="facilitator")
    # The new module facilitator can now edit that module, not the event.
    module_client = login(world.users["participant"])
    edit = reverse("programmes:cohort_edit", args=[world.programme.slug, world.module.pk])
    assert module_client.get(edit).status_code == 200
    client = login(world.users["facilitator"])
    remove = reverse("people:role_remove", args=[world.programme.slug, person.pk, added.pk])
    client.post(remove)
    assert not Membership.objects.filter(pk=added.pk).exists()


def test_last_programme_facilitator_cannot_be_removed(world, login):
    client = login(world.users["facilitator"])
    person = world.people["facilitator"]
    membership = Membership.objects.get(person=person, role="facilitator", cohort=None)
    Membership.objects.create(
        person=person, programme=world.programme, cohort=world.event, role="participant"
    )
    response = client.post(
        reverse("people:role_remove", args=[world.programme.slug, person.pk, membership.pk]),
        follow=True,
    )
    assert "at least one facilitator" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()
