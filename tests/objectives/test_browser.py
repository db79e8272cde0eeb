"""Objectives in a real browser, at desktop size and on a phone (390x844): set, lock, rate."""

from __future__ import annotations

import pytest
from django.utils import timezone

from peerlearn.objectives.models import LearningObjective
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, email):
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_selector("h1")


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1


def test_set_an_objective_facilitator_locks_then_rate_it(world, live_server, page):
    programme_url = f"{live_server.url}/programmes/{world.programme.slug}/"
    sign_in(page, live_server, "participant@example.org")
    page.goto(programme_url)
    page.click(".panel-my_objectives a:has-text('My objectives')")
    page.fill("#id_statement", "Run a meeting where everyone speaks")
    page.fill("#id_why", "Two people dominate our reform team")
    page.fill("#id_success_sign", "Every member speaks at the next meeting")
    page.select_option("#id_start_rating", "2")
    page.click("button:has-text('Save objective')")
    page.wait_for_selector(".messages")
    assert "Objective saved." in page.locator(".messages").inner_text()
    no_sideways_scroll(page)

    sign_in(page, live_server, "facilitator@example.org")
    page.goto(programme_url)
    assert "Participants without objectives: 2 of 3" in page.locator(".today").inner_text()
    page.click(".panel-objectives a:has-text('All objectives')")
    assert page.locator("text=Run a meeting where everyone speaks").is_visible()
    page.click("#lock-objectives")
    page.wait_for_selector(".messages")
    assert "1 objectives locked" in page.locator(".messages").inner_text()
    no_sideways_scroll(page)

    world.programme.end = timezone.localdate()  # the programme reaches its end
    world.programme.save()
    sign_in(page, live_server, "participant@example.org")
    page.goto(programme_url + "objectives/")
    assert page.locator(".objective .tag:has-text('Locked')").is_visible()
    assert page.locator(".objective a:has-text('Edit')").count() == 0
    page.click("a:has-text('Rate what you achieved')")
    page.select_option("#id_achievement", "2")
    page.fill("#id_achievement_evidence", "All five spoke; I kept a speaking order")
    page.click("button:has-text('Save rating')")
    page.wait_for_selector(".messages")
    assert "your rating is saved" in page.locator(".messages").inner_text()
    assert "Mostly achieved" in page.locator(".objective").inner_text()
    no_sideways_scroll(page)
    objective = LearningObjective.objects.get()
    assert objective.achievement == 2 and objective.locked_at is not None
