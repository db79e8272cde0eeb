"""Dual tracking: partnership health per group over time next to its results.

Reads the programme's partnership-health and capabilities surveys (built-in
instruments) and its products and objectives, and hands plain figures to
:mod:`peerlearn.engine.dual`.

* A response belongs to a group when its author is a member: identified
  responses name the person, pseudonymous ones carry the programme's
  pseudonym, which we compute for the members.  Anonymous surveys cannot be
  split by group and are skipped (``anonymous_surveys`` counts them).
* k-suppression: a group's health at one survey is shown only from ``k``
  respondents (the instrument's ``min_respondents``); a group never shown
  has no place on the chart and no part in the correlation.  Capability
  changes need ``k`` paired respondents per row.
* Results = products accepted or published + objectives achieved (the
  group's own and its members' personal ones, rated from ``ACHIEVED_FROM``)
  + outcome stories linked to the group, positive and substantiated (fully
  or partly) + exchanges applied inside the group or recorded at its
  check-in (:class:`peerlearn.engine.dual.Results`).  Stories and exchanges
  are counted among those the reader may read (the harvest and mel rules):
  an evaluator's figures leave out private stories and check-in exchanges.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from peerlearn.engine import dual as engine
from peerlearn.harvest.models import OutcomeStory
from peerlearn.harvest.permissions import readable_stories
from peerlearn.mel.access import visible_exchanges
from peerlearn.mel.models import Exchange
from peerlearn.objectives.models import ACHIEVED_FROM, LearningObjective
from peerlearn.programmes.models import Group, GroupMember, Programme
from peerlearn.programmes.permissions import Access
from peerlearn.progress.models import Product
from peerlearn.surveys.identity import pseudonyms_for
from peerlearn.surveys.models import Survey, default_min_respondents
from peerlearn.surveys.publication import published

ACCEPTED_STATES = ("accepted", "published")


@dataclass
class HealthAt:
    survey: Survey
    respondents: int
    suppressed: bool
    dimensions: dict[str, float] = field(default_factory=dict)
    score: float | None = None


@dataclass
class GroupRow:
    group: Group
    series: list[HealthAt]
    products: int
    objectives: int
    stories: int = 0
    applied_exchanges: int = 0
    latest: HealthAt | None = None
    quadrant: str = ""
    flags: list[str] = field(default_factory=list)

    @property
    def produced(self) -> engine.Results:
        return engine.Results(self.products, self.objectives, self.stories, self.applied_exchanges)

    @property
    def results(self) -> int:
        return self.produced.total


@dataclass
class DualTracking:
    surveys: list[Survey]
    rows: list[GroupRow]
    correlation: engine.Correlation
    capabilities: list[tuple[engine.CapabilityChange, bool]]  # (row, suppressed)
    capability_k: int
    anonymous_surveys: int = 0


def _authors(
    survey: Survey, members: dict[int, set[int]], pseudonyms: dict[int, str]
) -> dict[str, int]:
    """Respondent key (pseudonym or person id) -> group id, for this survey's anonymity
    (``pseudonyms``: every member's, computed once for all the programme's surveys)."""
    identified = survey.instrument.anonymity == "identified"
    return {
        str(person) if identified else pseudonyms[person]: group_id
        for group_id, people in members.items()
        for person in people
    }


def _response_key(survey: Survey, person_id: int | None, pseudonym: str) -> str:
    return str(person_id) if survey.instrument.anonymity == "identified" else pseudonym


def _health_series(
    surveys: list[Survey], members: dict[int, set[int]]
) -> dict[int, list[HealthAt]]:
    series: dict[int, list[HealthAt]] = defaultdict(list)
    pseudonyms: dict[int, str] = {}
    if any(s.instrument.anonymity != "identified" for s in surveys):
        everyone = set().union(*members.values()) if members else set()
        pseudonyms = pseudonyms_for(surveys[0].programme_id, everyone)
    for survey in surveys:
        k = max(1, survey.instrument.min_respondents)
        authors = _authors(survey, members, pseudonyms)
        answers: dict[int, list[dict[str, object]]] = defaultdict(list)
        rows = published(survey).values_list("person_id", "pseudonym", "answers")
        for person_id, pseudonym, given in rows:
            group_id = authors.get(_response_key(survey, person_id, pseudonym))
            if group_id is not None:
                answers[group_id].append(given)
        for group_id in members:
            given_list = answers.get(group_id, [])
            if len(given_list) < k:
                series[group_id].append(HealthAt(survey, len(given_list), True))
                continue
            dimensions = _means(given_list)
            series[group_id].append(
                HealthAt(survey, len(given_list), False, dimensions, engine.health(dimensions))
            )
    return series


def _means(answers: list[dict[str, object]]) -> dict[str, float]:
    out = {}
    for dimension in engine.DIMENSIONS:
        values = []
        for given in answers:
            try:
                values.append(float(given[dimension]))  # type: ignore[arg-type]
            except (KeyError, TypeError, ValueError):
                continue
        if values:
            out[dimension] = sum(values) / len(values)
    return out


def _current_groups(programme: Programme) -> Any:
    """The programme's current groups: filtered as a subquery, never as a list of ids
    (2,000 ids took Django a quarter of a second to put into each query)."""
    return Group.objects.filter(cohort__programme=programme, archived_at__isnull=True)


def _results(
    programme: Programme, members: dict[int, set[int]]
) -> tuple[dict[int, int], dict[int, int]]:
    current = _current_groups(programme).values("pk")
    products: dict[int, int] = defaultdict(int)
    for group_id in Product.objects.filter(
        group_id__in=current, state__in=ACCEPTED_STATES
    ).values_list("group_id", flat=True):
        products[group_id] += 1
    achieved = LearningObjective.objects.filter(programme=programme, achievement__gte=ACHIEVED_FROM)
    objectives: dict[int, int] = defaultdict(int)
    for group_id in achieved.filter(group_id__in=current).values_list("group_id", flat=True):
        objectives[group_id] += 1
    personal: dict[int, int] = defaultdict(int)
    for person_id in achieved.filter(person__isnull=False).values_list("person_id", flat=True):
        personal[person_id] += 1
    for group_id, people in members.items():
        objectives[group_id] += sum(personal.get(p, 0) for p in people)
    return products, objectives


def _stories(stories: Any, members: dict[int, set[int]], current: Any) -> dict[int, int]:
    """Group id -> positive, substantiated stories linked to it (of ``stories``)."""
    out: dict[int, int] = defaultdict(int)
    rows = (
        stories.filter(groups__in=current.values("pk"))
        .distinct()
        .prefetch_related("substantiations", "groups")
    )
    for story in rows:
        if not engine.counts_as_result(story.verification, story.positive):
            continue
        for group in story.groups.all():  # prefetched: no query per story
            if group.pk in members:
                out[group.pk] += 1
    return out


def _applied(exchanges: Any, members: dict[int, set[int]]) -> dict[int, int]:
    """Group id -> exchanges applied inside it or recorded at its check-in (of ``exchanges``).

    Each exchange is weighed against the groups it can count for only (those
    of both its giver and its receiver, and the group it was recorded with):
    for any other group :func:`engine.applied_in_group` is false, and asking
    every group for every exchange cost 11 s at 10,000 people.  Exchanges with
    no such group count for none.
    """
    groups_of: dict[int, set[int]] = defaultdict(set)
    for group_id, people in members.items():
        for person in people:
            groups_of[person].add(group_id)
    # The members are kept in Python: two IN lists of every member made this query
    # take 0.4 s on PostgreSQL at 10,000 people; the applied exchanges are far fewer.
    rows = exchanges.filter(applied="yes").values_list("giver_id", "receiver_id", "group_id")
    out: dict[int, int] = defaultdict(int)
    for giver, receiver, group_id in rows:
        candidates = groups_of.get(giver, set()) & groups_of.get(receiver, set())
        if group_id in members:
            candidates = candidates | {group_id}
        for candidate in candidates:
            if engine.applied_in_group(
                giver, receiver, True, members[candidate], group_id == candidate
            ):
                out[candidate] += 1
    return out


def _surveys(programme: Programme, builtin: str) -> list[Survey]:
    return list(
        Survey.objects.filter(
            programme=programme, instrument__builtin=builtin, cancelled_at__isnull=True
        )
        .select_related("instrument")
        .order_by("opens_at", "pk")
    )


def _capabilities(
    programme: Programme,
) -> tuple[list[tuple[engine.CapabilityChange, bool]], int]:
    surveys = [
        s for s in _surveys(programme, "capabilities") if s.instrument.anonymity != "anonymous"
    ]
    if len(surveys) < 2:
        return [], default_min_respondents()
    first, last = surveys[0], surveys[-1]
    k = max(1, first.instrument.min_respondents, last.instrument.min_respondents)

    def keyed(survey: Survey) -> dict[str, dict[str, object]]:
        rows = published(survey).values_list("person_id", "pseudonym", "answers")
        return {_response_key(survey, p, code): given for p, code, given in rows}

    changes = engine.capability_change(keyed(first), keyed(last))
    return [(row, row.n < k) for row in changes], k


def dual_tracking(
    programme: Programme, access: Access | None = None, me: Any = None
) -> DualTracking:
    """Per current group, health over time next to results; ``access`` is the reader's.

    Without ``access`` every story and exchange counts (the programme's
    facilitators' view); a page passes the reader's access and person.
    """
    stories = OutcomeStory.objects.filter(programme=programme)
    exchanges = Exchange.objects.filter(programme=programme)
    if access is not None:
        stories = readable_stories(access, stories)
        exchanges = visible_exchanges(access, programme, me)
    current = _current_groups(programme)
    groups = list(current.select_related("cohort"))
    members: dict[int, set[int]] = {g.pk: set() for g in groups}
    for group_id, person_id in GroupMember.objects.filter(
        group__in=current.values("pk")
    ).values_list("group_id", "person_id"):
        members[group_id].add(person_id)
    all_surveys = _surveys(programme, "partnership_health")
    surveys = [s for s in all_surveys if s.instrument.anonymity != "anonymous"]
    series = _health_series(surveys, members)
    products, objectives = _results(programme, members)
    story_counts = _stories(stories, members, current)
    applied = _applied(exchanges, members)
    rows = []
    for group in groups:
        row = GroupRow(
            group,
            series.get(group.pk, []),
            products.get(group.pk, 0),
            objectives.get(group.pk, 0),
            story_counts.get(group.pk, 0),
            applied.get(group.pk, 0),
        )
        shown = [h for h in row.series if not h.suppressed and h.score is not None]
        if shown:
            row.latest = shown[-1]
            assert row.latest.score is not None
            row.quadrant = engine.quadrant(row.latest.score, row.results)
            row.flags = engine.flags(row.latest.dimensions)
        rows.append(row)
    placed = [r for r in rows if r.latest is not None]
    correlation = engine.correlation(
        [r.latest.score for r in placed],  # type: ignore[union-attr,misc]
        [float(r.results) for r in placed],
    )
    capabilities, capability_k = _capabilities(programme)
    return DualTracking(
        surveys,
        rows,
        correlation,
        capabilities,
        capability_k,
        anonymous_surveys=len(all_surveys) - len(surveys),
    )


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    quadrant: str

    @property
    def label_x(self) -> float:
        return self.x + 7


def chart(tracking: DualTracking, width: int = 320, height: int = 240) -> dict[str, object]:
    """Coordinates for the two-axis SVG: health 1-5 across, results up."""
    margin = 32
    placed = [r for r in tracking.rows if r.latest is not None]
    top = max([3, *[r.results for r in placed]])

    def x_of(score: float) -> float:
        return margin + (score - 1) / 4 * (width - 2 * margin)

    def y_of(results: float) -> float:
        return height - margin - results / top * (height - 2 * margin)

    points = [
        Point(round(x_of(r.latest.score), 1), round(y_of(r.results), 1), r.group.name, r.quadrant)  # type: ignore[union-attr,arg-type]
        for r in placed
    ]
    return {
        "width": width,
        "height": height,
        "left": margin,
        "right": width - margin,
        "top_y": margin,
        "bottom": height - margin,
        "healthy_x": round(x_of(engine.HEALTHY_FROM), 1),
        "productive_y": round(y_of(engine.PRODUCTIVE_FROM), 1),
        "top": top,
        "plot_width": width - 2 * margin,
        "plot_height": height - 2 * margin,
        "axis_y": height - 8,
        "label_y": margin - 8,
        "points": points,
    }
