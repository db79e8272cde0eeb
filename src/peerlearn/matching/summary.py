"""A finished run's headline figures: the one computation behind the run page and the report.

The run page (``matching/views.py:run_detail``) and the funder report's
"how they were matched and why" (``evidence/matching_figures.py``) both read
:func:`run_summary`, so the number of groups, their sizes, the criteria's
shares of the closest possible grouping and the hand edits are the same
numbers in both (``tests/evidence/test_matching_section.py``).

Returns data only (counts, keys, shares); :mod:`peerlearn.matching.wording`
words it.  Nothing here holds a challenge's text: a group's themes are the
key phrases the run page shows beside each group, counted over the groups
(the report leaves out a theme that is a whole challenge).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count
from django.db.models.fields.json import KeyTransform

from peerlearn.matching.models import MatchingRun, Move
from peerlearn.matching.result import RunParameters, RunResult
from peerlearn.programmes.permissions import Access

#: The parts of ``MatchingRun.result`` a summary reads (the members' reasons are not needed).
SUMMARY_KEYS = ("labels", "assignment", "groups", "pairs")


def reads_runs(access: Access, cohort_id: int) -> bool:
    """Who reads a cohort's runs (the run page, with its groups' themes): the cohort's
    facilitators and the programme's evaluators."""
    return access.manages_cohort(cohort_id) or "evaluator" in access.programme_roles


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    cohort_id: int
    kind: str  # "groups" or "pairs"
    published_at: datetime | None
    #: People in the run (``quality["people"]``, as the run page has always shown; else
    #: those placed in a group or a pair).
    people: int
    #: Groups (with at least one member) or pairs (a trio counts once).
    units: int
    #: ``(size, how many groups or pairs of that size)``, smallest first.
    sizes: list[tuple[int, int]]
    #: The form's positive criterion weights (``RunParameters.criteria``).
    weights: dict[str, float]
    #: The engine's criterion shares as stored (``quality["criteria"]``; groups only).
    criteria: dict[str, dict[str, float]]
    #: Total affinity over the upper bound (``quality["ratio"]``), ``None`` when not computed.
    ratio: float | None
    #: Moves and re-pairs made by hand after the run (``Move`` rows).
    moves: int
    #: The groups' themes (the run page's, per group) with how many groups hold each,
    #: most groups first.
    themes: list[tuple[str, int]] = field(default_factory=list)


def _sizes(members: Iterable[int]) -> list[tuple[int, int]]:
    return sorted(Counter(members).items())


def _themes(
    groups: Mapping[str, Mapping[str, Any]], labels: Iterable[str]
) -> list[tuple[str, int]]:
    """Each theme with the number of groups holding it (case folded, the spelling first
    seen kept), the most groups first."""
    counts: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for label in labels:
        seen = set()
        for theme in (groups.get(label) or {}).get("themes") or []:
            key = str(theme).casefold()
            if key and key not in seen:
                seen.add(key)
                counts[key] += 1
                spelling.setdefault(key, str(theme))
    held = [(spelling[key], n) for key, n in counts.items()]
    return sorted(held, key=lambda row: (-row[1], row[0].casefold()))


def summarise_result(run: MatchingRun, result: RunResult, moves: int) -> RunSummary:
    """The summary of ``run`` from its ``result`` (whole, or only :data:`SUMMARY_KEYS`)."""
    quality = run.quality or {}
    ratio = quality.get("ratio")
    themes: list[tuple[str, int]] = []
    if run.kind == "pairs":
        people_of: dict[str, set[str]] = {}
        for row in result.pairs:
            people_of.setdefault(str(row.get("label")), set()).update(
                {str(row.get("a")), str(row.get("b"))}
            )
        sizes = _sizes(len(members) for members in people_of.values())
        placed = len(set().union(*people_of.values())) if people_of else 0
    else:
        groups = {label: ids for label, ids in result.groups_in_order().items() if ids}
        sizes = _sizes(len(ids) for ids in groups.values())
        placed = sum(len(ids) for ids in groups.values())
        themes = _themes(result.groups, groups)
    return RunSummary(
        run_id=run.pk,
        cohort_id=run.cohort_id,
        kind=run.kind,
        published_at=run.published_at,
        people=int(quality.get("people") or placed),
        units=sum(n for _size, n in sizes),
        sizes=sizes,
        weights=RunParameters.from_json(run.parameters).criteria(),
        criteria=dict(quality.get("criteria") or {}),
        ratio=float(ratio) if ratio is not None else None,
        moves=moves,
        themes=themes,
    )


def run_summary(run: MatchingRun) -> RunSummary:
    """The summary of one run (the run page): its result as loaded, one count of moves."""
    return summarise_result(run, run.run_result, run.moves.count())


def published_summaries(cohort_ids: Iterable[int]) -> list[RunSummary]:
    """The current published grouping and pairs of each cohort, summarised (the report).

    Two queries whatever the number of cohorts: the published runs with only
    :data:`SUMMARY_KEYS` of their result, and their moves counted by run.
    The current one of a kind is the latest published (``reading.current_published``).
    """
    parts = {f"part_{key}": KeyTransform(key, "result") for key in SUMMARY_KEYS}
    runs = (
        MatchingRun.objects.filter(cohort_id__in=list(cohort_ids), published_at__isnull=False)
        .defer("result")
        .annotate(**parts)
        .order_by("cohort_id", "kind", "-published_at", "-pk")
    )
    current: dict[tuple[int, str], MatchingRun] = {}
    for run in runs:
        current.setdefault((run.cohort_id, run.kind), run)
    moves = dict(
        Move.objects.filter(run__in=[r.pk for r in current.values()])
        .values_list("run")
        .annotate(n=Count("pk"))
        .order_by()
    )
    out = []
    for run in current.values():
        result = RunResult.from_json({key: getattr(run, f"part_{key}") for key in SUMMARY_KEYS})
        out.append(summarise_result(run, result, moves.get(run.pk, 0)))
    return out
