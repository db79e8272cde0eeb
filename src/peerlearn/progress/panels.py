"""The progress panels of the programme page's "Today" section (programmes.today).

Facilitators see, for the cohorts they manage, the check-in rounds around
today (due in the past fortnight or the coming week) with the groups (and
pairs) that have not reported and those that say they are stuck, and the products
due in the next fortnight that the group has not handed in yet. A
participant sees their own groups' next check-in and products.

"Around today" is a decision: a round due more than two weeks ago is
history (the overview page keeps it), one due beyond next week is not yet
something to chase.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerlearn.objectives import rules
from peerlearn.people.models import signed_in_person
from peerlearn.programmes.models import Group, Programme
from peerlearn.programmes.permissions import Access
from peerlearn.programmes.today import Panel
from peerlearn.progress import states
from peerlearn.progress.models import CheckIn, CheckInRound, Product

LOOK_BACK = timedelta(days=14)
LOOK_AHEAD = timedelta(days=7)
PRODUCTS_AHEAD = timedelta(days=14)
#: A product in these states is still with the group: due dates concern it.
WITH_THE_GROUP = (states.DRAFT, states.REVISE)
SHOWN = 10
#: Groups named per list of a round ("Not yet:", "Stuck:"); the others are counted,
#: and the progress grid lists them all. A cohort of 1,700 groups is not a sentence.
GROUPS_SHOWN = 12


@dataclass(frozen=True)
class RoundStatus:
    """One round: how many reported, and the first groups not reported / stuck (by name)."""

    round: CheckInRound
    reported: str
    missing: list[Group]
    more_missing: int
    stuck: list[Group]
    more_stuck: int


def _current_rounds(cohort_ids: list[int], today: date):
    return CheckInRound.objects.filter(
        cohort_id__in=cohort_ids,
        due_date__gte=today - LOOK_BACK,
        due_date__lte=today + LOOK_AHEAD,
    ).order_by("due_date", "pk")


def _round_statuses(rounds: list[CheckInRound]) -> list[RoundStatus]:
    """The status of every round with three queries in all, whatever the number of groups.

    The cohorts' current groups (pairs after groups, each by name), which of
    them filed in each round, and which said they are stuck: sets looked up
    in Python, never a query per round or per group. Only the first
    ``GROUPS_SHOWN`` names of each list are kept; the rest is a count.
    """
    if not rounds:
        return []
    groups = list(
        Group.objects.filter(cohort_id__in={r.cohort_id for r in rounds}, archived_at__isnull=True)
        .only("pk", "name", "kind", "cohort_id")
        .order_by("kind", "name", "pk")
    )
    current = CheckIn.objects.filter(round__in=rounds, group__archived_at__isnull=True)
    filed = set(current.values_list("round_id", "group_id"))
    stuck = {
        (round_id, group_id)
        for round_id, group_id, text in current.exclude(stuck="").values_list(
            "round_id", "group_id", "stuck"
        )
        if text.strip()
    }
    out = []
    for round in rounds:
        mine = [g for g in groups if g.cohort_id == round.cohort_id]
        missing = [g for g in mine if (round.pk, g.pk) not in filed]
        stuck_here = [g for g in mine if (round.pk, g.pk) in stuck]
        out.append(
            RoundStatus(
                round=round,
                reported=rules.of(len(mine) - len(missing), len(mine)),
                missing=missing[:GROUPS_SHOWN],
                more_missing=max(0, len(missing) - GROUPS_SHOWN),
                stuck=stuck_here[:GROUPS_SHOWN],
                more_stuck=max(0, len(stuck_here) - GROUPS_SHOWN),
            )
        )
    return out


def _products_due(groups, today: date):
    return (
        Product.objects.filter(
            group__in=groups,
            state__in=WITH_THE_GROUP,
            due_date__isnull=False,
            due_date__lte=today + PRODUCTS_AHEAD,
        )
        .select_related("group")
        .order_by("due_date", "title")
    )


def progress_panel(request: HttpRequest, programme: Programme, access: Access) -> Panel:
    """Facilitators: who has not checked in, who is stuck, which products are due."""
    today = timezone.localdate()
    cohort_ids = [c.pk for c in programme.cohorts.all() if access.manages_cohort(c.pk)]
    rounds = _round_statuses(list(_current_rounds(cohort_ids, today)[:SHOWN]))
    groups = Group.objects.filter(cohort_id__in=cohort_ids, archived_at__isnull=True)
    due = _products_due(groups, today)
    products = list(due[:SHOWN])
    more = due.count() - SHOWN if len(products) == SHOWN else 0
    return Panel(
        "progress",
        _("Check-ins and products"),
        "progress/panels/progress.html",
        {
            "programme": programme,
            "rounds": rounds,
            "products": products,
            "more_products": more,
            "today": today,
        },
    )


@dataclass(frozen=True)
class MyGroup:
    group: Group
    next_round: CheckInRound | None
    filed: bool
    products: list[Product]


def _my_group(group: Group, today: date) -> MyGroup:
    round = (
        group.cohort.check_in_rounds.filter(due_date__gte=today - LOOK_BACK)
        .order_by("due_date", "pk")
        .first()
    )
    filed = round is not None and CheckIn.objects.filter(round=round, group=group).exists()
    products = group.products.filter(~Q(state=states.PUBLISHED)).order_by("due_date", "title")
    return MyGroup(group, round, filed, list(products[:SHOWN]))


def my_group_progress_panel(
    request: HttpRequest, programme: Programme, access: Access
) -> Panel | None:
    """Participants: their current groups' next check-in and products in progress."""
    me = signed_in_person(request)
    if me is None:
        return None
    groups = Group.objects.filter(
        cohort__programme=programme, archived_at__isnull=True, memberships__person=me
    ).order_by("name")
    today = timezone.localdate()
    mine = [_my_group(g, today) for g in groups]
    if not mine:
        return None
    return Panel(
        "my_group_progress",
        _("Your group's work"),
        "progress/panels/my_groups.html",
        {"programme": programme, "groups": mine, "today": today},
    )
