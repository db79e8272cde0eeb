"""At desktop size and on a phone (390x844): plan a recurring series, move one session,
run troika with the timer."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peerlearn.delivery.models import Session
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sequence_of(page, url: str) -> int:
    response = page.request.get(url)
    assert response.status == 200
    found = re.search(r"SEQUENCE:(\d+)", response.text())
    assert found, response.text()
    return int(found.group(1))


def test_plan_series_move_one_and_run_troika_timer(world, live_server, page):
    errors: list[str] = []
    # CSP refusals and script errors show up as console errors; a missing
    # favicon (the site has none) is not one of ours.
    page.on(
        "console",
        lambda m: (
            errors.append(f"{m.text} {m.location}")
            if m.type == "error" and "favicon" not in str(m.location)
            else None
        ),
    )
    page.goto(live_server.url + "/")
    page.fill("input[name=username]", "facilitator@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.goto(f"{live_server.url}/programmes/reform-leaders/sessions/formats/")
    page.click("button:has-text('Add the built-in formats')")
    assert page.locator("h2:has-text('Troika consulting')").count() == 1

    page.goto(f"{live_server.url}/programmes/reform-leaders/")
    page.click("text=All sessions")
    page.click("text=Plan sessions")
    day = (timezone.now() + timedelta(days=10)).date()
    page.select_option("select[name=cohort]", label="Ten-day event")
    page.fill("input[name=title]", "Daily troika")
    page.fill("input[name=day]", day.isoformat())
    page.fill("input[name=start]", "14:00")
    page.fill("input[name=minutes]", "90")
    page.fill("input[name=time_zone]", "Europe/Paris")
    page.select_option("select[name=repeat]", "weekdays")
    page.fill("input[name=count]", "10")
    page.select_option("select[name=format]", label="Troika consulting")
    page.click("button:has-text('Plan')")
    assert page.locator("h1").inner_text() == "Daily troika"
    assert Session.objects.filter(title="Daily troika").count() == 10

    ics_url = page.locator("a:has-text('Add to my calendar')").get_attribute("href")
    assert sequence_of(page, live_server.url + ics_url) == 0
    page.click("text=Move, edit or cancel")
    page.fill("input[name=start]", "15:30")
    page.click("button:has-text('Save')")
    assert "15:30" in page.locator("main").inner_text()
    assert sequence_of(page, live_server.url + ics_url) == 1

    timer = page.locator("#step-timer")
    assert timer.is_visible()
    assert timer.locator(".speaker").inner_text() == "The client"
    assert timer.locator(".remaining").inner_text() == "2:00"
    page.click("#step-timer button.toggle")
    expect(timer.locator(".remaining")).not_to_have_text("2:00")
    assert timer.locator(".toggle").inner_text() == "Pause"
    page.click("#step-timer button.next")
    assert timer.locator(".speaker").inner_text() == "The consultants"
    assert page.locator(".agenda .steps li.current").count() == 1
    box = timer.bounding_box()
    assert box is not None and box["width"] <= page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1
    assert not errors, errors
