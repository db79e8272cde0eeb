"""In a real browser, on a phone and on a desktop: harvest a story, ask a substantiator,
answer by the e-mailed link without an account, see the story substantiated."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from peerlearn.harvest.models import OutcomeStory, Substantiation
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def sign_in(page, live_server, email):
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1


@pytest.mark.parametrize("page", [PHONE, DESKTOP], indirect=True, ids=["phone", "desktop"])
def test_harvest_a_story_and_substantiate_it_by_link(world, live_server, page, settings):
    settings.SITE_URL = live_server.url
    sign_in(page, live_server, "facilitator@example.org")
    page.click("text=Reform leaders")
    page.click("a:has-text('Outcome stories')")
    page.click("text=Register a story")
    page.fill("#id_title", "Treasury publishes monthly cash reports")
    page.fill(
        "#id_description",
        "Since May 2026 the Treasury in Nairobi publishes a cash report every month.",
    )
    page.fill("#id_social_actor", "Treasury cash-management unit")
    page.select_option("#id_kind", "practice")
    page.check("text=Participant Person")
    page.check("text=Group A")
    page.fill("#id_contribution", "The participant copied a peer's reporting template.")
    page.select_option("#id_visibility", "evaluators")
    fits(page)
    page.click("text=Save the story")
    page.wait_for_selector("#verification")
    assert page.locator("#verification").inner_text() == "Unverified"
    story = OutcomeStory.objects.get()
    assert list(story.change_agents.values_list("email", flat=True)) == ["participant@example.org"]

    page.fill("#substantiator-form input[name=name]", "Amina Wanjiru")
    page.fill("#substantiator-form input[name=email]", "amina@example.org")
    fits(page)
    page.click("text=Ask for substantiation")
    page.wait_for_selector("text=will receive a personal link")
    assert [m.to for m in mail.outbox] == [["amina@example.org"]]
    link = re.search(r"http\S+/substantiate/\S+/", mail.outbox[0].body).group(0)

    page.context.clear_cookies()  # the substantiator has no account
    page.goto(link)
    assert "Treasury in Nairobi" in page.locator("#description").inner_text()
    page.check("text=I agree fully")
    page.fill("#id_comment", "I read the May and June reports.")
    fits(page)
    page.click("text=Send my answer")
    page.wait_for_selector("#thanks")
    assert Substantiation.objects.get().answer == "full"

    page.goto(link)  # the link answers once
    assert "already used" in page.locator("h1").inner_text()

    sign_in(page, live_server, "evaluator@example.org")
    page.goto(f"{live_server.url}/programmes/{world.programme.slug}/stories/{story.pk}/")
    page.wait_for_selector("#verification")
    assert page.locator("#verification").inner_text() == "Substantiated"
    assert "I read the May and June reports." in page.locator("#substantiations").inner_text()
    assert "Amina" not in page.locator("#substantiations").inner_text()
    fits(page)
