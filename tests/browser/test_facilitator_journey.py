"""The facilitator's whole journey in a real browser, desktop and phone:
intake status -> topics -> matching run -> move a member -> publish."""

from __future__ import annotations

import pytest

from peerlearn.intake.models import TopicSet
from peerlearn.matching.models import MatchingRun, Move
from peerlearn.programmes.models import Group
from tests.conftest import PASSWORD
from tests.matching.conftest import add_participants  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1


def test_intake_topics_run_move_publish(world, live_server, page, add_participants):  # noqa: F811
    add_participants(18)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "facilitator@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.click("text=Reform leaders")

    page.click("a:has-text('Intake')")
    status = page.locator("main .card").first.inner_text()
    assert "of" in status and "answered" in status  # "1 of 21 people have answered."
    assert fits_the_screen(page)

    page.click("a:has-text('Curate topics')")
    page.click("button:has-text('Propose topics')")
    page.wait_for_selector("button:has-text('Save as the baseline')")
    page.click("button:has-text('Save as the baseline')")
    page.wait_for_selector(".messages")
    assert TopicSet.objects.filter(programme=world.programme, status="baseline").exists()
    assert fits_the_screen(page)

    page.goto(live_server.url + world.programme.get_absolute_url())
    page.click(f"a[href$='/cohorts/{world.event.pk}/runs/new/groups/']")
    page.fill("#id_min_size", "4")
    page.fill("#id_max_size", "6")
    page.fill("#id_time_limit", "0.5")
    page.click("button:has-text('Run the matching')")
    page.wait_for_selector("#quality")
    run = MatchingRun.objects.get()
    assignment = run.result["assignment"]
    sizes = {label: list(assignment.values()).count(label) for label in run.result["labels"]}
    source = max(sizes, key=sizes.get)
    target = min(sizes, key=sizes.get)
    personas = {str(p.pk) for p in world.people.values()}  # they share one organisation
    mover = next(
        pid for pid, label in assignment.items() if label == source and pid not in personas
    )
    page.select_option("#move-person", mover)
    page.select_option("#move-to", target)
    page.click("#move-form button[type=submit]")
    page.wait_for_selector(".messages")
    assert "moved from group" in page.locator(".messages").inner_text()
    assert Move.objects.filter(run=run, person_id=int(mover), to_group=target).exists()

    page.click("#publish")
    page.click("#confirm-publish")  # the page saying what moves to earlier groupings
    page.wait_for_selector("#published")
    run.refresh_from_db()
    assert run.published_at is not None
    assert Group.objects.filter(cohort=world.event).count() >= len(run.result["labels"])
    assert fits_the_screen(page)
