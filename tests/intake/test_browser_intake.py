"""A participant answers the intake form from the e-mailed link, on a phone and on a desktop."""

from __future__ import annotations

import pytest

from peerlearn.intake import services
from peerlearn.intake.models import Challenge

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_participant_answers_and_edits_from_the_link(world, live_server, page):  # noqa: F811
    invitation = services.invitation_for(world.people["peer"], world.programme)
    url = live_server.url + "/intake/" + invitation.issue_token() + "/"
    page.goto(url)
    assert "Your challenges for Reform leaders" in page.locator("h1").inner_text()

    # Nothing overflows sideways, even at 390 px.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]
    box = page.locator("#id_challenge_1").bounding_box()
    assert box is not None and box["width"] <= page.viewport_size["width"]

    # Too few challenges: a clear error, nothing saved.
    page.fill("#id_challenge_1", "Getting other agencies on board")
    page.click("button[type=submit]:has-text('Save my answers')")
    assert page.locator(".error").first.is_visible()
    assert not Challenge.objects.filter(person=world.people["peer"]).exists()

    page.fill("#id_challenge_2", "Managing a difficult political principal")
    page.fill("#id_challenge_3", "Creating a new land agency")
    page.fill("#id_expectation_1", "How peers brought ministers along")
    page.click("button[type=submit]:has-text('Save my answers')")
    assert "answers are saved" in page.locator("h1").inner_text()

    # The same link again: pre-filled, and a change makes a second version.
    page.goto(url)
    assert page.input_value("#id_challenge_2") == "Managing a difficult political principal"
    page.locator("#id_challenge_4").focus()
    page.keyboard.type("Keeping the team after the election")
    page.click("button[type=submit]:has-text('Save my answers')")
    assert "answers are saved" in page.locator("h1").inner_text()
    texts = list(
        Challenge.objects.filter(person=world.people["peer"]).values_list("text", flat=True)
    )
    assert texts[-1] == "Keeping the team after the election"
    assert invitation.versions.count() == 2


def test_unknown_link_says_so(world, live_server, page):  # noqa: F811
    response = page.goto(live_server.url + "/intake/not-a-real-token/")
    assert response is not None and response.status == 404
    assert "not recognised" in page.locator("h1").inner_text()
