"""The progress panels of the programme page's "Today" section (objectives.dashboard).

Facilitators see, for the cohorts they manage, the check-in rounds around
today (due in the past fortnight or the coming week) with the groups that
have not reported and the groups that say they are stuck, and the products
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
from peerlearn.objectives.dashboard import Panel
from peerlearn.people.models import signed_in_person
from peerlearn.programmes.models import Group, Programme
from peerlearn.programmes.permissions import Access
from peerlearn.progress import states
from peerlearn.progress.models import CheckIn, CheckInRound, Product

LOOK_BACK = timedelta(days=14)
LOOK_AHEAD = timedelta(days=7)
PRODUCTS_AHEAD = timedelta(days=14)
#: A product in these states is still with the group: due dates concern it.
WITH_THE_GROUP = (states.DRAFT, states.REVISE)
SHOWN = 10


@dataclass(frozen=True)
class RoundStatus:
    round: CheckInRound
    reported: str
    missing: list[Group]
    stuck: list[Group]


def _current_rounds(cohort_ids: list[int], today: date):
    return CheckInRound.objects.filter(
        cohort_id__in=cohort_ids,
        due_date__gte=today - LOOK_BACK,
        due_date__lte=today + LOOK_AHEAD,
    ).order_by("due_date", "pk")


def _round_status(round: CheckInRound) -> RoundStatus:
    groups = list(round.cohort.groups.filter(archived_at__isnull=True).order_by("name"))
    filed = {c.group_id: c for c in CheckIn.objects.filter(round=round, group__in=groups)}
    return RoundStatus(
        round=round,
        reported=rules.of(len(filed), len(groups)),
        missing=[g for g in groups if g.pk not in filed],
        stuck=[g for g in groups if g.pk in filed and filed[g.pk].stuck.strip()],
    )


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
    rounds = [_round_status(r) for r in _current_rounds(cohort_ids, today)[:SHOWN]]
    groups = Group.objects.filter(cohort_id__in=cohort_ids, archived_at__isnull=True)
    due = _products_due(groups, today)
    return Panel(
        "progress",
        _("Check-ins and products"),
        "progress/panels/progress.html",
        {
            "programme": programme,
            "rounds": rounds,
            "products": list(due[:SHOWN]),
            "more_products": max(0, due.count() - SHOWN),
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
