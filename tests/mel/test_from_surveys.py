"""Survey answers to exchanges: identified responses only, people found, re-runs skip."""

from __future__ import annotations

from django.utils import timezone

from peerlearn.mel.from_surveys import exchanges_from_responses
from peerlearn.mel.models import Exchange
from peerlearn.surveys.models import Response
from tests.surveys.conftest import make_survey


def _response(survey, person, **answers):
    return Response.objects.create(
        survey=survey,
        person=person,
        answers=answers,
        submitted_at=timezone.now() if person else None,
    )


def test_survey_answers_become_exchanges(world):
    survey = make_survey(world, "pulse")
    named = _response(
        survey,
        world.people["participant"],
        learned_from="PEER@example.org",
        learned_what="Their costing template",
        learned_kind="tool",
        learned_applied="yes",
    )
    by_name = _response(survey, world.people["observer"], learned_from="Peer Person")
    anonymous = _response(survey, None, learned_from="peer@example.org")
    stranger = _response(survey, world.people["evaluator"], learned_from="nobody@example.org")
    itself = _response(survey, world.people["peer"], learned_from="peer@example.org")
    _response(survey, world.people["facilitator"], other="no item")

    result = exchanges_from_responses(Response.objects.filter(survey=survey).order_by("pk"))
    assert len(result.created) == 2
    exchange = Exchange.objects.get(receiver=world.people["participant"])
    assert (exchange.giver, exchange.kind, exchange.applied, exchange.source) == (
        world.people["peer"],
        "tool",
        "yes",
        "survey",
    )
    assert Exchange.objects.filter(receiver=world.people["observer"]).exists()
    assert dict(result.skipped) == {
        anonymous.pk: "not_identified",
        stranger.pk: "unknown_person",
        itself.pk: "self_loop",
    }
    assert named.pk not in dict(result.skipped) and by_name.pk not in dict(result.skipped)

    again = exchanges_from_responses(Response.objects.filter(survey=survey).order_by("pk"))
    assert again.created == [] and Exchange.objects.count() == 2
    assert dict(again.skipped)[named.pk] == "duplicate"
