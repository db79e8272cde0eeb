"""The groups' progress board: transparent, good-natured competition between groups.

Groups of a cohort side by side with progress figures that belong to the
group, never to a person. Each figure is a :class:`Metric` (a label and a
function from groups to numbers); other apps add theirs (check-in milestones,
product states, review scores) with :func:`register_metric`. The score is the
sum of the figures; ranks are "competition" ranks (1, 1, 3).

Ranks are a display choice of the programme: ``near`` shows a participant the
rank of their own group and of the groups just above and below it (the
facilitators see all); ``none`` shows no ranks to anyone. The figures
themselves are the transparent part and are shown for every group.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from peerlearn.objectives.models import ACHIEVED_FROM, Authorisation, LearningObjective
from peerlearn.programmes.models import Group


@dataclass(frozen=True)
class Metric:
    key: str
    label: str | Promise
    compute: Callable[[Sequence[Group]], Mapping[int, int]]


METRICS: list[Metric] = []


def register_metric(metric: Metric) -> Metric:
    """Add a figure to the board (idempotent by key)."""
    if all(m.key != metric.key for m in METRICS):
        METRICS.append(metric)
    return metric


def competition_ranks(scores: Mapping[int, int]) -> dict[int, int]:
    """Rank 1 for the highest score; ties share a rank and the next rank skips (1, 1, 3)."""
    ordered = sorted(scores.values(), reverse=True)
    return {key: ordered.index(score) + 1 for key, score in scores.items()}


def visible_ranks(
    ranks: Mapping[int, int], mode: str, own: Iterable[int], *, sees_all: bool
) -> dict[int, int]:
    """The ranks this viewer is shown.

    ``none``: none. Facilitators (``sees_all``): all. A participant in ``near``
    mode: their own groups' ranks and those of groups ranked within one place
    of them; a viewer with no group in the cohort sees none.
    """
    if mode == "none":
        return {}
    if sees_all:
        return dict(ranks)
    own_ranks = [ranks[g] for g in own if g in ranks]
    return {
        group: rank
        for group, rank in ranks.items()
        if any(abs(rank - mine) <= 1 for mine in own_ranks)
    }


def _group_objectives(groups: Sequence[Group]) -> Mapping[int, int]:
    rows = (
        LearningObjective.objects.filter(group__in=groups)
        .values("group_id")
        .annotate(n=Count("pk"))
    )
    return {r["group_id"]: r["n"] for r in rows}


def _group_objectives_achieved(groups: Sequence[Group]) -> Mapping[int, int]:
    rows = (
        LearningObjective.objects.filter(group__in=groups)
        .values("group_id")
        .annotate(n=Count("pk", filter=Q(achievement__gte=ACHIEVED_FROM)))
    )
    return {r["group_id"]: r["n"] for r in rows}


def _authorised(groups: Sequence[Group]) -> Mapping[int, int]:
    granted = Authorisation.objects.filter(group__in=groups, status="granted")
    return dict.fromkeys(granted.values_list("group_id", flat=True), 1)


register_metric(Metric("objectives", _("Group objectives set"), _group_objectives))
register_metric(Metric("achieved", _("Group objectives achieved"), _group_objectives_achieved))
register_metric(Metric("authorised", _("Authorised"), _authorised))


@dataclass(frozen=True)
class BoardRow:
    group: Group
    figures: list[int]
    score: int
    rank: int | None
    own: bool


def board_rows(
    groups: Sequence[Group], mode: str, own: set[int], *, sees_all: bool
) -> list[BoardRow]:
    """One row per group, alphabetical (an order that reveals no rank)."""
    columns = [m.compute(groups) for m in METRICS]
    figures = {g.pk: [int(c.get(g.pk, 0)) for c in columns] for g in groups}
    scores = {pk: sum(values) for pk, values in figures.items()}
    shown = visible_ranks(competition_ranks(scores), mode, own, sees_all=sees_all)
    return [
        BoardRow(g, figures[g.pk], scores[g.pk], shown.get(g.pk), g.pk in own)
        for g in sorted(groups, key=lambda g: g.name)
    ]
