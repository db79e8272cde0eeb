"""Shared fixtures: a small programme and named personas.

Personas (as in healthchecks' tests): the facilitator of the programme, a
participant (member of group A), another participant (group B), the
facilitator of one module only, an evaluator, an observer and an outsider
who facilitates a different programme.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission

from peerlearn.accounts.models import User
from peerlearn.intake.models import Challenge
from peerlearn.people.models import Organisation, Person
from peerlearn.programmes.models import Cohort, Group, GroupMember, GroupNote, Membership, Programme

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language.

    A request through the test client (or a mailer writing in a member's
    language) leaves its language active in the thread; without this reset a
    French page in one test turns the next test's messages French.
    """
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@dataclass
class World:
    programme: Programme
    other_programme: Programme
    event: Cohort
    module: Cohort
    group_a: Group
    group_b: Group
    people: dict[str, Person]
    users: dict[str, User]


def make_person(key: str, organisation: Organisation, *, with_user: bool = True) -> Person:
    person = Person.objects.create(
        name=f"{key.title()} Person",
        email=f"{key}@example.org",
        organisation=organisation,
        country="KE",
        role_title="Director",
        seniority="middle",
        languages=["en"],
    )
    if with_user:
        user = User.objects.create_user(
            username=person.email, email=person.email, password=PASSWORD
        )
        person.user = user
        person.save()
    return person


@pytest.fixture
def world(db) -> World:
    org = Organisation.objects.create(name="Ministry of Finance", country="KE", kind="ministry")
    programme = Programme.objects.create(name="Reform leaders", slug="reform-leaders")
    other = Programme.objects.create(name="Other network", slug="other-network")
    event = Cohort.objects.create(programme=programme, name="Ten-day event", kind="event")
    module = Cohort.objects.create(programme=programme, name="Module on budgeting", kind="module")
    keys = [
        "facilitator",
        "participant",
        "peer",
        "module_facilitator",
        "evaluator",
        "observer",
        "outsider",
    ]
    people = {key: make_person(key, org) for key in keys}
    Membership.objects.create(person=people["facilitator"], programme=programme, role="facilitator")
    Membership.objects.create(
        person=people["participant"], programme=programme, cohort=event, role="participant"
    )
    Membership.objects.create(
        person=people["peer"], programme=programme, cohort=event, role="participant"
    )
    # One person, two roles: facilitates the module, takes part in the event.
    Membership.objects.create(
        person=people["module_facilitator"], programme=programme, cohort=module, role="facilitator"
    )
    Membership.objects.create(
        person=people["module_facilitator"], programme=programme, cohort=event, role="participant"
    )
    Membership.objects.create(person=people["evaluator"], programme=programme, role="evaluator")
    Membership.objects.create(person=people["observer"], programme=programme, role="observer")
    Membership.objects.create(person=people["outsider"], programme=other, role="facilitator")
    add = Permission.objects.get(codename="add_programme")
    for key in ("facilitator", "outsider"):
        people[key].user.user_permissions.add(add)
    group_a = Group.objects.create(cohort=event, name="Group A")
    group_b = Group.objects.create(cohort=event, name="Group B")
    GroupMember.objects.create(group=group_a, person=people["participant"])
    GroupMember.objects.create(group=group_b, person=people["peer"])
    GroupNote.objects.create(group=group_a, author=people["participant"], text="Secret of group A")
    Challenge.objects.create(
        person=people["participant"], programme=programme, position=1, text="Building a reform team"
    )
    users = {key: person.user for key, person in people.items()}
    return World(programme, other, event, module, group_a, group_b, people, users)


@pytest.fixture
def login(client):
    def as_persona(user: User | None):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return as_persona


# Real-browser fixtures (`browser`, `page`) live in one module, registered once
# for the whole suite: a second copy would start a second Playwright in the
# same process, which Playwright refuses.
pytest_plugins = ["tests.browser_fixtures"]
