"""Fixtures for the matching pages: a cohort of real people with challenges."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from peerlearn.intake.models import Challenge
from peerlearn.matching.models import MatchingRun
from peerlearn.people.models import Organisation, Person
from peerlearn.programmes.models import Membership

THEMES = [
    ("Building a reform team from scratch", "Keeping a reform team motivated"),
    ("Managing a difficult political principal", "Briefing a new minister on reform"),
    ("Getting other agencies on board", "Coordinating agencies across government"),
    ("Creating a new public entity", "Setting up a new agency and its rules"),
]
COUNTRIES = ["KE", "GH", "PY", "UA", "FR"]

AddPeople = Callable[..., list[Person]]


@pytest.fixture
def add_participants(world) -> AddPeople:
    """``add_participants(n)`` adds n participants with challenges to ``world.event``."""

    def add(n: int, *, external: int = 0, prefix: str = "p") -> list[Person]:
        made = []
        for i in range(n):
            org = Organisation.objects.create(name=f"{prefix} organisation {i}")
            person = Person.objects.create(
                name=f"{prefix.upper()}{i:02d} Peer",
                email=f"{prefix}{i}@example.org",
                organisation=org,
                country=COUNTRIES[i % len(COUNTRIES)],
                role_title="Director" if i % 2 else "Adviser",
                seniority="middle" if i % 2 else "technical",
                languages=["en"],
                is_external=i < external,
            )
            Membership.objects.create(
                person=person, programme=world.programme, cohort=world.event, role="participant"
            )
            for position, text in enumerate(THEMES[i % len(THEMES)], start=1):
                Challenge.objects.create(
                    person=person, programme=world.programme, position=position, text=text
                )
            made.append(person)
        return made

    return add


def group_form(**overrides: object) -> dict[str, object]:
    """POST data of the groups form, quick for tests (time limit 0.3 s)."""
    data: dict[str, object] = {
        "weight_problems": 3,
        "weight_role": 0,
        "weight_policy": 0,
        "weight_context": 1,
        "role_mode": "equal",
        "min_size": 4,
        "max_size": 6,
        "max_per_organisation": 1,
        "max_per_country": "",
        "min_countries": 0,
        "avoid_repeats": "on",
        "shared_language": "on",
        "seed": 7,
        "time_limit": 0.3,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def fake_run(world, *, published: bool = True, cohort=None) -> MatchingRun:
    """A finished grouping of the event's three participants, without the engine."""

    from peerlearn.matching import services

    p = world.people
    run = MatchingRun.objects.create(
        cohort=cohort or world.event,
        kind="groups",
        parameters={"min_size": 1, "max_size": 6, "max_per_organisation": None},
        seed=1,
        status="done",
        progress=100,
        quality={"people": 3, "groups": 2, "cohesion": 1.0},
        result={
            "labels": ["G1", "G2"],
            "assignment": {
                str(p["participant"].pk): "G1",
                str(p["module_facilitator"].pk): "G1",
                str(p["peer"].pk): "G2",
            },
            "groups": {"G1": {"themes": ["reform team"]}, "G2": {"themes": []}},
            "members": {},
            "locked": [],
            "problems": [],
        },
        created_by=p["facilitator"],
    )
    if published:
        outcome = services.publish(run, run.version)
        assert outcome.ok, outcome
        run.refresh_from_db()
    return run
