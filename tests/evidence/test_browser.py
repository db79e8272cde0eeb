"""On a phone and on a desktop: the evaluator opens the dashboard, filters it, reads a chart's
numbers, opens the funder report and builds a data package."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.evidence.conftest import fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def sign_in(page, live_server, email):
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_load_state()


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1


@pytest.mark.parametrize("page", [PHONE, DESKTOP], indirect=True, ids=["phone", "desktop"])
def test_dashboard_report_and_package(world, live_server, page):
    fill(world)
    sign_in(page, live_server, "evaluator@example.org")
    page.goto(f"{live_server.url}/programmes/{world.programme.slug}/")
    page.click("text=Dashboard")
    page.wait_for_selector("#section-people")
    fits(page)
    assert page.locator("svg.chart").count() >= 1
    assert "Kenya" in page.locator("#chart-country-data").inner_text()
    page.select_option("select[name=cohort]", str(world.module.pk))
    page.click("button:has-text('Show')")
    page.wait_for_url(f"**cohort={world.module.pk}**")
    page.wait_for_selector("#section-rhythm")
    assert "0 of 0" in page.locator("#section-rhythm").inner_text()
    fits(page)
    page.click("text=Funder report >> nth=0")
    page.wait_for_selector("#section-people")
    fits(page)
    page.goto(f"{live_server.url}/programmes/{world.programme.slug}/evidence/package/")
    page.click("button:has-text('Build a data package')")
    page.wait_for_selector("#build-status")
    assert "Ready" in page.locator("#build-status").inner_text()
    with page.expect_download() as download:
        page.click("a.button:has-text('Download the zip')")
    assert download.value.suggested_filename.endswith(".zip")
    fits(page)
