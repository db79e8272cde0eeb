"""A programme with something in every app, on top of the shared ``world``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from peerlearn.delivery.models import Attendance
from peerlearn.matching.models import MatchingRun, PublishedPair
from peerlearn.objectives.models import LearningObjective, OrganisationalOutcome
from peerlearn.progress.models import Product
from peerlearn.surveys.identity import pseudonym_for
from peerlearn.surveys.models import Invitation
from tests.delivery.conftest import group_a_session, plenary
from tests.progress.conftest import file_check_in, make_round
from tests.surveys.conftest import make_survey
from tests.surveys.test_results_pages import respond

RESPONDENTS = ("participant", "peer", "module_facilitator", "observer", "evaluator")


def fill(world) -> dict:
    """Sessions with attendance, a check-in, a product, objectives, a run, surveys."""
    session = plenary(world)
    Attendance.objects.create(session=session, person=world.people["participant"], present=True)
    Attendance.objects.create(session=session, person=world.people["peer"], present=False)
    group_a_session(world)
    file_check_in(world, world.group_a, make_round(world), stuck="Secret land records")
    Product.objects.create(group=world.group_a, title="Land data plan", kind="action_plan")
    LearningObjective.objects.create(
        programme=world.programme,
        person=world.people["participant"],
        statement="Budget tagging",
        why="Because",
        success_sign="A tagged budget",
        start_rating=2,
    )
    OrganisationalOutcome.objects.create(
        programme=world.programme,
        organisation=world.people["participant"].organisation,
        kind="practice",
        level="organisation",
        description="Budgets tagged for climate",
    )
    run = MatchingRun.objects.create(
        cohort=world.event,
        kind="pairs",
        status="done",
        parameters={"weights": {"problems": 1.0}, "keep_apart": [["1", "2"]]},
    )
    PublishedPair.objects.create(
        run=run,
        cohort=world.event,
        label="P1",
        a=world.people["participant"],
        b=world.people["peer"],
    )
    pulse = make_survey(world, "pulse")
    for i in range(5):
        respond(pulse, {"useful": "4", "heard": str(1 + i), "will_try": "yes", "what_try": "x"})
    contact = make_survey(world, "peer_contact", anonymity="pseudonymous")
    for key in RESPONDENTS:
        person = world.people[key]
        Invitation.objects.create(survey=contact, person=person)
        respond(
            contact,
            {"respondent": "participant", "peers": 1},
            pseudonym=pseudonym_for(world.programme.pk, person.pk),
            when=datetime(2024, 6, 12, 15, 0, tzinfo=UTC),
        )
    small = make_survey(world, "pulse", title="Small pulse")
    respond(small, {"useful": "5", "what_try": "Only me"})
    return {"pulse": pulse, "contact": contact, "small": small, "run": run, "session": session}


@pytest.fixture
def full_world(world):
    world.made = fill(world)
    return world
