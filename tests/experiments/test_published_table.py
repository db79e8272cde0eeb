"""Reproduce a published table: seed 001 experiment 4, review participants vs control group.

Twenty-two real responses to the built-in peer-contact instrument (11 review
participants, 11 control-group officials added on the survey's control-group
page) with exactly the published answers; the comparison page then shows the
published counts and the two-sided Fisher exact p-values scipy gives.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse
from scipy import stats

from peerlearn.experiments import comparisons
from peerlearn.experiments.models import Experiment
from peerlearn.surveys.models import Response
from tests.experiments.conftest import ARM_SIZE, PUBLISHED_TABLE, peer_contact_survey

ROWS = [
    # (table key, row label, question, measure, choices, threshold)
    ("lasting", "Contact with a peer lasting 3+ months", "lasting", "at_least", "", "1"),
    (
        "same_organisation",
        "Peers in the same organisation",
        "same_organisation",
        "choices",
        "yes",
        "",
    ),
    (
        "monthly_or_less",
        "Contact monthly or less often",
        "frequency",
        "choices",
        "monthly, quarterly, once",
        "",
    ),
    ("shared_task", "Worked together on a shared task", "shared_task", "choices", "yes", ""),
]


def build_experiment(world, facilitator, survey) -> Experiment:
    slug = world.programme.slug
    response = facilitator.post(
        reverse("experiments:new", args=[slug]),
        {"name": "Governance review vs colleagues", "design": "control"},
    )
    assert response.status_code == 302
    experiment = Experiment.objects.get(programme=world.programme)
    for name, source in (
        ("Review participants", "survey_participants"),
        ("Control group", "survey_control"),
    ):
        response = facilitator.post(
            reverse("experiments:arm_new", args=[slug, experiment.pk]),
            {"name": name, "source": source, "survey": survey.pk},
        )
        assert response.status_code == 302, response.context["form"].errors
    for _key, label, question, measure, choices, threshold in ROWS:
        response = facilitator.post(
            reverse("experiments:outcome_new", args=[slug, experiment.pk]),
            {
                "label": label,
                "source": "survey",
                "question": f"{survey.pk}:{question}",
                "measure": measure,
                "choices": choices,
                "threshold": threshold,
            },
        )
        assert response.status_code == 302, response.context["form"].errors
    return experiment


def section(html: str, outcome_pk: int) -> str:
    found = re.search(rf'id="outcome-{outcome_pk}"(.*?)</section>', html, re.S)
    assert found, f"no section for outcome {outcome_pk}"
    return unescape(re.sub(r"\s+", " ", found.group(1)))


@pytest.mark.django_db
def test_the_comparison_page_reproduces_seed_001_experiment_4(world, login):
    facilitator = login(world.users["facilitator"])
    survey = peer_contact_survey(world, facilitator)
    assert Response.objects.filter(survey=survey, batch__isnull=False).count() == 2 * ARM_SIZE
    experiment = build_experiment(world, facilitator, survey)

    evaluator = login(world.users["evaluator"])
    page = evaluator.get(reverse("experiments:detail", args=[world.programme.slug, experiment.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    outcomes = list(experiment.outcomes.all())
    assert len(outcomes) == len(ROWS)
    for outcome, (key, label, *_rest) in zip(outcomes, ROWS, strict=True):
        yes_participants, yes_control = PUBLISHED_TABLE[key]
        text = section(html, outcome.pk)
        assert label in text
        assert f"{yes_participants} / {ARM_SIZE}" in text
        assert f"{yes_control} / {ARM_SIZE}" in text
        expected = stats.fisher_exact(
            [
                [yes_control, ARM_SIZE - yes_control],
                [yes_participants, ARM_SIZE - yes_participants],
            ],
            alternative="two-sided",
        ).pvalue
        shown = re.search(r'class="p-value">([0-9.]+)<', text)
        assert shown, text
        assert float(shown.group(1)) == pytest.approx(expected, abs=5e-4)
        # the service behind the page, to full precision
        result = comparisons.compare_outcome(outcome, list(experiment.arms.all()))
        counts = [(f.summary.count, f.summary.n) for f in result.arms]
        assert counts == [(yes_participants, ARM_SIZE), (yes_control, ARM_SIZE)]
        assert result.comparison.contrasts[0].p_value == pytest.approx(expected, rel=1e-12)
        # 11 per arm is small: the page says so in plain words
        assert "Small numbers" in text
