"""The theory of change in the database: starting map, revisions, evidence, overrides."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from peerlearn.engine.theory import LEVELS, Link, Node, validate
from peerlearn.objectives.models import LearningObjective
from peerlearn.surveys.models import Response
from peerlearn.theory import services
from peerlearn.theory.builtin import CAPABILITIES, node_label, starting_map
from peerlearn.theory.models import EvidenceTie, Revision
from tests.surveys.conftest import make_survey


def test_starting_map_is_valid_and_holds_five_capabilities_at_three_levels():
    theory_map = starting_map()
    assert validate(theory_map) == []
    capabilities = [n for n in theory_map.nodes if n.kind == "capability"]
    assert {(n.key.split("_")[1], n.level) for n in capabilities} == {
        (name, level) for name in CAPABILITIES for level in LEVELS
    }
    assert {n.kind for n in theory_map.nodes} == {
        "activity",
        "capability",
        "outcome",
        "impact",
        "assumption",
    }


def test_new_theory_proposes_the_starting_map_and_nothing_is_in_force(world):
    theory = services.theory_for(world.programme)
    assert services.theory_for(world.programme).pk == theory.pk
    [first] = theory.revisions.all()
    assert first.number == 1 and first.approved_at is None
    assert services.approved_revision(theory) is None


def test_propose_approve_and_the_map_of_a_date(world):
    user = world.users["facilitator"]
    theory = services.theory_for(world.programme)
    first = services.approve(theory.revisions.get(number=1), user)
    Revision.objects.filter(pk=first.pk).update(approved_at=timezone.now() - timedelta(days=10))
    draft = services.draft_map(theory)
    changed = draft.__class__(
        (*draft.nodes, Node("out_budget", "outcome", "Budgets published")),
        (*draft.links, Link("l_new", "cap_deliver_institutional", "out_budget", "skills")),
        draft.ceiling,
    )
    services.save_draft(theory, changed)
    second = services.propose(theory, user, "Budgets matter")
    assert second.number == 2
    with pytest.raises(services.Refused):
        services.propose(theory, user, "Same again")
    services.approve(second, user)
    assert services.approved_revision(theory).number == 2
    assert services.approved_revision(theory, timezone.now() - timedelta(days=5)).number == 1
    assert services.approved_revision(theory, timezone.now() - timedelta(days=20)) is None


def test_a_cycle_is_refused_and_nothing_is_written(world):
    theory = services.theory_for(world.programme)
    draft = services.draft_map(theory)
    looped = draft.__class__(
        draft.nodes,
        (*draft.links, Link("back", "cap_commit_context", "cap_commit_individual", "loop")),
        draft.ceiling,
    )
    with pytest.raises(services.Refused) as refused:
        services.save_draft(theory, looped)
    assert [p.kind for p in refused.value.problems] == ["cycle"]
    theory.refresh_from_db()
    assert services.draft_map(theory) == draft


def test_a_superseded_proposal_cannot_be_approved(world):
    user = world.users["facilitator"]
    theory = services.theory_for(world.programme)
    services.save_draft(theory, services.draft_map(theory).__class__(ceiling="impact"))
    services.propose(theory, user, "Empty for a test")
    services.approve(theory.revisions.get(number=2), user)
    with pytest.raises(services.Refused):
        services.approve(theory.revisions.get(number=1), user)


def _answer(survey, value, n):
    for _ in range(n):
        Response.objects.create(survey=survey, answers={"me_commit": value})


def test_survey_indicator_is_suppressed_below_k_then_supports(world):
    survey = make_survey(world, "capabilities")
    survey.instrument.min_respondents = 3
    survey.instrument.save()
    theory = services.theory_for(world.programme)
    EvidenceTie.objects.create(
        theory=theory,
        element="cap_commit_individual",
        kind="survey_question",
        params={
            "instrument": survey.instrument.pk,
            "question": "me_commit",
            "baseline": 2,
            "target": 3,
        },
    )
    _answer(survey, "3", 2)
    the_map = services.draft_map(theory)
    assert services.statuses(theory, the_map)["cap_commit_individual"].status == "untested"
    _answer(survey, "4", 1)
    record = services.statuses(theory, the_map)["cap_commit_individual"]
    assert (record.status, record.supports) == ("supported", 1)
    [(_tie, item)] = services.evidence_items(theory)["cap_commit_individual"]
    assert item.current == pytest.approx(10 / 3)


def test_objectives_achieved_and_an_override_with_its_reason(world):
    theory = services.theory_for(world.programme)
    EvidenceTie.objects.create(theory=theory, element="out_reforms", kind="objectives_achieved")
    for achievement in (0, 1, 3):
        LearningObjective.objects.create(
            programme=world.programme,
            person=world.people["participant"],
            statement="s",
            why="w",
            success_sign="x",
            start_rating=2,
            achievement=achievement,
        )
    the_map = services.draft_map(theory)
    assert services.statuses(theory, the_map)["out_reforms"].status == "contested"
    with pytest.raises(services.Refused):
        services.override(theory, "out_reforms", "supported", "  ", world.users["facilitator"])
    services.override(
        theory, "out_reforms", "supported", "Ratings were harsh", world.users["facilitator"]
    )
    record = services.statuses(theory, the_map)["out_reforms"]
    assert (record.status, record.computed, record.overridden) == ("supported", "contested", True)
    services.override(theory, "out_reforms", "", "Back to the evidence", world.users["facilitator"])
    assert not services.statuses(theory, the_map)["out_reforms"].overridden


def test_builtin_labels_follow_the_language():
    from django.utils import translation

    node = starting_map().node("cap_adapt_context")
    with translation.override("es"):
        spanish = node_label(node)
    assert spanish != "Adapt and renew" and spanish
    edited = Node(node.id, node.kind, "Our own words", node.level)
    assert node_label(edited) == "Our own words"


def test_survey_indicator_is_the_summary_of_every_whole_response(world):
    """Grouping the one question's answers in the database gives what summarising every
    whole response gave (relevance, k and the control arm's exclusion kept)."""
    from peerlearn.surveys.analysis import plan, summarise
    from peerlearn.theory.evidence import _mean, survey_question
    from tests.surveys.test_results_pages import respond

    survey = make_survey(world, "pulse")
    survey.instrument.min_respondents = 3
    survey.instrument.save()
    for i in range(9):
        answers = {
            "useful": str(1 + i % 5),
            "heard": str(i % 4),
            "will_try": "yes" if i % 3 else "no",
        }
        if i % 3:
            answers["what_try"] = f"Thing {i}"
        respond(survey, answers, audience="control" if i == 8 else "participant")
    form = survey.instrument.form
    whole = summarise(
        form,
        Response.objects.filter(survey=survey)
        .exclude(audience="control")
        .values_list("answers", flat=True),
        k=3,
        language=None,
    )
    compared = 0
    for item in plan(form):
        expected = next(q for q in whole.questions if q.name == item.question.name)
        indicator = survey_question(
            world.programme,
            {"instrument": survey.instrument.pk, "question": item.question.name},
        )
        assert indicator is not None
        wanted = None if expected.suppressed else _mean(expected)
        assert indicator.current == (pytest.approx(wanted) if wanted is not None else None)
        compared += wanted is not None
    assert compared >= 2
