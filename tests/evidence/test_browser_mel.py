"""On a phone and on a desktop, and printed: the MEL sections of the dashboard and the report
fit the screen, their tables read with their headings, and print without the filters."""

from __future__ import annotations

import pytest

from tests.evidence.test_browser import DESKTOP, PHONE, fits, sign_in
from tests.evidence.test_mel_sections import everything

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("page", [PHONE, DESKTOP], indirect=True, ids=["phone", "desktop"])
def test_mel_sections_on_screen_and_in_print(world, login, live_server, page, settings):
    settings.PEERLEARN_MIN_RESPONDENTS = 2
    everything(world, login)
    sign_in(page, live_server, "evaluator@example.org")
    page.goto(f"{live_server.url}/programmes/{world.programme.slug}/evidence/dashboard/")
    for key in ("mutuality", "stories", "reach", "theory", "experiments", "dual", "capabilities"):
        assert page.locator(f"#section-{key}").is_visible(), key
    fits(page)
    experiments = page.locator("#section-experiments")
    assert "8 of 11" in experiments.inner_text()
    assert experiments.locator("svg.chart").count() == 4
    assert "Private and substantiated" not in page.locator("#section-stories").inner_text()
    page.screenshot(
        path=f"/tmp/evidence-dashboard-{page.viewport_size['width']}.png", full_page=True
    )
    page.click("text=Funder report >> nth=0")
    page.wait_for_selector("#section-theory")
    fits(page)
    page.emulate_media(media="print")
    assert not page.locator("form.filters").is_visible()
    assert page.locator("#table-theory").is_visible()
    assert page.locator("#chart-pairs-data").is_visible()
