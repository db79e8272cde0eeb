"""The MEL figures of the dashboard and the funder report, from the MEL apps' own services.

Each function takes the :class:`~peerlearn.evidence.figures.Scope` and the
reader's :class:`Access` and returns plain data (ids, keys, counts, shares
with their denominator), or ``None`` when the reader may not read it on
the app's own pages:

* **Mutuality and network** (``mel``): the exchanges
  :func:`peerlearn.mel.access.visible_exchanges` lets the reader see (never
  check-in exchanges for evaluators), between people of the scope, in the
  period.  One query groups them into ties with their weight and both
  sides' organisation and country; the engine's reciprocity, dyad census
  and one-way flags (thresholds of :mod:`peerlearn.mel.services`) run on
  those ties; cross-organisation and cross-country shares count ties as
  :func:`peerlearn.engine.network.metrics` does.  Fewer than k people in the
  exchanges: nothing but the count of exchanges is shown.
* **Outcome stories** (``harvest``): the stories
  :func:`peerlearn.harvest.permissions.readable_stories` lets the reader
  read (evaluators never read "private to the facilitators"), by kind and
  by :func:`peerlearn.harvest.models.verification_status`, substantiated
  ones first.  A cohort: stories naming one of its groups or change agents;
  a period: by the day the change was observed (else harvested).
* **Share-forward reach** (``harvest``): :func:`peerlearn.harvest.reach.reach_total`
  over the follow-ups the reader may read, of the scope's cohort and period
  (by opening), k-suppressed there.
* **Theory of change** (``theory``): the approved revision in force and
  :func:`peerlearn.theory.services.statuses` per node.  Read only: a
  programme without a theory gets none created here.
* **Experiments** and **dual tracking with capability change**
  (``experiments``): :func:`peerlearn.experiments.comparisons.compare_experiment`
  and :func:`peerlearn.experiments.dual.dual_tracking`, each k-suppressed by
  its own rules.

Theory, experiments and dual tracking are figures of the whole programme:
they are not narrowed by cohort or period (:attr:`Scope.narrowed` lets the
page say so).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from peerlearn.engine import mutuality as mu
from peerlearn.evidence.figures import Scope, Share
from peerlearn.people.models import Person
from peerlearn.programmes.permissions import Access

#: Stories listed by name (the counts cover them all).
STORIES_LISTED = 20
#: Verification statuses, strongest evidence first (the order stories are listed in).
VERIFICATION_ORDER = ("substantiated", "partly", "unverified", "disputed")
STORY_KINDS = ("behaviour", "relationship", "policy", "practice", "action")
QUADRANT_ORDER = (
    "healthy_productive",
    "healthy_closed",
    "transactional_delivering",
    "struggling",
)


HIDDEN = Share(None, None)


# ----------------------------------------------------------------- mutuality


@dataclass(frozen=True)
class MutualityFigure:
    k: int
    exchanges: int
    people: int  # distinct people in the exchanges counted
    shown: bool  # at least k people
    ties_returned: Share = HIDDEN  # edgewise reciprocity: returned ties of all ties
    pairs_mutual: Share = HIDDEN  # dyadic reciprocity: mutual pairs of connected pairs
    one_way: Share = HIDDEN  # people flagged, of those with enough exchanges to be flagged
    resources: int | None = None
    recipients: int | None = None
    flag_min: int = 0
    cross_organisation: Share = HIDDEN
    cross_country: Share = HIDDEN


def _scope_people(scope: Scope) -> QuerySet[Person]:
    """The people whose exchanges count: the programme's, or the cohort's (as mel's filter)."""
    from peerlearn.mel import access as rules

    if scope.cohort is None:
        return rules.programme_people(scope.programme)
    return rules.people_of_cohorts(scope.programme, [scope.cohort.pk])


def _exchanges(scope: Scope, access: Access):
    """The reader's visible exchanges of the period (the people are kept in :func:`mutuality`:
    two ``IN`` lists on the exchange's unique index make SQLite probe every pair)."""
    from peerlearn.mel import access as rules

    exchanges = rules.visible_exchanges(access, scope.programme, None)
    if scope.start:
        exchanges = exchanges.filter(when__gte=scope.start)
    if scope.end:
        exchanges = exchanges.filter(when__lte=scope.end)
    return exchanges


def _cross(pairs: list[tuple[object, object]]) -> Share:
    """(ties whose two sides differ, ties where both sides are known): network's rule."""
    known = [(a, b) for a, b in pairs if a and b]
    return Share(sum(1 for a, b in known if a != b), len(known))


def mutuality(scope: Scope, access: Access, k: int) -> MutualityFigure | None:
    from peerlearn.mel import access as rules
    from peerlearn.mel import services

    if not rules.reads_ledgers(access):
        return None
    # The scope's people with what the network page gives them: organisation, country.
    people = {
        pk: (organisation, country)
        for pk, organisation, country in _scope_people(scope).values_list(
            "pk", "organisation_id", "country"
        )
    }
    rows = _exchanges(scope, access).values_list("giver_id", "receiver_id").annotate(n=Count("pk"))
    # mu.within: both sides among the scope's people
    weights = {(g, r): n for g, r, n in rows.order_by() if g in people and r in people}
    involved = {node for pair in weights for node in pair}
    figure = MutualityFigure(
        k=k, exchanges=sum(weights.values()), people=len(involved), shown=len(involved) >= k
    )
    if not figure.shown:
        return figure
    census = mu.dyad_census(list(weights))
    # Each person's exchanges given and received, counted from the weighted ties (as
    # mu.balance counts one record per exchange, self-loops aside): what the flags read.
    given: Counter[int] = Counter()
    received: Counter[int] = Counter()
    for (g, r), n in weights.items():
        if g != r:
            given[g] += n
            received[r] += n
    balances: dict[mu.Node, mu.Balance] = {
        node: mu.Balance(given[node], received[node]) for node in given | received
    }
    flags = mu.one_way_flags_of(
        balances,
        min_exchanges=services.FLAG_MIN_EXCHANGES,
        max_other_share=services.FLAG_MAX_OTHER_SHARE,
    )
    volume: Counter[int] = Counter()
    for (g, r), n in weights.items():
        volume[g] += n
        volume[r] += n
    return MutualityFigure(
        k=k,
        exchanges=figure.exchanges,
        people=figure.people,
        shown=True,
        ties_returned=Share(2 * census.mutual, 2 * census.mutual + census.asymmetric),
        pairs_mutual=Share(census.mutual, census.connected),
        one_way=Share(
            len(flags), sum(1 for n in volume.values() if n >= services.FLAG_MIN_EXCHANGES)
        ),
        resources=sum(1 for f in flags if f.kind == "resource"),
        recipients=sum(1 for f in flags if f.kind == "recipient"),
        flag_min=services.FLAG_MIN_EXCHANGES,
        cross_organisation=_cross([(people[g][0], people[r][0]) for g, r in weights]),
        cross_country=_cross([(people[g][1], people[r][1]) for g, r in weights]),
    )


# ----------------------------------------------------------------- stories


@dataclass(frozen=True)
class StoryLine:
    pk: int
    title: str
    kind: str
    verification: str
    positive: bool


@dataclass(frozen=True)
class StoriesFigure:
    total: int
    by_verification: list[tuple[str, int]]
    by_kind: list[tuple[str, int]]
    negative: int
    stories: list[StoryLine] = field(default_factory=list)  # at most STORIES_LISTED

    @property
    def substantiated(self) -> Share:
        return Share(dict(self.by_verification).get("substantiated", 0), self.total)


def _stories(scope: Scope, access: Access):
    from peerlearn.harvest import permissions as rules
    from peerlearn.harvest.models import OutcomeStory

    stories = rules.readable_stories(access, OutcomeStory.objects.filter(programme=scope.programme))
    if scope.cohort is not None:
        members = Q(
            change_agents__memberships__cohort=scope.cohort,
            change_agents__memberships__role="participant",
        )
        ids = OutcomeStory.objects.filter(Q(groups__cohort=scope.cohort) | members).values("pk")
        stories = stories.filter(pk__in=ids)
    first, last = scope.moments()
    if first or last:
        stories = stories.filter(_observed_between(scope, first, last))
    return stories


def _observed_between(scope: Scope, first: datetime | None, last: datetime | None) -> Q:
    observed = Q(observed_on__isnull=False)
    harvested = Q(observed_on__isnull=True)
    if scope.start:
        observed &= Q(observed_on__gte=scope.start)
        harvested &= Q(created_at__gte=first)
    if scope.end:
        observed &= Q(observed_on__lte=scope.end)
        harvested &= Q(created_at__lt=last)
    return observed | harvested


def stories(scope: Scope, access: Access) -> StoriesFigure | None:
    from peerlearn.harvest import permissions as rules
    from peerlearn.harvest.models import Substantiation, verification_status

    if not rules.readable_visibilities(access):
        return None
    readable = _stories(scope, access)
    rows = list(
        readable.order_by("-created_at", "-pk").values_list("pk", "title", "kind", "positive")
    )
    answers: dict[int, list[str]] = {}
    for story_id, answer in (
        Substantiation.objects.filter(story__in=readable)
        .exclude(answer="")
        .values_list("story_id", "answer")
    ):
        answers.setdefault(story_id, []).append(answer)
    lines = [
        StoryLine(pk, title, kind, verification_status(answers.get(pk, [])), positive)
        for pk, title, kind, positive in rows
    ]
    statuses = Counter(line.verification for line in lines)
    kinds = Counter(line.kind for line in lines)
    order = {status: i for i, status in enumerate(VERIFICATION_ORDER)}
    listed = sorted(lines, key=lambda line: order.get(line.verification, len(order)))
    return StoriesFigure(
        total=len(lines),
        by_verification=[(s, statuses[s]) for s in VERIFICATION_ORDER if statuses[s]],
        by_kind=[(kind, kinds[kind]) for kind in STORY_KINDS if kinds[kind]]
        + [(kind, n) for kind, n in sorted(kinds.items()) if kind not in STORY_KINDS],
        negative=sum(1 for line in lines if not line.positive),
        stories=listed[:STORIES_LISTED],
    )


# ----------------------------------------------------------------- reach


@dataclass(frozen=True)
class ReachFigure:
    k: int
    surveys: int
    respondents: int
    shown: bool
    shared: Share = HIDDEN  # respondents who shared, of respondents
    people_reached: int | None = None
    audiences: list[tuple[str, int]] = field(default_factory=list)  # of those who shared
    forms: list[tuple[str, int]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)


def reach(scope: Scope, access: Access) -> ReachFigure | None:
    from peerlearn.harvest import permissions as rules
    from peerlearn.harvest.reach import followup_surveys, reach_total
    from peerlearn.surveys.permissions import reads_survey

    if not rules.reads_reach(access):
        return None
    first, last = scope.moments()
    surveys = [
        s
        for s in followup_surveys(scope.programme)
        if reads_survey(access, s)
        and (scope.cohort is None or s.cohort_id == scope.cohort.pk)
        and (first is None or s.opens_at >= first)
        and (last is None or s.opens_at < last)
    ]
    result = reach_total(surveys)
    if result.total is None:
        return ReachFigure(result.k, len(surveys), result.respondents, False)
    total = result.total
    return ReachFigure(
        k=result.k,
        surveys=len(surveys),
        respondents=result.respondents,
        shown=True,
        shared=Share(total.shared, total.respondents),
        people_reached=total.people,
        audiences=sorted(total.audiences.items(), key=lambda kv: (-kv[1], kv[0])),
        forms=sorted(total.forms.items(), key=lambda kv: (-kv[1], kv[0])),
        labels=result.labels,
    )


# ----------------------------------------------------------------- theory of change


@dataclass(frozen=True)
class NodeStatus:
    id: str
    kind: str
    label: str
    level: str
    status: str
    supports: int
    contradicts: int
    overridden: bool
    beyond_ceiling: bool


@dataclass(frozen=True)
class TheoryFigure:
    revision: int | None  # None: no map approved yet
    approved_at: datetime | None = None
    ceiling: str = ""
    nodes: list[NodeStatus] = field(default_factory=list)
    links: list[tuple[str, int]] = field(default_factory=list)  # links by status

    def by_status(self) -> list[tuple[str, int]]:
        from peerlearn.engine.theory import STATUSES

        counts = Counter(node.status for node in self.nodes)
        return [(status, counts[status]) for status in STATUSES if counts[status]]


def theory(scope: Scope, access: Access) -> TheoryFigure | None:
    from peerlearn.engine.theory import ASSUMPTION, STATUSES, kind_rank
    from peerlearn.theory import services
    from peerlearn.theory.builtin import node_label
    from peerlearn.theory.models import TheoryOfChange
    from peerlearn.theory.permissions import reads_theory

    if not reads_theory(access):
        return None
    found = TheoryOfChange.objects.filter(programme=scope.programme).first()
    revision = services.approved_revision(found) if found is not None else None
    if found is None or revision is None:
        return TheoryFigure(None)
    theory_map = services.revision_map(revision)
    statuses = services.statuses(found, theory_map)
    ceiling = kind_rank(theory_map.ceiling)
    nodes = sorted(theory_map.nodes, key=lambda n: (n.kind == ASSUMPTION, kind_rank(n.kind)))
    out = []
    for node in nodes:
        record = statuses[node.id]
        out.append(
            NodeStatus(
                id=node.id,
                kind=node.kind,
                label=node_label(node),
                level=node.level,
                status=record.status,
                supports=record.supports,
                contradicts=record.contradicts,
                overridden=record.overridden,
                beyond_ceiling=node.kind != ASSUMPTION and kind_rank(node.kind) > ceiling,
            )
        )
    links = Counter(statuses[link.id].status for link in theory_map.links)
    return TheoryFigure(
        revision=revision.number,
        approved_at=revision.approved_at,
        ceiling=theory_map.ceiling,
        nodes=out,
        links=[(status, links[status]) for status in STATUSES if links[status]],
    )


# ----------------------------------------------------------------- experiments


@dataclass(frozen=True)
class ArmLine:
    name: str
    suppressed: bool
    n: int | None = None
    count: int | None = None  # yes answers (a share)
    mean: float | None = None
    sd: float | None = None


@dataclass(frozen=True)
class ContrastLine:
    arm: str
    reference: str
    difference: float
    low: float
    high: float
    p_value: float
    test: str
    effect: float | None = None
    effect_low: float | None = None
    effect_high: float | None = None


@dataclass(frozen=True)
class OutcomeFigure:
    label: str
    kind: str  # "binary" or "scale"
    k: int
    arms: list[ArmLine]
    contrasts: list[ContrastLine]
    flags: tuple[str, ...] = ()
    errors: tuple[tuple[str, str], ...] = ()  # (error key, arm name)


@dataclass(frozen=True)
class ExperimentFigure:
    pk: int
    name: str
    design: str
    outcomes: list[OutcomeFigure]


def _outcome(result) -> OutcomeFigure:
    arms = []
    for figures in result.arms:
        s = figures.summary
        if s is None:
            arms.append(ArmLine(figures.arm.name, figures.suppressed))
        else:
            arms.append(ArmLine(figures.arm.name, False, s.n, s.count, s.mean, s.sd))
    contrasts = [
        ContrastLine(
            c.arm,
            c.reference,
            c.difference,
            c.low,
            c.high,
            c.p_value,
            c.test,
            c.effect,
            c.effect_low,
            c.effect_high,
        )
        for c in (result.comparison.contrasts if result.comparison else [])
    ]
    return OutcomeFigure(
        label=result.outcome.label,
        kind=result.outcome.kind,
        k=result.k,
        arms=arms,
        contrasts=contrasts,
        flags=tuple(sorted(result.flags)),
        errors=tuple((e.kind, e.arm) for e in result.errors),
    )


def experiments(scope: Scope, access: Access) -> list[ExperimentFigure] | None:
    from peerlearn.experiments import comparisons
    from peerlearn.experiments.models import Experiment
    from peerlearn.experiments.views import reads_experiments

    if not reads_experiments(access):
        return None
    found = Experiment.objects.filter(programme=scope.programme).order_by("created_at", "pk")
    return [
        ExperimentFigure(
            e.pk, e.name, e.design, [_outcome(r) for r in comparisons.compare_experiment(e)]
        )
        for e in found
    ]


# ----------------------------------------------------------------- dual tracking


@dataclass(frozen=True)
class CapabilityLine:
    capability: str
    level: str
    suppressed: bool
    n: int | None = None
    start: float | None = None
    end: float | None = None
    change: float | None = None


@dataclass(frozen=True)
class DualFigure:
    groups: int
    surveys: int
    anonymous_surveys: int
    placed: Share  # groups with a health figure, of all groups
    quadrants: list[tuple[str, int]]  # of the placed groups
    echo_chambers: int
    correlation_n: int
    r: float | None
    low: float | None
    high: float | None
    p_value: float | None
    correlation_reason: str
    capability_k: int
    capabilities: list[CapabilityLine] = field(default_factory=list)


def dual(scope: Scope, access: Access) -> DualFigure | None:
    from peerlearn.experiments import dual as tracking
    from peerlearn.experiments.views import reads_experiments

    if not reads_experiments(access):
        return None
    result = tracking.dual_tracking(scope.programme)
    placed = [row for row in result.rows if row.latest is not None]
    quadrants = Counter(row.quadrant for row in placed)
    c = result.correlation
    return DualFigure(
        groups=len(result.rows),
        surveys=len(result.surveys),
        anonymous_surveys=result.anonymous_surveys,
        placed=Share(len(placed), len(result.rows)),
        quadrants=[(q, quadrants[q]) for q in QUADRANT_ORDER if quadrants[q]],
        echo_chambers=sum(1 for row in placed if "echo_chamber" in row.flags),
        correlation_n=c.n,
        r=c.r,
        low=c.low,
        high=c.high,
        p_value=c.p_value,
        correlation_reason=c.reason,
        capability_k=result.capability_k,
        capabilities=[
            CapabilityLine(change.capability, change.level, True)
            if hidden
            else CapabilityLine(
                change.capability,
                change.level,
                False,
                change.n,
                change.start,
                change.end,
                change.change,
            )
            for change, hidden in result.capabilities
        ],
    )
