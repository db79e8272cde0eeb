"""Matching in a real browser (Debian's Chromium via Playwright), desktop and phone."""

from __future__ import annotations

import pytest

from peerlearn.matching.models import MatchingRun, Move, MoveRequest
from peerlearn.people.models import Organisation
from tests.conftest import PASSWORD
from tests.matching.conftest import fake_run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, email):  # noqa: F811
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_selector("h1")


def no_sideways_scroll(page):  # noqa: F811
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1


def test_facilitator_runs_moves_and_publishes(world, live_server, page, add_participants):  # noqa: F811
    add_participants(17)
    mf = world.people["module_facilitator"]
    mf.organisation = Organisation.objects.create(name="City of Lviv")
    mf.save()
    sign_in(page, live_server, "facilitator@example.org")
    page.goto(
        live_server.url + f"/programmes/{world.programme.slug}/cohorts/{world.event.pk}/runs/"
    )
    page.click("text=Match into groups")
    page.fill("#id_min_size", "2")
    page.fill("#id_max_size", "8")
    page.fill("#id_time_limit", "0.3")
    page.click("button:has-text('Run the matching')")
    page.wait_for_selector("#quality")
    assert "Done" in page.locator("#run-status").inner_text()
    no_sideways_scroll(page)

    run = MatchingRun.objects.get()
    assignment = run.result["assignment"]
    mover = next(pid for pid in assignment if pid not in {str(p.pk) for p in world.people.values()})
    target = next(label for label in run.result["labels"] if label != assignment[mover])
    page.select_option("#move-person", mover)
    page.select_option("#move-to", target)
    page.click("#move-form button[type=submit]")
    page.wait_for_selector(".messages")
    assert "moved from group" in page.locator(".messages").inner_text()
    assert "1 move among 20 people" in page.locator("#moves-line").inner_text()
    assert Move.objects.count() == 1

    # Publish with the keyboard.
    page.focus("#publish")
    page.keyboard.press("Enter")
    page.wait_for_selector("#what-changes")
    page.focus("#confirm-publish")
    page.keyboard.press("Enter")
    page.wait_for_selector("#published")
    assert "Published" in page.locator(".messages").inner_text()
    run.refresh_from_db()
    assert run.published_at is not None and run.result["assignment"][mover] == target
    no_sideways_scroll(page)


def test_participant_sees_group_and_asks_to_move(world, live_server, page):  # noqa: F811
    fake_run(world)
    sign_in(page, live_server, "participant@example.org")
    page.goto(
        live_server.url + f"/programmes/{world.programme.slug}/cohorts/{world.event.pk}/my-group/"
    )
    card = page.locator("#my-group").inner_text()
    assert "Group G1" in card and "Module_Facilitator Person" in card and "reform team" in card
    assert "Peer Person" not in card
    no_sideways_scroll(page)
    page.fill("#id_reason", "I work on land data; group G2 does too.")
    page.click("button:has-text('Send my request')")
    page.wait_for_selector(".messages")
    assert "sent to the facilitators" in page.locator(".messages").inner_text()
    assert "land data" in page.locator("#my-requests").inner_text()
    assert MoveRequest.objects.get().status == "pending"
    no_sideways_scroll(page)


def test_facilitator_swaps_and_names_groups(world, live_server, page, add_participants):  # noqa: F811
    """Full groups of 6: one swap, then a group name, on a phone as on a desktop."""
    from django.urls import reverse

    from tests.matching.conftest import group_form

    add_participants(9)
    sign_in(page, live_server, "facilitator@example.org")
    page.goto(
        live_server.url
        + reverse("matching:run_new", args=[world.programme.slug, world.event.pk, "groups"])
    )
    page.fill("#id_min_size", "6")
    page.fill("#id_max_size", "6")
    page.fill("#id_max_per_organisation", "")
    page.fill("#id_time_limit", str(group_form()["time_limit"]))
    page.click("button:has-text('Run the matching')")
    page.wait_for_selector("#quality")
    run = MatchingRun.objects.get()
    groups = list(run.run_result.groups_in_order().values())
    a, b = groups[0][0], groups[1][0]
    page.select_option("#swap-person", a)
    page.select_option("#swap-other", b)
    page.click("#swap-form button[type=submit]")
    page.wait_for_selector(".messages")
    assert "Swapped:" in page.locator(".messages").inner_text()
    run.refresh_from_db()
    assert run.result["assignment"][a] == run.run_result.labels[1]
    assert page.locator(".tag:has-text('moved by hand')").count() == 2
    no_sideways_scroll(page)

    label = run.result["labels"][0]
    page.click(f"#group-{label} summary")
    page.fill(f"#name-{label}", "Getting ministries on board")
    page.click(f"#group-{label} button:has-text('Save name')")
    page.wait_for_selector(".messages")
    assert "Getting ministries on board" in page.locator(f"#group-{label} h3").inner_text()
    with page.expect_download() as download:
        page.click("#export-csv")
    assert download.value.suggested_filename == f"groups-run-{run.pk}.csv"
    no_sideways_scroll(page)
