"""In a real browser, on a phone and on a desktop: link an outcome story to the exchange
peer learning went through, and find the link on both pages."""

from __future__ import annotations

from datetime import date

import pytest

from peerlearn.mel import services
from tests.harvest.conftest import make_story
from tests.harvest.test_browser import DESKTOP, PHONE, fits, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("page", [PHONE, DESKTOP], indirect=True, ids=["phone", "desktop"])
def test_link_a_story_to_an_exchange(world, live_server, page):
    story = make_story(world, "published", title="Treasury publishes cash reports")
    exchange = services.record_exchange(
        world.programme,
        giver=world.people["peer"],
        receiver=world.people["participant"],
        when=date(2026, 3, 2),
        kind="tool",
        learned="A monthly cash-report template",
        applied="yes",
        recorded_by=world.people["participant"],
    )
    sign_in(page, live_server, "facilitator@example.org")
    page.goto(f"{live_server.url}/programmes/{world.programme.slug}/stories/{story.pk}/")
    assert "No learning exchange linked." in page.locator("#story-exchanges").inner_text()
    page.click("#link-exchanges")
    page.fill("#id_q", "cash-report")
    with page.expect_navigation():  # the search is a GET form: wait for its page
        page.click("#exchange-search button")
    page.wait_for_selector(f"#candidates input[value='{exchange.pk}']")
    fits(page)
    page.check(f"#candidates input[value='{exchange.pk}']")
    page.click("text=Save the links")
    page.wait_for_selector("text=Exchanges linked: 1")
    linked = page.locator("#story-exchanges").inner_text()
    assert "Participant Person learned from Peer Person" in linked
    fits(page)
    assert list(story.exchanges.all()) == [exchange]

    # the participant who learned finds the story from their exchange
    sign_in(page, live_server, "participant@example.org")
    page.goto(f"{live_server.url}/programmes/{world.programme.slug}/mel/mine/")
    page.click(f"a[href$='/mel/{exchange.pk}/']")
    page.wait_for_selector("#exchange-stories")
    assert "Treasury publishes cash reports" in page.locator("#exchange-stories").inner_text()
    fits(page)
    page.click("#exchange-stories a")
    page.wait_for_selector("#story-exchanges")
    assert "Peer Person" in page.locator("#story-exchanges").inner_text()
