"""With the Content-Security-Policy on, the pages' own styles and scripts still load.

Chromium reports every blocked script, style or attribute on the console; the
test collects those reports on the pages that carry a <style> block or a
script, and checks that the nonce'd styles really apply.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.surveys.models import Invitation
from tests.conftest import PASSWORD
from tests.surveys.conftest import make_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def csp_reports(page) -> list[str]:
    reports: list[str] = []
    page.on(
        "console",
        lambda message: (
            reports.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return reports


def test_pages_work_under_the_policy(world, live_server, page):
    reports = csp_reports(page)
    survey = make_survey(world, "pulse")
    invitation = Invitation.objects.create(survey=survey, person=world.people["participant"])
    answer_url = reverse("surveys:answer", args=[survey.pk, invitation.issue_link()])

    page.goto(live_server.url + "/")
    page.fill("input[name=username]", "facilitator@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.goto(
        live_server.url
        + reverse("surveys:instrument", args=[world.programme.slug, survey.instrument.pk])
    )
    facts = page.locator("dl.facts")
    assert facts.evaluate("e => getComputedStyle(e).display") == "grid"  # the nonce'd <style>
    page.goto(live_server.url + reverse("intake:topics_print", args=[world.programme.slug]))
    assert page.locator("body").evaluate("e => getComputedStyle(e).backgroundColor") == (
        "rgb(255, 255, 255)"
    )
    page.goto(live_server.url + answer_url)
    page.wait_for_load_state("load")
    scripts = page.evaluate("[...document.scripts].map(s => s.src)")
    assert any(src.endswith("answer.js") for src in scripts)
    assert reports == []
