"""On a phone (390x844): plan a recurring series, move one session, run troika with the timer."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peerlearn.delivery.models import Session
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sequence_of(phone, url: str) -> int:
    response = phone.request.get(url)
    assert response.status == 200
    found = re.search(r"SEQUENCE:(\d+)", response.text())
    assert found, response.text()
    return int(found.group(1))


def test_plan_series_move_one_and_run_troika_timer(world, live_server, phone):
    errors: list[str] = []
    # CSP refusals and script errors show up as console errors; a missing
    # favicon (the site has none) is not one of ours.
    phone.on(
        "console",
        lambda m: (
            errors.append(f"{m.text} {m.location}")
            if m.type == "error" and "favicon" not in str(m.location)
            else None
        ),
    )
    phone.goto(live_server.url + "/")
    phone.fill("input[name=username]", "facilitator@example.org")
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]:has-text('Sign in')")
    phone.goto(f"{live_server.url}/programmes/reform-leaders/sessions/formats/")
    phone.click("button:has-text('Add the built-in formats')")
    assert phone.locator("h2:has-text('Troika consulting')").count() == 1

    phone.goto(f"{live_server.url}/programmes/reform-leaders/")
    phone.click("text=All sessions")
    phone.click("text=Plan sessions")
    day = (timezone.now() + timedelta(days=10)).date()
    phone.select_option("select[name=cohort]", label="Ten-day event")
    phone.fill("input[name=title]", "Daily troika")
    phone.fill("input[name=day]", day.isoformat())
    phone.fill("input[name=start]", "14:00")
    phone.fill("input[name=minutes]", "90")
    phone.fill("input[name=time_zone]", "Europe/Paris")
    phone.select_option("select[name=repeat]", "weekdays")
    phone.fill("input[name=count]", "10")
    phone.select_option("select[name=format]", label="Troika consulting")
    phone.click("button:has-text('Plan')")
    assert phone.locator("h1").inner_text() == "Daily troika"
    assert Session.objects.filter(title="Daily troika").count() == 10

    ics_url = phone.locator("a:has-text('Add to my calendar')").get_attribute("href")
    assert sequence_of(phone, live_server.url + ics_url) == 0
    phone.click("text=Move, edit or cancel")
    phone.fill("input[name=start]", "15:30")
    phone.click("button:has-text('Save')")
    assert "15:30" in phone.locator("main").inner_text()
    assert sequence_of(phone, live_server.url + ics_url) == 1

    timer = phone.locator("#step-timer")
    assert timer.is_visible()
    assert timer.locator(".speaker").inner_text() == "The client"
    assert timer.locator(".remaining").inner_text() == "2:00"
    phone.click("#step-timer button.toggle")
    expect(timer.locator(".remaining")).not_to_have_text("2:00")
    assert timer.locator(".toggle").inner_text() == "Pause"
    phone.click("#step-timer button.next")
    assert timer.locator(".speaker").inner_text() == "The consultants"
    assert phone.locator(".agenda .steps li.current").count() == 1
    box = timer.bounding_box()
    assert box is not None and box["width"] <= 390
    assert not errors, errors
