"""At desktop size and on a phone (390x844): file a check-in, turn a common problem
into a working group, review a product as a peer of another group."""

from __future__ import annotations

import pytest

from peerlearn.programmes.models import Group, GroupMember
from peerlearn.progress.models import CheckIn, Review
from tests.conftest import PASSWORD, make_person
from tests.progress.conftest import file_check_in, make_round, pair_group, reviewed_by_peer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, email):
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1


def test_check_in_working_group_and_peer_review(world, live_server, page):
    round = make_round(world)
    group_c = Group.objects.create(cohort=world.event, name="Group C")
    GroupMember.objects.create(
        group=group_c, person=make_person("carla", world.people["peer"].organisation)
    )
    file_check_in(world, world.group_b, round, stuck="Our land ownership records are out of date")
    file_check_in(world, group_c, round, help_peers="Bad land ownership records block the registry")
    product, review = reviewed_by_peer(world)

    # 1. a participant files the group's check-in
    sign_in(page, live_server, "participant@example.org")
    page.goto(f"{live_server.url}/programmes/{world.programme.slug}/groups/{world.group_a.pk}/")
    page.click("text=Check-ins and products")
    page.click("text=File the check-in")
    page.fill("#id_completed", "Mapped the parcels of two districts")
    page.fill("#id_stuck", "Land ownership records are missing for half the parcels")
    page.select_option("#id_progress", "2")
    fits(page)
    page.click("text=Save the check-in")
    page.wait_for_selector(".check-in dl")
    assert "Mapped the parcels" in page.locator(".check-in").first.inner_text()
    assert CheckIn.objects.get(group=world.group_a).progress == 2

    # 2. the facilitator finds the common problem and creates a working group
    sign_in(page, live_server, "facilitator@example.org")
    page.click("text=Reform leaders")
    page.click("text=Progress of the groups")
    assert "2/5" in page.locator("#progress-grid").inner_text()
    page.click("text=Common problems")
    page.click("#propose-problems")
    page.wait_for_selector(".problem")
    assert "Group C" in page.locator(".problem").first.inner_text()
    page.locator(".problem").first.locator("text=Create a working group").click()
    page.fill("#create-working-group input[name=name]", "Land data working group")
    fits(page)
    page.click("text=Create the working group")
    page.wait_for_selector("h1:has-text('Land data working group')")
    working = Group.objects.get(name="Land data working group")
    assert set(working.members.values_list("email", flat=True)) == {
        "participant@example.org",
        "peer@example.org",
        "carla@example.org",
    }

    # 3. the peer of group B (another organisation) reviews group A's product
    sign_in(page, live_server, "peer@example.org")
    page.goto(f"{live_server.url}/programmes/{world.programme.slug}/progress/reviews/")
    page.click(f"text={product.title}")
    # `.all()` does not wait: let the review page load before listing its selects
    page.wait_for_selector("#review-form select")
    for select in page.locator("#review-form select").all():
        select.select_option("3")
    page.fill("#id_comments", "Clear plan; add the costs")
    fits(page)
    page.click("text=Send the review")
    page.wait_for_selector("text=Review sent")
    review.refresh_from_db()
    assert review.submitted_at is not None and review.comments == "Clear plan; add the costs"
    assert set(review.scores.values()) == {3}
    assert Review.objects.count() == 1


@pytest.mark.parametrize("page", [{"width": 390, "height": 844}], indirect=True, ids=["phone"])
def test_a_pair_member_files_the_pairs_check_in_on_a_phone(world, live_server, page):
    group = pair_group(world)  # the participant and the module facilitator
    make_round(world, title="Week 1")
    sign_in(page, live_server, "module_facilitator@example.org")
    page.goto(
        f"{live_server.url}/programmes/{world.programme.slug}/cohorts/{world.event.pk}/my-pair/"
    )
    assert "Participant Person" in page.locator("#my-pair").inner_text()
    page.click("#pair-page")
    page.wait_for_selector("h1:has-text('Pair P1')")
    fits(page)
    page.click("text=Check-ins and products")
    page.click("text=File the check-in")
    page.fill("#id_completed", "Walked through each other's budget process")
    page.fill("#id_stuck", "The treasury will not share last year's figures")
    page.select_option("#id_progress", "3")
    fits(page)
    page.click("text=Save the check-in")
    page.wait_for_selector(".check-in dl")
    assert "each other's budget" in page.locator(".check-in").first.inner_text()
    assert "Only this pair" in page.content()
    fits(page)
    filed = CheckIn.objects.get(group=group)
    assert filed.progress == 3 and filed.author == world.people["module_facilitator"]
