"""Check-ins and products on the programme page's "Today" section."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from peerlearn.progress.models import CheckInRound, Product
from tests.progress.conftest import file_check_in, make_round


def _today(client, world) -> str:
    page = client.get(reverse("programmes:detail", args=[world.programme.slug]))
    assert page.status_code == 200
    return page.content.decode().split('id="today-title"')[-1]


def _round_due_in(world, days, title="This week"):
    return make_round(world, title=title, due=timezone.localdate() + timedelta(days=days))


def test_facilitators_see_who_has_not_checked_in_and_who_is_stuck(world, login):
    round = _round_due_in(world, 2)
    file_check_in(world, world.group_a, round, stuck="Land records are missing")
    _round_due_in(world, 30, title="Far away round")
    today = _today(login(world.users["facilitator"]), world)
    panel = today.split("Check-ins and products")[1]
    assert "This week" in panel and "checked in: 1 of 2" in panel
    assert "Not yet:" in panel and "Group B" in panel.split("Not yet:")[1].split("<br>")[0]
    assert "Group A" in panel.split("Stuck:")[1]
    assert "Far away round" not in panel


def test_products_due_soon_and_not_handed_in_are_listed_overdue_first(world, login):
    today = timezone.localdate()
    Product.objects.create(
        group=world.group_a, title="Late plan", kind="report", due_date=today - timedelta(days=1)
    )
    Product.objects.create(
        group=world.group_b,
        title="Submitted brief",
        kind="report",
        due_date=today + timedelta(days=3),
        state="submitted",
    )
    Product.objects.create(
        group=world.group_b, title="Far plan", kind="report", due_date=today + timedelta(days=60)
    )
    panel = _today(login(world.users["facilitator"]), world).split("Check-ins and products")[1]
    assert "Late plan" in panel and "overdue" in panel
    assert "Submitted brief" not in panel and "Far plan" not in panel


def test_a_module_facilitator_sees_only_their_cohorts_rounds(world, login):
    _round_due_in(world, 1, title="Event round")
    CheckInRound.objects.create(
        cohort=world.module, title="Module round", due_date=timezone.localdate()
    )
    panel = _today(login(world.users["module_facilitator"]), world)
    assert "Module round" in panel and "Event round" not in panel


def test_a_participant_sees_their_groups_next_check_in_and_products_only(world, login):
    round = _round_due_in(world, 3)
    Product.objects.create(group=world.group_a, title="Our plan", kind="report")
    Product.objects.create(group=world.group_b, title="Their plan", kind="report")
    client = login(world.users["participant"])
    panel = _today(client, world).split("Your group&#x27;s work")[1]
    assert "File the check-in" in panel and "Our plan" in panel
    assert "Their plan" not in panel and "Group B" not in panel
    file_check_in(world, world.group_a, round, completed="Draft")
    assert "filed" in _today(client, world).split("Your group&#x27;s work")[1]


def test_evaluators_and_observers_get_no_progress_panels(world, login):
    _round_due_in(world, 1)
    for persona in ("evaluator", "observer"):
        today = _today(login(world.users[persona]), world)
        assert "Check-ins and products" not in today
        assert "Your group" not in today


def _panel_queries(world, login) -> tuple[int, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from peerlearn.programmes.today import FACILITATOR_PANELS
    from peerlearn.progress.panels import progress_panel

    assert progress_panel in FACILITATOR_PANELS
    client = login(world.users["facilitator"])
    with CaptureQueriesContext(connection) as captured:
        panel = _today(client, world).split("Check-ins and products")[1]
    return len(captured.captured_queries), panel


def test_the_panel_costs_the_same_queries_for_many_groups_and_names_only_the_first(world, login):
    from peerlearn.programmes.models import Group
    from peerlearn.progress.panels import GROUPS_SHOWN

    first = _round_due_in(world, 1, title="Round one")
    # The first visit may build the programme's mutuality snapshot (mel/snapshots.py)
    # for the one-way panel; count the pages after it.
    _panel_queries(world, login)
    few, _panel = _panel_queries(world, login)
    many = [Group.objects.create(cohort=world.event, name=f"Team {i:02d}") for i in range(30)]
    second = _round_due_in(world, -3, title="Round two")
    for group in many:
        file_check_in(world, group, first, stuck="Data missing")
    more, panel = _panel_queries(world, login)
    # one more round and 30 more groups, yet the page runs no more queries
    assert more == few
    assert "checked in: 30 of 32" in panel and "checked in: 0 of 32" in panel
    not_yet = panel.split("Round two")[1].split("Not yet:")[1].split("</span>")[0]
    assert not_yet.count("<a ") == GROUPS_SHOWN and f"and {32 - GROUPS_SHOWN} more" in not_yet
    stuck = panel.split("Round one")[1].split("Stuck:")[1].split("</li>")[0]
    assert stuck.count("<a ") == GROUPS_SHOWN and f"and {30 - GROUPS_SHOWN} more" in stuck
    assert second.title in panel
