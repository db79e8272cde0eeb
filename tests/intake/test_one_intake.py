"""One intake (issue 11 item 6): the built-in intake survey writes the challenges matching reads."""

from __future__ import annotations

import pytest

from peerlearn.intake.from_survey import answers_from
from peerlearn.intake.models import Challenge, IntakeInvitation, IntakeVersion, LearningExpectation
from peerlearn.people.choices import ORGANISATION_KIND_CHOICES
from peerlearn.people.models import Person
from peerlearn.surveys import answering
from peerlearn.surveys.instruments.engagement import intake as intake_definition
from peerlearn.surveys.models import Invitation
from tests.surveys.conftest import make_survey

pytestmark = pytest.mark.django_db

ANSWERS = {
    "role": "Head of the tax policy unit",
    "org_kind": "municipality",
    "years_in_role": "4",
    "challenge_1": "Our land registry is full of duplicate titles",
    "challenge_2": "The finance ministry cut the reform budget",
    "challenge_3": "Nobody owns the data on informal traders",
    "challenge_4": "",
    "challenge_kinds": ["coordination", "technical"],
    "learning_expectations": "How other cities got ministries on board",
    "end_product": "A plan for a single registry",
    "prior_peer_learning": "no",
}


def _submit(world, person: Person, values=None, *, anonymity: str | None = None):
    survey = make_survey(world, "intake", anonymity=anonymity)
    invitation = Invitation.objects.create(survey=survey, person=person, audience="participant")
    submitted = answering.submit(invitation, values or ANSWERS, "en")
    assert submitted.ok, submitted.checked.errors
    return submitted


def _texts(model, world, person: Person) -> list[str]:
    rows = model.objects.filter(programme=world.programme, person=person).order_by("position")
    return list(rows.values_list("text", flat=True))


def test_an_identified_intake_response_becomes_the_persons_challenges(world):
    person = world.people["peer"]
    _submit(world, person)
    assert _texts(Challenge, world, person) == [
        ANSWERS["challenge_1"],
        ANSWERS["challenge_2"],
        ANSWERS["challenge_3"],
    ]
    tags = Challenge.objects.filter(programme=world.programme, person=person)
    assert {tuple(c.tags) for c in tags} == {("coordination", "technical")}
    assert _texts(LearningExpectation, world, person) == [ANSWERS["learning_expectations"]]
    invitation = IntakeInvitation.objects.get(programme=world.programme, person=person)
    assert invitation.submitted_at is not None
    assert IntakeVersion.objects.filter(invitation=invitation).count() == 1


def test_it_replaces_earlier_challenges_and_keeps_the_old_ones_in_a_version(world):
    person = world.people["participant"]  # the world gave them one challenge already
    assert _texts(Challenge, world, person) == ["Building a reform team"]
    _submit(world, person)
    assert _texts(Challenge, world, person)[0] == ANSWERS["challenge_1"]
    versions = IntakeVersion.objects.filter(invitation__person=person)
    assert versions.count() == 1
    assert versions.get().challenges == _texts(Challenge, world, person)


@pytest.mark.parametrize("anonymity", ["pseudonymous", "anonymous"])
def test_a_response_that_names_nobody_writes_nothing(world, anonymity):
    person = world.people["peer"]
    _submit(world, person, anonymity=anonymity)
    assert _texts(Challenge, world, person) == []


def test_a_non_member_respondent_writes_nothing(world):
    outsider = world.people["outsider"]  # a facilitator of another programme only
    _submit(world, outsider)
    assert not Challenge.objects.filter(person=outsider).exists()


def test_other_instruments_write_no_challenges(world):
    survey = make_survey(world, "pulse", anonymity="identified")
    invitation = Invitation.objects.create(
        survey=survey, person=world.people["peer"], audience="participant"
    )
    pulse = {"useful": "5", "heard": "4", "will_try": "no", "challenge_1": "not an intake"}
    assert answering.submit(invitation, pulse, "en").ok
    assert _texts(Challenge, world, world.people["peer"]) == []


def test_a_failing_receiver_never_costs_the_submission(world, monkeypatch, caplog):
    """The survey keeps the response even when intake cannot write (logged, not raised)."""
    from peerlearn.intake import from_survey

    def broken(response):
        raise RuntimeError("intake is down")

    monkeypatch.setattr(from_survey, "write_from_response", broken)
    submitted = _submit(world, world.people["peer"])
    assert submitted.response is not None and submitted.response.pk
    assert "response_submitted failed" in caplog.text


def test_answers_without_a_challenge_never_erase_challenges():
    assert answers_from({"challenge_1": "  ", "learning_expectations": "x"}) is None
    mapped = answers_from({"challenge_2": " Only the second ", "challenge_kinds": "team"})
    assert mapped is not None
    assert [(n, e.text, e.tags) for n, e in mapped.challenges.items()] == [
        (1, "Only the second", ("team",))
    ]
    assert mapped.expectations == {}


def test_the_instrument_asks_the_rosters_organisation_kinds():
    form = intake_definition()
    codes = [choice.name for choice in form.choice_lists["org_kind"].choices]
    assert codes == [code for code, _label in ORGANISATION_KIND_CHOICES]
