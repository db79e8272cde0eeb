"""Load the demo network (``network.json``) idempotently.

Running it twice leaves the database as after one run: people are matched
by e-mail, organisations by name, cohorts by name, groups by name, and the
demo programme's challenges and expectations are replaced.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

from django.contrib.auth.models import Permission
from django.db import transaction

from peerlearn.accounts.models import User
from peerlearn.demo.surveys import load_demo_surveys
from peerlearn.intake.answers import Answers, Entry, write_answers
from peerlearn.people.models import Organisation, Person
from peerlearn.programmes.models import Cohort, Group, GroupMember, Membership, Programme

#: Password of the demo accounts (facilitator, evaluator). Demo only.
DEMO_PASSWORD = "peerlearn-demo"  # noqa: S105


@dataclass(frozen=True)
class DemoSummary:
    programme: str
    people: int
    organisations: int
    facilitator_email: str


def demo_data() -> dict[str, Any]:
    text = resources.files("peerlearn.demo").joinpath("network.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@transaction.atomic
def load_demo() -> DemoSummary:
    data = demo_data()
    organisations = {
        o["name"]: Organisation.objects.update_or_create(
            name=o["name"], defaults={"country": o["country"], "kind": o["kind"]}
        )[0]
        for o in data["organisations"]
    }
    spec = data["programme"]
    programme, _ = Programme.objects.update_or_create(
        slug=spec["slug"],
        defaults={
            "name": spec["name"],
            "purpose": spec["purpose"],
            "facilitating_organisation": organisations.get(spec["facilitating_organisation"]),
            "languages": spec["languages"],
            "start": _date(spec["start"]),
            "end": _date(spec["end"]),
            "stage": spec["stage"],
        },
    )
    cohorts = {
        c["key"]: Cohort.objects.update_or_create(
            programme=programme,
            name=c["name"],
            defaults={
                "kind": c["kind"],
                "start": _date(c["start"]),
                "end": _date(c["end"]),
                "place": c.get("place", ""),
                "online": c.get("online", False),
            },
        )[0]
        for c in data["cohorts"]
    }
    for entry in data["facilitators"]:
        person = _person(entry, organisations)
        _account(person, can_create_programmes=True)
        Membership.objects.get_or_create(
            person=person, programme=programme, cohort=None, role="facilitator"
        )
    for entry in data["evaluators"]:
        person = _person(entry, organisations)
        _account(person)
        Membership.objects.get_or_create(
            person=person, programme=programme, cohort=None, role="evaluator"
        )
    for entry in data["people"]:
        person = _person(entry, organisations)
        cohort = cohorts[entry["cohort"]]
        Membership.objects.get_or_create(
            person=person, programme=programme, cohort=cohort, role="participant"
        )
        _challenges(person, programme, entry)
        if entry.get("team"):
            group, _ = Group.objects.get_or_create(cohort=cohort, name=entry["team"])
            GroupMember.objects.get_or_create(group=group, person=person)
    load_demo_surveys(programme, cohorts)
    return DemoSummary(
        programme=programme.name,
        people=len(data["people"]),
        organisations=len(organisations),
        facilitator_email=data["facilitators"][0]["email"],
    )


def _person(entry: dict[str, Any], organisations: dict[str, Organisation]) -> Person:
    person, _ = Person.objects.update_or_create(
        email=entry["email"].lower(),
        defaults={
            "name": entry["name"],
            "organisation": organisations.get(entry.get("organisation", "")),
            "country": entry.get("country", ""),
            "role_title": entry.get("role_title", ""),
            "seniority": entry.get("seniority", ""),
            "languages": entry.get("languages", []),
            "gender": entry.get("gender", "") or "",
            "is_external": entry.get("external", False),
            "is_alumni": entry.get("alumni", False),
            "consent_to_contact": entry.get("consent_to_contact", True),
        },
    )
    return person


def _account(person: Person, *, can_create_programmes: bool = False) -> None:
    user = person.user or User.objects.filter(email=person.email).first()
    if user is None:
        user = User(email=person.email, username=person.email, first_name=person.name[:150])
    user.set_password(DEMO_PASSWORD)
    user.save()
    if can_create_programmes:
        user.user_permissions.add(Permission.objects.get(codename="add_programme"))
    if person.user_id != user.pk:
        person.user = user
        person.save(update_fields=["user"])


def _challenges(person: Person, programme: Programme, entry: dict[str, Any]) -> None:
    """The person's demo answers, through the versioning writer (unchanged: no new version)."""
    answers = Answers(
        {
            i: Entry(c["text"], tuple(c.get("tags", [])))
            for i, c in enumerate(entry["challenges"], start=1)
        },
        dict(enumerate(entry.get("expectations", []), start=1)),
    )
    write_answers(programme, {person.pk: answers}, entered_by=None, on_behalf=True)
