"""The admin cannot re-link a person to another account or let staff take one over."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from peerlearn.accounts.models import User
from peerlearn.people.models import Person

ATTACKER = "attacker@evil.example"


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root@example.org", "root@example.org", "pw-12345678")


@pytest.fixture
def staff(db):
    """Staff with every permission on accounts and people, but not a superuser."""
    user = User.objects.create_user("staff@example.org", "staff@example.org", "pw-12345678")
    user.is_staff = True
    user.save()
    codenames = ["view_user", "change_user", "add_user", "view_person", "change_person"]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def person_payload(person: Person, **changes):
    data = {
        "name": person.name,
        "email": person.email,
        "organisation": person.organisation_id or "",
        "country": person.country,
        "role_title": person.role_title,
        "seniority": person.seniority,
        "languages": '["en"]',
        "gender": "",
        "invited_at_0": "",
        "invited_at_1": "",
        "challenges-TOTAL_FORMS": "0",
        "challenges-INITIAL_FORMS": "0",
        "expectations-TOTAL_FORMS": "0",
        "expectations-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def user_payload(user: User, **changes):
    data = {
        "username": user.username,
        "email": user.email,
        "first_name": "",
        "last_name": "",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return data


def test_person_admin_never_relinks_the_account(world, client, root):
    person = world.people["participant"]
    client.force_login(root)
    url = reverse("admin:people_person_change", args=[person.pk])
    page = client.get(url).content.decode()
    assert 'name="user"' not in page
    response = client.post(
        url,
        person_payload(person, user=world.users["outsider"].pk, email=ATTACKER, name="Renamed"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.name == "Renamed", "the admin still edits the details"
    assert person.user == world.users["participant"]
    assert person.email == "participant@example.org", "the address stays with the account"


def test_person_admin_refuses_an_address_of_another_account(world, client, root):
    person = Person.objects.create(name="No account", email="plain@example.org")
    User.objects.create_user("lonely@example.org", "lonely@example.org", "pw-12345678")
    client.force_login(root)
    url = reverse("admin:people_person_change", args=[person.pk])
    response = client.post(url, person_payload(person, email="lonely@example.org"))
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.email == "plain@example.org"


def test_staff_cannot_change_who_an_account_is(world, client, staff):
    victim = world.users["outsider"]
    client.force_login(staff)
    url = reverse("admin:accounts_user_change", args=[victim.pk])
    response = client.post(
        url,
        user_payload(victim, email=ATTACKER, username=ATTACKER, is_staff="on", is_superuser="on"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    victim.refresh_from_db()
    assert (victim.email, victim.is_staff, victim.is_superuser) == (
        "outsider@example.org",
        False,
        False,
    )
    password_url = reverse("admin:auth_user_password_change", args=[victim.pk])
    assert client.get(password_url).status_code == 403
    assert client.get(reverse("admin:accounts_user_add")).status_code == 403


def test_staff_cannot_make_a_used_account_look_unused(world, client, staff):
    victim = world.users["outsider"]
    User.objects.filter(pk=victim.pk).update(last_login=timezone.now())
    client.force_login(staff)
    url = reverse("admin:accounts_user_change", args=[victim.pk])
    response = client.post(url, user_payload(victim))  # last_login posted blank
    assert response.status_code == 302
    victim.refresh_from_db()
    assert victim.last_login is not None
    assert victim.is_active


def test_staff_cannot_raise_their_own_rights(client, staff):
    client.force_login(staff)
    url = reverse("admin:accounts_user_change", args=[staff.pk])
    client.post(url, user_payload(staff, is_superuser="on"))
    staff.refresh_from_db()
    assert not staff.is_superuser


def test_superusers_may_correct_an_account_address(world, client, root):
    user = world.users["outsider"]
    client.force_login(root)
    url = reverse("admin:accounts_user_change", args=[user.pk])
    response = client.post(url, user_payload(user, email="outsider.new@example.org"))
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert user.email == "outsider.new@example.org"
