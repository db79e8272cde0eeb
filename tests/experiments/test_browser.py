"""In a real browser, at desktop and phone size: run an experiment comparison."""

from __future__ import annotations

import pytest
from scipy import stats

from peerlearn.experiments.models import Arm, Experiment
from tests.conftest import PASSWORD
from tests.experiments.conftest import ARM_SIZE, peer_contact_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, email):
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1


def test_run_an_experiment_comparison(world, login, live_server, page):
    survey = peer_contact_survey(world, login(world.users["facilitator"]))
    experiment = Experiment.objects.create(
        programme=world.programme, name="Review vs colleagues", design="control"
    )
    Arm.objects.create(
        experiment=experiment, name="Participants", source="survey_participants", survey=survey
    )
    Arm.objects.create(
        experiment=experiment, name="Control", source="survey_control", survey=survey, position=1
    )

    sign_in(page, live_server, "facilitator@example.org")
    page.click("text=Reform leaders")
    page.click("a:has-text('Experiments')")
    page.click("text=Review vs colleagues")
    page.click("text=Add an outcome to compare")
    page.fill("#id_label", "Worked together on a shared task")
    page.select_option("#id_source", "survey")
    page.select_option("#id_question", f"{survey.pk}:shared_task")
    page.select_option("#id_measure", "choices")
    page.fill("#id_choices", "yes")
    fits(page)
    page.click("button:has-text('Save')")
    page.wait_for_selector("section.outcome")
    outcome = page.locator("section.outcome").first
    text = outcome.inner_text()
    assert f"1 / {ARM_SIZE}" in text and f"6 / {ARM_SIZE}" in text
    expected = stats.fisher_exact([[6, 5], [1, 10]]).pvalue
    assert outcome.locator(".p-value").inner_text() == f"{expected:.3f}"
    assert "Small numbers" in text
    fits(page)
