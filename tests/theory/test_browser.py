"""Desktop and phone: revise the theory of change, then view the old version."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from peerlearn.theory import services
from peerlearn.theory.models import Revision
from tests.progress.test_browser import fits, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shows(page, node_id: str) -> bool:
    """Whether the node is on the map as the reader sees it (SVG on desktop, list on a phone)."""
    phone = page.viewport_size["width"] < 700
    selector = f'.toc-list [data-node="{node_id}"]' if phone else f'svg [data-node="{node_id}"]'
    return page.locator(selector).count() == 1 and page.locator(selector).first.is_visible()


def test_revise_the_theory_of_change_and_view_an_old_version(world, live_server, page):
    theory = services.theory_for(world.programme)
    services.approve(theory.revisions.get(number=1), world.users["facilitator"])
    Revision.objects.filter(theory=theory, number=1).update(
        approved_at=timezone.now() - timedelta(days=30)
    )
    base = f"{live_server.url}/programmes/{world.programme.slug}"

    sign_in(page, live_server, "facilitator@example.org")
    page.goto(base + "/")
    page.click("text=Theory of change")
    page.wait_for_selector("#revision-info")
    assert _shows(page, "act_visits")
    fits(page)
    page.click("text=Edit the working copy")
    page.wait_for_selector("#add-node")

    # a backwards link is refused with a clear message
    page.select_option("#id_source", "out_reforms")
    page.select_option("#id_target", "act_groups")
    page.fill("#id_rationale", "Reforms create groups")
    page.click("#add-link button[type=submit]")
    page.wait_for_selector("#edit-errors")
    assert "cannot go back down the chain" in page.inner_text("#edit-errors")

    # add an outcome, remove the study visits, propose and approve
    page.select_option("#id_kind", "outcome")
    page.fill("#id_label", "Open budget data published")
    page.click("#add-node button[type=submit]")
    page.wait_for_selector("text=Working copy saved")
    page.click("#node-act_visits summary")
    page.click("#node-act_visits >> text=Remove with its links")
    page.wait_for_selector("text=Working copy saved")
    assert page.locator("#node-act_visits").count() == 0
    page.fill("#id_reason", "Visits were dropped; open data became a goal")
    fits(page)
    page.click("#propose")
    page.wait_for_selector("#approve")
    assert "Open budget data published" in page.inner_text(".toc-diff")
    page.click("#approve")
    page.wait_for_selector("text=is now in force")
    assert not _shows(page, "act_visits")
    drawn = " ".join(page.inner_text(".toc-drawing").split())  # the SVG wraps labels
    assert "Open budget data published" in drawn

    # the map of ten days before still has the visits
    page.click("text=Revisions")
    page.wait_for_selector("#revision-2")
    old_day = (timezone.localdate() - timedelta(days=10)).isoformat()
    page.fill("#as-of-date", old_day)
    page.click("button:has-text('Show')")
    page.wait_for_selector("#revision-info")
    assert "Revision 1" in page.inner_text("#revision-info")
    assert _shows(page, "act_visits")
    fits(page)
