"""A repeat answered in a real browser, on a phone: with JavaScript (relevance
per instance live) and without it (the server-side "Add another" button)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.surveys.models import Invitation, Response
from tests.surveys.test_repeats import open_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def personal_link(world, live_server, tmp_path) -> str:
    survey = open_survey(world, tmp_path)
    invitation = Invitation.objects.create(survey=survey, person=world.people["participant"])
    return live_server.url + reverse("surveys:answer", args=[survey.pk, invitation.issue_link()])


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def field(index: int, name: str) -> str:
    return f'[name="peers[{index}].{name}"]'


def choice(index: int, name: str, number: int) -> str:
    return f'label[for="in-peers[{index}].{name}-{number}"]'


def test_instances_with_javascript_relevance_follows_each_instance(
    world, live_server, page, tmp_path
):
    page.goto(personal_link(world, live_server, tmp_path))
    assert fits_the_screen(page)
    page.fill('[name="role"]', "Chair")
    page.fill(field(0, "peer"), "Ana")
    page.click(choice(0, "often", 3))  # never: the joint-task group goes away
    page.locator('[data-name="peers[0].task"]').wait_for(state="hidden")
    page.click(choice(0, "often", 1))  # weekly: it comes back, for this instance
    page.locator('[data-name="peers[0].task"]').wait_for(state="visible")
    with page.expect_navigation():
        page.click('button[value="add:peers"]')
    page.locator(field(1, "peer")).wait_for()
    assert page.input_value(field(0, "peer")) == "Ana"  # saved before adding
    page.fill(field(1, "peer"), "Ben")
    page.click(choice(1, "often", 3))
    page.locator('[data-name="peers[1].task"]').wait_for(state="hidden")
    assert page.locator('[data-name="peers[0].task"]').is_visible()
    assert fits_the_screen(page)
    with page.expect_navigation():
        page.click("#submit-answers")
    answers = Response.objects.get().answers
    assert [p["peer"] for p in answers["peers"]] == ["Ana", "Ben"]
    assert answers["peers"][1]["often"] == "never"


def test_add_and_remove_without_javascript(world, live_server, browser, tmp_path):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(personal_link(world, live_server, tmp_path))
        page.fill('[name="role"]', "Mayor")
        page.fill(field(0, "peer"), "Ana")
        with page.expect_navigation():
            page.click('button[value="add:peers"]')
        page.fill(field(1, "peer"), "Ben")
        with page.expect_navigation():
            page.click('button[value="add:peers"]')
        assert page.locator(".survey-instance").count() == 3
        with page.expect_navigation():
            page.click('button[value="remove:peers:0"]')
        assert page.input_value(field(0, "peer")) == "Ben"
        page.click(choice(0, "often", 2))
        with page.expect_navigation():
            page.click("#submit-answers")
        answers = Response.objects.get().answers
        # the third instance was left wholly empty: not stored
        assert answers["peers"] == [{"peer": "Ben", "often": "monthly", "number": 1}]
    finally:
        context.close()
