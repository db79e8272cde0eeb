"""Every path that writes a person keeps accounts and other programmes' people safe.

The attack this guards against: a facilitator of one programme imports (or
edits) someone who facilitates another programme, changes their e-mail to an
address they read, then asks for a sign-in link and signs in as them.
See docs/privacy.md, "Who may change a person's details".
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peerlearn.accounts.models import SignInLink, User
from peerlearn.audit.models import AuditEvent
from peerlearn.people.models import Organisation, Person
from peerlearn.programmes.models import Membership
from tests.roster.test_roster_import_pages import confirm, csv_bytes, upload

ATTACKER = "attacker@evil.example"


def edit_url(world, person):
    return reverse("people:edit", args=[world.programme.slug, person.pk])


def edit_payload(person, **changes):
    data = {
        "name": person.name,
        "email": person.email,
        "organisation": person.organisation_id or "",
        "country": person.country,
        "role_title": person.role_title,
        "seniority": person.seniority,
        "languages": ", ".join(person.languages),
        "gender": person.gender,
    }
    data.update(changes)
    return data


def import_row(email, name="Mallory Copy", organisation="Evil Org"):
    return [email, name, organisation, "KE", "", "", "", "", "", ""]


def unused_account(person: Person) -> User:
    """An account made by an invitation and never used: no password, never signed in."""
    user = User(email=person.email, username=person.email)
    user.set_unusable_password()
    user.save()
    person.user = user
    person.save()
    return user


@pytest.fixture
def facilitator(world, login):
    return login(world.users["facilitator"])


# ---------------------------------------------------------------- the takeover


def test_the_takeover_through_import_and_edit_fails(world, facilitator, client):
    victim = world.people["outsider"]  # facilitates the other programme only
    response = upload(facilitator, world, csv_bytes([import_row(victim.email)]))
    confirm(facilitator, response)
    victim.refresh_from_db()
    assert victim.name == "Outsider Person", "the import did not rewrite them"
    assert victim.organisation.name == "Ministry of Finance"
    assert Membership.objects.filter(person=victim, programme=world.programme).exists()

    facilitator.post(edit_url(world, victim), edit_payload(victim, email=ATTACKER, name="X"))
    victim.refresh_from_db()
    assert (victim.email, victim.name) == ("outsider@example.org", "Outsider Person")
    assert victim.user == world.users["outsider"]
    assert User.objects.get(pk=victim.user_id).email == "outsider@example.org"

    client.logout()
    client.post(reverse("accounts:link_request"), {"email": ATTACKER})
    assert [m for m in mail.outbox if ATTACKER in m.to] == []


def test_a_superusers_person_row_cannot_be_taken_over(world, facilitator):
    admin = User.objects.create_superuser("root@example.org", "root@example.org", "pw-12345678")
    person = Person.objects.create(name="Root", email="root@example.org", user=admin)
    Membership.objects.create(person=person, programme=world.programme, role="participant")
    page = facilitator.get(edit_url(world, person)).content.decode()
    assert "only they can change it" in page
    facilitator.post(edit_url(world, person), edit_payload(person, email=ATTACKER))
    person.refresh_from_db()
    admin.refresh_from_db()
    assert (person.email, admin.email, person.user_id) == (
        "root@example.org",
        "root@example.org",
        admin.pk,
    )


# ---------------------------------------------------------------- rule a: details


def test_someone_also_in_another_programme_is_read_only(world, facilitator):
    person = world.people["participant"]
    Membership.objects.create(person=person, programme=world.other_programme, role="participant")
    page = facilitator.get(edit_url(world, person)).content.decode()
    assert "programmes you do not manage" in page
    assert re.search(r'<input[^>]*name="name"[^>]*disabled', page)
    assert re.search(r'<input[^>]*name="email"[^>]*disabled', page)
    other_org = Organisation.objects.create(name="Elsewhere")
    response = facilitator.post(
        edit_url(world, person),
        edit_payload(
            person,
            name="Renamed",
            email="new@example.org",
            organisation=other_org.pk,
            role_title="Adviser",
        ),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.email, person.organisation.name) == (
        "Participant Person",
        "participant@example.org",
        "Ministry of Finance",
    )
    assert person.role_title == "Adviser", "the other fields are still the facilitator's"


def test_a_superuser_may_rename_someone_in_two_programmes(world, login):
    person = world.people["participant"]
    Membership.objects.create(person=person, programme=world.other_programme, role="participant")
    root = User.objects.create_superuser("root@example.org", "root@example.org", "pw-12345678")
    client = login(root)
    client.post(edit_url(world, person), edit_payload(person, name="Renamed", email=ATTACKER))
    person.refresh_from_db()
    assert person.name == "Renamed"
    assert person.email == "participant@example.org", "an account in use keeps its address"


def test_a_person_in_a_cohort_the_facilitator_manages_is_editable(world, facilitator):
    person = world.people["peer"]  # in the event cohort of the programme only
    facilitator.post(edit_url(world, person), edit_payload(person, name="Peer Renamed"))
    person.refresh_from_db()
    assert person.name == "Peer Renamed"


# ---------------------------------------------------------------- rule b: the address


def test_the_address_of_an_account_in_use_is_read_only(world, facilitator):
    person = world.people["peer"]  # has a password: the account is in use
    page = facilitator.get(edit_url(world, person)).content.decode()
    assert "only they can change it" in page
    facilitator.post(edit_url(world, person), edit_payload(person, email=ATTACKER))
    person.refresh_from_db()
    assert person.email == "peer@example.org"


def test_an_account_that_signed_in_once_keeps_its_address(world, facilitator):
    person = world.people["peer"]
    user = unused_account_for_existing(person)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    facilitator.post(edit_url(world, person), edit_payload(person, email=ATTACKER))
    person.refresh_from_db()
    assert person.email == "peer@example.org"


def unused_account_for_existing(person: Person) -> User:
    user = person.user
    user.password = make_password(None)
    user.save()
    return user


def test_a_never_used_account_moves_with_the_corrected_address(world, facilitator):
    person = world.people["peer"]
    user = unused_account_for_existing(person)
    SignInLink.issue(user)
    response = facilitator.post(
        edit_url(world, person), edit_payload(person, email="Peer.Fixed@Example.org")
    )
    assert response.status_code == 302
    person.refresh_from_db()
    user.refresh_from_db()
    assert person.email == user.email == user.username == "peer.fixed@example.org"
    assert person.user_id == user.pk, "never re-linked to another account"
    assert not SignInLink.objects.usable().filter(user=user).exists(), "old links revoked"


def test_an_address_of_another_account_is_refused(world, facilitator):
    person = world.people["peer"]
    unused_account_for_existing(person)
    User.objects.create_user("lonely@example.org", "lonely@example.org", "pw-12345678")
    response = facilitator.post(
        edit_url(world, person), edit_payload(person, email="lonely@example.org")
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.email == "peer@example.org"


def test_a_person_without_an_account_gets_a_corrected_address(world, facilitator):
    person = Person.objects.create(name="New", email="typo@example.org")
    Membership.objects.create(person=person, programme=world.programme, role="participant")
    facilitator.post(edit_url(world, person), edit_payload(person, email="right@example.org"))
    person.refresh_from_db()
    assert (person.email, person.user_id) == ("right@example.org", None)


# ---------------------------------------------------------------- rule c: import


def test_import_of_someone_elsewhere_reads_as_new_and_keeps_their_details(world, facilitator):
    victim = world.people["outsider"]
    response = upload(
        facilitator, world, csv_bytes([import_row(victim.email), import_row("fresh@example.org")])
    )
    page = facilitator.get(response["Location"]).content.decode()
    assert "2 new people, 0 already known" in page
    assert "already in the network" not in page and victim.email not in page
    done = confirm(facilitator, response)
    listing = facilitator.get(done["Location"]).content.decode()
    assert "2 people added, 0 updated" in listing
    victim.refresh_from_db()
    assert (victim.name, victim.user_id) == ("Outsider Person", world.users["outsider"].pk)
    assert "Outsider Person" in listing, "the facilitator sees the person as stored"
    assert "Mallory Copy" in listing  # the new person


def test_import_keeps_someone_in_this_and_another_programme(world, facilitator):
    person = world.people["participant"]
    Membership.objects.create(person=person, programme=world.other_programme, role="participant")
    response = upload(facilitator, world, csv_bytes([import_row(person.email)]))
    page = facilitator.get(response["Location"]).content.decode()
    assert "0 new people, 0 already known" in page
    assert "details stay as they are" in page
    confirm(facilitator, response)
    person.refresh_from_db()
    assert (person.name, person.organisation.name) == ("Participant Person", "Ministry of Finance")


def test_import_updates_someone_only_in_this_programme(world, facilitator):
    person = world.people["peer"]
    response = upload(facilitator, world, csv_bytes([import_row(person.email, name="Peer Two")]))
    assert "1 already known" in facilitator.get(response["Location"]).content.decode()
    confirm(facilitator, response)
    person.refresh_from_db()
    assert person.name == "Peer Two"
    assert person.user == world.users["peer"]


def test_import_does_not_rewrite_a_person_in_no_programme(world, facilitator):
    admin = User.objects.create_superuser("root@example.org", "root@example.org", "pw-12345678")
    person = Person.objects.create(name="Root", email="root@example.org", user=admin)
    confirm(facilitator, upload(facilitator, world, csv_bytes([import_row(person.email)])))
    person.refresh_from_db()
    assert (person.name, person.user_id) == ("Root", admin.pk)


# ---------------------------------------------------------------- audit


def test_edits_are_audited_with_field_names_only(world, facilitator):
    person = world.people["peer"]
    facilitator.post(edit_url(world, person), edit_payload(person, name="Secret Name"))
    event = AuditEvent.objects.get(action="person.edit")
    assert event.actor == world.users["facilitator"]
    assert event.programme == world.programme
    assert event.target_id == str(person.pk)
    assert event.detail == {"fields": ["name"]}
    assert "Secret Name" not in str(event.detail)


# ---------------------------------------------------------------- adding by hand


def test_adding_someone_stored_elsewhere_adds_them_as_they_are(world, facilitator):
    victim = world.people["outsider"]
    response = facilitator.post(
        reverse("people:create", args=[world.programme.slug]),
        {"name": "Mallory Copy", "email": "Outsider@example.org", "country": "", "languages": ""},
        follow=True,
    )
    page = response.content.decode()
    assert "already has this e-mail" not in page
    assert "Outsider Person added to the programme" in page
    victim.refresh_from_db()
    assert (victim.name, victim.user_id) == ("Outsider Person", world.users["outsider"].pk)
    assert Membership.objects.filter(
        person=victim, programme=world.programme, role="participant"
    ).exists()
    assert AuditEvent.objects.get(action="role.grant").target_id == str(victim.pk)


def test_adding_a_new_person_is_recorded(world, facilitator):
    facilitator.post(
        reverse("people:create", args=[world.programme.slug]),
        {"name": "Nia New", "email": "nia@example.org", "country": "", "languages": ""},
    )
    person = Person.objects.get(email="nia@example.org")
    event = AuditEvent.objects.get(action="role.grant")
    assert (event.target_id, event.programme) == (str(person.pk), world.programme)


def test_an_account_whose_address_differs_still_allows_other_edits(world, facilitator):
    """A superuser may have moved the account's address in the admin: editing the
    person's other details neither fails nor moves the account."""
    person = world.people["peer"]
    User.objects.filter(pk=person.user_id).update(email="peer.account@example.org")
    response = facilitator.post(edit_url(world, person), edit_payload(person, role_title="Adviser"))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.role_title == "Adviser"
    assert User.objects.get(pk=person.user_id).email == "peer.account@example.org"
