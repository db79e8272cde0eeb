"""Objectives in a real browser on a phone (390x844): set, lock, rate."""

from __future__ import annotations

import pytest
from django.utils import timezone

from peerlearn.objectives.models import LearningObjective
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


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


def test_set_an_objective_facilitator_locks_then_rate_it(world, live_server, phone):
    programme_url = f"{live_server.url}/programmes/{world.programme.slug}/"
    sign_in(phone, live_server, "participant@example.org")
    phone.goto(programme_url)
    phone.click(".panel-my_objectives a:has-text('My objectives')")
    phone.fill("#id_statement", "Run a meeting where everyone speaks")
    phone.fill("#id_why", "Two people dominate our reform team")
    phone.fill("#id_success_sign", "Every member speaks at the next meeting")
    phone.select_option("#id_start_rating", "2")
    phone.click("button:has-text('Save objective')")
    phone.wait_for_selector(".messages")
    assert "Objective saved." in phone.locator(".messages").inner_text()
    no_sideways_scroll(phone)

    sign_in(phone, live_server, "facilitator@example.org")
    phone.goto(programme_url)
    assert "Participants without objectives: 2 of 3" in phone.locator(".today").inner_text()
    phone.click(".panel-objectives a:has-text('All objectives')")
    assert phone.locator("text=Run a meeting where everyone speaks").is_visible()
    phone.click("#lock-objectives")
    phone.wait_for_selector(".messages")
    assert "1 objectives locked" in phone.locator(".messages").inner_text()
    no_sideways_scroll(phone)

    world.programme.end = timezone.localdate()  # the programme reaches its end
    world.programme.save()
    sign_in(phone, live_server, "participant@example.org")
    phone.goto(programme_url + "objectives/")
    assert phone.locator(".objective .tag:has-text('Locked')").is_visible()
    assert phone.locator(".objective a:has-text('Edit')").count() == 0
    phone.click("a:has-text('Rate what you achieved')")
    phone.select_option("#id_achievement", "2")
    phone.fill("#id_achievement_evidence", "All five spoke; I kept a speaking order")
    phone.click("button:has-text('Save rating')")
    phone.wait_for_selector(".messages")
    assert "your rating is saved" in phone.locator(".messages").inner_text()
    assert "Mostly achieved" in phone.locator(".objective").inner_text()
    no_sideways_scroll(phone)
    objective = LearningObjective.objects.get()
    assert objective.achievement == 2 and objective.locked_at is not None
