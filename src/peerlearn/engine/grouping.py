"""Group solver: purposeful groups of 5-6 (any range) under hard constraints.

The solver maximises *cohesion*, the sum over groups of the pairwise affinities
given by the weighted criteria (:mod:`peerlearn.engine.criteria`), subject to the
hard constraints of :class:`~peerlearn.engine.constraints.Constraints`.

Algorithm
---------
1. **Plan**: necessary conditions are checked and the number of groups chosen
   (:func:`~peerlearn.engine.constraints.plan_group_count`).
2. **Order**: keep-together sets become *units*; units are ordered so that
   neighbours are similar (working language first, then a recursive split along
   the principal direction of the vectors, like a PCA tree).
3. **Greedy construction**: each group starts from the next unplaced unit and
   grows with the unit of a small window that adds most affinity to the group's
   vector sum without breaking a constraint (and, when the group runs out of
   places, only units that cure a missing quota or country).
4. **Repair**: if some group still violates a constraint, moves and swaps that
   reduce the violation total are applied.
5. **Local search**: for each unit, the best move or swap into one of the groups
   whose sum aligns best with it, never increasing violations, until a pass
   gains almost nothing or the time budget ends.

Results are reproducible for a given seed (all randomness comes from one
``numpy`` generator made by :func:`~peerlearn.engine.budget.make_rng`) unless
the time limit cut the search short, which the result reports; a pass budget
(``max_passes``) alone is reproducible on any machine.

Examples
--------
>>> from peerlearn.engine.people import Person
>>> from peerlearn.engine.constraints import Constraints, validate_groups
>>> people = [Person(f"p{i}", organisation=f"org{i % 5}", country="KE" if i % 2 else "UG",
...                  challenges=("land registry records" if i < 5 else "budget cuts",))
...           for i in range(10)]
>>> c = Constraints(min_size=5, max_size=5, max_per_organisation=1)
>>> result = solve_groups(people, c, "problems", seed=1)
>>> sorted(map(sorted, result.groups.values()))
[['p0', 'p1', 'p2', 'p3', 'p4'], ['p5', 'p6', 'p7', 'p8', 'p9']]
>>> validate_groups(people, result.assignment, c)
[]
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from peerlearn.engine.budget import Budget, default_time_limit, make_rng, one_blas_thread
from peerlearn.engine.constraints import (
    Conflict,
    Constraints,
    Finding,
    InfeasibleError,
    plan_group_count,
    validate_groups,
)
from peerlearn.engine.criteria import AffinityModel, BackendRef, build_model
from peerlearn.engine.people import Person
from peerlearn.engine.search import Checker, State, Stats, improve, reduce_violations

__all__ = [
    "GroupingResult",
    "default_time_limit",
    "group_labels",
    "make_rng",
    "score_grouping",
    "solve_groups",
]

FloatArray = npt.NDArray[np.float32]


def group_labels(count: int, taken: Sequence[str] = ()) -> list[str]:
    """``count`` fresh labels ``G01, G02, ...`` avoiding ``taken``.

    Examples
    --------
    >>> group_labels(3)
    ['G1', 'G2', 'G3']
    >>> group_labels(2, ["G1"])
    ['G2', 'G3']
    >>> group_labels(2, [f"G{i}" for i in range(1, 12)])[:1]
    ['G12']
    """
    out: list[str] = []
    used = set(taken)
    total = count + len(used)
    width = len(str(total)) if total >= 10 else 1
    k = 1
    while len(out) < count:
        label = f"G{k:0{width}d}" if width > 1 else f"G{k}"
        if label not in used and f"G{k}" not in used:
            out.append(label)
        k += 1
    return out


@dataclass
class GroupingResult:
    """A grouping with everything needed to explain and check it.

    Attributes
    ----------
    people
        The input, in input order.
    assignment
        ``id -> group label``.
    groups
        ``label -> [ids]`` in label order.
    model
        The affinity model the solver maximised.
    constraints
        The hard constraints it met.
    scores
        ``label -> cohesion`` (sum of pairwise affinities of the group).
    penalty
        Total pair penalty paid (repeats in multi-round schedules), 0 otherwise.
    stats
        Search statistics.
    seed
        The seed used.
    """

    people: list[Person]
    assignment: dict[str, str]
    groups: dict[str, list[str]]
    model: AffinityModel
    constraints: Constraints
    scores: dict[str, float]
    penalty: float = 0.0
    stats: Stats = field(default_factory=Stats)
    seed: int = 0

    @property
    def cohesion(self) -> float:
        """Sum of the group scores."""
        return float(sum(self.scores.values()))


def _units(people: Sequence[Person], c: Constraints) -> list[list[int]]:
    index = {p.id: i for i, p in enumerate(people)}
    parent = list(range(len(people)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for s in c.keep_together:
        members = [index[i] for i in s if i in index]
        for a, b in zip(members, members[1:], strict=False):
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(people)):
        groups[find(i)].append(i)
    return [groups[r] for r in sorted(groups)]


def _forbidden(people: Sequence[Person], c: Constraints) -> dict[int, set[int]]:
    index = {p.id: i for i, p in enumerate(people)}
    out: dict[int, set[int]] = defaultdict(set)
    sets = [tuple(s) for s in c.keep_apart] + [tuple(p) for p in c.history]
    for s in sets:
        members = sorted({index[i] for i in s if i in index})
        for k, a in enumerate(members):
            for b in members[k + 1 :]:
                out[a].add(b)
                out[b].add(a)
    return dict(out)


def _pca_order(
    v: FloatArray, idx: npt.NDArray[np.int64], rng: np.random.Generator, leaf: int = 24
) -> list[int]:
    """Order rows so that neighbours are similar: recursive median split on the top direction."""
    out: list[int] = []
    stack = [idx]
    while stack:
        part = stack.pop()
        if len(part) <= leaf:
            out.extend(int(i) for i in part)
            continue
        sub = v[part]
        centred = sub - sub.mean(axis=0)
        direction = np.asarray(rng.standard_normal(size=(v.shape[1],)), dtype=np.float32)
        for _ in range(4):
            direction = centred.T @ (centred @ direction)
            norm = float(np.linalg.norm(direction))
            if norm == 0.0:
                break
            direction /= norm
        proj = centred @ direction
        order = np.argsort(proj, kind="stable")
        half = len(part) // 2
        # pushed in reverse so that the low half is emitted first
        stack.append(part[order[half:]])
        stack.append(part[order[:half]])
    return out


def _size_plan(n: int, g: int, c: Constraints) -> list[int]:
    base, extra = divmod(n, g)
    sizes = [base + (1 if k < extra else 0) for k in range(g)]
    return [min(max(s, c.min_size), c.max_size) for s in sizes]


def solve_groups(
    people: Sequence[Person],
    constraints: Constraints | None = None,
    weights: str | Mapping[str, float] = "problems",
    *,
    backend: BackendRef = "tfidf",
    role_mode: str = "equal",
    seed: int = 0,
    time_limit: float | None = None,
    max_passes: int | None = None,
    model: AffinityModel | None = None,
    pair_penalty: Mapping[tuple[str, str], float] | None = None,
    initial: Mapping[str, str] | None = None,
    move_cost: float = 0.0,
) -> GroupingResult:
    """Split ``people`` into groups that maximise cohesion under hard constraints.

    Parameters
    ----------
    people
        Everyone to place (ids must be unique).
    constraints
        Hard constraints (default: groups of 5-6, at most one per organisation).
    weights
        Criterion weights, e.g. ``"problems=3,context=1"``.
    backend
        Similarity backend for challenge texts (``"tfidf"`` or ``"semantic"``).
    role_mode
        ``"equal"`` or ``"mix"`` seniority for the role criterion.
    seed
        Seed of every random choice; same seed, same result.
    time_limit
        Seconds for the search (default :func:`default_time_limit`, or no clock
        at all when only ``max_passes`` is given).
    max_passes
        Most local-search passes (default 50): the deterministic budget, same
        result on any machine (:class:`~peerlearn.engine.budget.Budget`).
    model
        A precomputed :class:`~peerlearn.engine.criteria.AffinityModel` (skips
        vectorisation).
    pair_penalty
        ``(id, id) -> penalty`` subtracted when the two share a group (soft
        repeats in multi-round schedules).
    initial
        ``id -> label`` starting assignment (late joiners / drop-outs): people
        listed start there, others are placed greedily.
    move_cost
        Penalty per person placed away from ``initial`` (minimal disruption).

    Returns
    -------
    GroupingResult

    Raises
    ------
    InfeasibleError
        When the constraints cannot all be met: names the constraints, by how
        much, and what to relax.
    ValueError
        Duplicate ids or bad options.

    Notes
    -----
    Construction is ``O(n * w * d)`` with a window of ``w`` units; each search
    pass is ``O(n * (G * d / 256 + k * s * d))`` for ``G`` groups, ``k``
    candidate groups of size ``s``. Memory is ``O((n + G) * d)``. For 10,000
    people with 512-dimension vectors, about 11 passes to convergence and
    20-25 CPU seconds in all; see ``docs/similarity.md`` for measurements.

    Examples
    --------
    >>> from peerlearn.engine.people import Person
    >>> from peerlearn.engine.wording import conflict_suggestion
    >>> ps = [Person(f"p{i}", organisation="X") for i in range(4)]
    >>> try:
    ...     solve_groups(ps, Constraints(min_size=2, max_size=2), "policy")
    ... except InfeasibleError as err:
    ...     print(conflict_suggestion(err.conflicts[0]))
    relax to --max-per-organisation 2, or allow groups of 1-2 (4 groups)
    """
    c = constraints or Constraints()
    people = list(people)
    _refuse_duplicates(people)
    t0 = time.perf_counter()
    rng = make_rng(seed)
    n_groups = plan_group_count(people, c)
    if model is None:
        model = build_model(people, weights, backend=backend, role_mode=role_mode, seed=seed)
    t_model = time.perf_counter()
    budget = Budget.of(len(people), time_limit=time_limit, max_passes=max_passes)
    labels = _labels(c, initial, n_groups)
    n_groups = len(labels)
    units = _units(people, c)
    unit_of = [0] * len(people)
    for k, u in enumerate(units):
        for i in u:
            unit_of[i] = k
    penalty = _penalty_index(people, pair_penalty)
    state = _state(people, c, model, units, labels, penalty, initial, move_cost)
    stats = Stats()
    placed = _place_fixed(state, people, c, units, labels, initial)
    with one_blas_thread():
        _construct(state, people, c, units, placed, n_groups, rng)
        for g in range(n_groups):
            state.refresh(g)
        t_build = time.perf_counter()
        reduce_violations(state, rng, budget.repair_deadline, stats)
        t_repair = time.perf_counter()
        improve(state, rng, budget.deadline, stats, max_passes=budget.passes)
        t_search = time.perf_counter()
    state.resum()
    assignment = {people[i].id: labels[int(state.gof[unit_of[i]])] for i in range(len(people))}
    if state.total_violation() > 0:
        raise InfeasibleError(_search_conflicts(validate_groups(people, assignment, c)))
    groups, scores = _non_empty_groups(state, people, labels)
    stats.seconds = time.perf_counter() - t0
    stats.phases = {
        "vectorise": t_model - t0,
        "construct": t_build - t_model,
        "repair": t_repair - t_build,
        "search": t_search - t_repair,
    }
    pen = _penalty_paid(state, penalty)
    return GroupingResult(people, assignment, groups, model, c, scores, pen, stats, seed)


def _refuse_duplicates(people: Sequence[Person]) -> None:
    """Ids are how results name people: two people with one id cannot be told apart."""
    dup = [i for i, k in Counter(p.id for p in people).items() if k > 1]
    if dup:
        raise ValueError(f"duplicate ids: {', '.join(map(repr, sorted(dup)[:10]))}")


def _labels(c: Constraints, initial: Mapping[str, str] | None, n_groups: int) -> list[str]:
    """Locked and initial labels first (they name groups people stay in), then fresh ones.

    There are at least as many groups as such labels, even if the plan wanted fewer.
    """
    fixed = sorted(set(c.locked.values()) | set((initial or {}).values()))
    n_groups = max(n_groups, len(fixed))
    return fixed + group_labels(n_groups - len(fixed), fixed)


def _penalty_index(
    people: Sequence[Person], pair_penalty: Mapping[tuple[str, str], float] | None
) -> dict[int, dict[int, float]]:
    """Pair penalties by person index, both ways (the state looks them up per person)."""
    index = {p.id: i for i, p in enumerate(people)}
    penalty: dict[int, dict[int, float]] = defaultdict(dict)
    for (a, b), w in (pair_penalty or {}).items():
        if a in index and b in index and w:
            penalty[index[a]][index[b]] = penalty[index[a]].get(index[b], 0.0) + float(w)
            penalty[index[b]][index[a]] = penalty[index[b]].get(index[a], 0.0) + float(w)
    return dict(penalty)


def _state(
    people: Sequence[Person],
    c: Constraints,
    model: AffinityModel,
    units: list[list[int]],
    labels: list[str],
    penalty: dict[int, dict[int, float]],
    initial: Mapping[str, str] | None,
    move_cost: float,
) -> State:
    """The search state: locked units do not move; ``home`` is each person's initial group."""
    gindex = {lab: k for k, lab in enumerate(labels)}
    movable = [not any(people[i].id in c.locked for i in u) for u in units]
    checker = Checker(people, c, _forbidden(people, c))
    home = [gindex.get(initial.get(p.id, ""), -1) for p in people] if initial else None
    return State(
        model.x, model.sign, units, len(labels), checker, movable, penalty, home, move_cost
    )


def _place_fixed(
    state: State,
    people: Sequence[Person],
    c: Constraints,
    units: list[list[int]],
    labels: list[str],
    initial: Mapping[str, str] | None,
) -> list[bool]:
    """Put locked units (then initial ones) in their groups before the greedy fill.

    A lock wins over an initial placement: locks are the facilitator's, initial
    placements only where people were.
    """
    gindex = {lab: k for k, lab in enumerate(labels)}
    placed = [False] * len(units)
    for k, u in enumerate(units):
        label = next((c.locked[people[i].id] for i in u if people[i].id in c.locked), None)
        if label is None and initial:
            label = next((initial[people[i].id] for i in u if people[i].id in initial), None)
        if label is not None:
            state.add(k, gindex[label])
            placed[k] = True
    return placed


def _non_empty_groups(
    state: State, people: Sequence[Person], labels: list[str]
) -> tuple[dict[str, list[str]], dict[str, float]]:
    """Members and score per group, in label order; empty groups (only possible with
    locked or initial labels) are dropped."""
    groups: dict[str, list[str]] = {}
    scores: dict[str, float] = {}
    for g, lab in enumerate(labels):
        members = [people[i].id for i in sorted(state.group_persons[g])]
        if members:
            groups[lab] = members
            scores[lab] = state.group_score(g)
    return groups, scores


def _penalty_paid(state: State, penalty: dict[int, dict[int, float]]) -> float:
    """Total pair penalty of the final groups (repeats in multi-round schedules)."""
    pen = 0.0
    for g in range(state.G):
        ms = state.group_persons[g]
        for x_i in ms:
            for y in ms:
                if x_i < y:
                    pen += penalty.get(x_i, {}).get(y, 0.0)
    return pen


#: Violation kind -> the constraint to relax when the search leaves it.
SEARCH_BUCKETS = {
    "organisation_limit": "max_per_organisation",
    "country_limit": "max_per_country",
    "min_countries": "min_countries",
    "no_shared_language": "shared_language",
    "group_size": "size",
    "keep_apart": "keep_apart",
    "repeat": "keep_apart",
}

#: Violations shown per conflict; the rest are counted.
SHOWN_CAUSES = 5


def _search_conflicts(problems: list[Finding]) -> list[Conflict]:
    """Left-over violations, one conflict per constraint to relax (quotas for the rest).

    Grouped by the violation's ``kind``, so that the advice names the setting
    to relax; the first few violations travel with it as causes.
    """
    kinds: dict[str, list[Finding]] = defaultdict(list)
    for p in problems:
        kinds[SEARCH_BUCKETS.get(p.kind, "quotas")].append(p)
    return [
        Conflict(
            constraint,
            "search_failed",
            len(items),
            numbers={"count": len(items)},
            causes=tuple(items[:SHOWN_CAUSES]),
        )
        for constraint, items in kinds.items()
    ]


def _construct(
    state: State,
    people: Sequence[Person],
    c: Constraints,
    units: list[list[int]],
    placed: list[bool],
    n_groups: int,
    rng: np.random.Generator,
) -> None:
    """Greedy fill of every group from an ordered pool of units.

    Groups that already hold people (locked / initial) come first, fuller
    first, so that their fixed members shape them; each group is filled to
    its planned size from the pool (:func:`_ordered_pool`), and what is left
    goes where it does least harm (:func:`_place_left_over`).
    """
    plan = _size_plan(len(people), n_groups, c)
    order_groups = sorted(range(n_groups), key=lambda g: (-state.size(g), g))
    free = np.array([k for k in range(len(units)) if not placed[k]], dtype=np.int64)
    if len(free) == 0:
        return
    fill = _Fill(_ordered_pool(state, units, free, rng), placed[:])
    window = max(48, 8 * c.max_size)
    plan_iter = iter(sorted(plan, reverse=True))
    targets = [0] * n_groups
    for g in order_groups:
        targets[g] = max(next(plan_iter, c.min_size), state.size(g))
    ptr = 0
    for g in order_groups:
        if fill.remaining == 0:
            break
        while ptr < len(fill.pool) and fill.assigned[fill.pool[ptr]]:
            ptr += 1
        if state.size(g) == 0:
            _seed_group(state, fill, g, targets[g], ptr, window)
        while state.size(g) < targets[g] and fill.remaining > 0:
            chosen = _pick(state, fill, c, g, targets[g], ptr, window, rng)
            if chosen < 0:
                break
            fill.take(state, chosen, g)
    _place_left_over(state, fill, units, n_groups)


@dataclass
class _Fill:
    """The ordered pool of units and which of them are placed."""

    pool: list[int]
    assigned: list[bool]
    remaining: int = -1

    def __post_init__(self) -> None:
        if self.remaining < 0:
            self.remaining = sum(1 for k in self.pool if not self.assigned[k])

    def window(self, start: int, count: int) -> list[int]:
        """The next ``count`` unplaced units of the pool from ``start``."""
        out: list[int] = []
        j = start
        while j < len(self.pool) and len(out) < count:
            k = self.pool[j]
            if not self.assigned[k]:
                out.append(k)
            j += 1
        return out

    def take(self, state: State, k: int, g: int) -> None:
        state.add(k, g)
        self.assigned[k] = True
        self.remaining -= 1


def _language_keys(state: State, units: list[list[int]]) -> list[int]:
    """Per unit, the language bit most people share among those all its members speak.

    Units sharing that language are made contiguous in the pool, so a group
    filled from a stretch of the pool tends to share a working language.
    """
    ch = state.checker
    counts: Counter[int] = Counter()
    for u in units:
        for i in u:
            m = ch.lang[i]
            bit = 1
            while bit <= m:
                if m & bit:
                    counts[bit] += 1
                bit <<= 1
    keys: list[int] = []
    for u in units:
        m = 0
        for i in u:
            m = ch.lang[i] if m == 0 else (m & ch.lang[i] or m)
        best, best_count = 0, -1
        bit = 1
        while bit <= m:
            if m & bit and counts[bit] > best_count:
                best, best_count = bit, counts[bit]
            bit <<= 1
        keys.append(best)
    return keys


def _ordered_pool(
    state: State, units: list[list[int]], free: npt.NDArray[np.int64], rng: np.random.Generator
) -> list[int]:
    """Free units, language by language (biggest first), similar units next to each other.

    Only the positively weighted columns order the pool: balance criteria
    (negative weights) want dissimilar members, which the search handles.
    """
    pos_cols = state.sign > 0
    v = state.U[:, pos_cols] if not pos_cols.all() else state.U
    lang_key = _language_keys(state, units)
    by_lang: dict[int, list[int]] = defaultdict(list)
    for k in free:
        by_lang[lang_key[int(k)]].append(int(k))
    pool: list[int] = []
    for key in sorted(by_lang, key=lambda b: (-len(by_lang[b]), b)):
        pool.extend(_pca_order(v, np.asarray(by_lang[key], dtype=np.int64), rng))
    return pool


def _seed_group(state: State, fill: _Fill, g: int, target: int, ptr: int, window: int) -> None:
    """An empty group starts with the first unplaced unit of the order that fits."""
    for k in fill.window(ptr, window):
        if state.usize[k] <= target:
            fill.take(state, k, g)
            return


def _candidates(
    fill: _Fill, ptr: int, window: int, attempt: int, rng: np.random.Generator
) -> list[int]:
    """Units to consider: the window, then a wider one, then a random sample of the rest.

    Widening only when the near units do not fit keeps construction linear
    while still finding the unit that cures a quota or a missing country.
    """
    if attempt == 0:
        return fill.window(ptr, window)
    if attempt == 1:
        return fill.window(ptr, window * 8)
    rest = [k for k in fill.pool if not fill.assigned[k]]
    if len(rest) > window * 4:
        pick = rng.choice(len(rest), size=window * 4, replace=False)
        return [rest[int(t)] for t in np.sort(pick)]
    return rest


def _pick(
    state: State,
    fill: _Fill,
    c: Constraints,
    g: int,
    target: int,
    ptr: int,
    window: int,
    rng: np.random.Generator,
) -> int:
    """The unit adding most affinity to group ``g`` without breaking a limit (-1: none).

    When the group's places run out, only units that cure a missing quota or
    country are taken, so that the last places are not wasted.
    """
    ch = state.checker
    members = state.group_persons[g]
    up = ch.upper(members)
    low = ch.lower(members)
    slots = target - len(members)
    for attempt in range(3):
        cand = [k for k in _candidates(fill, ptr, window, attempt, rng) if state.usize[k] <= slots]
        if not cand:
            continue
        scores = state.Us[cand] @ state.S[g].astype(np.float32)
        for t in np.argsort(-scores, kind="stable"):
            k = cand[int(t)]
            trial = members + state.units[k]
            if ch.upper(trial) > up:
                continue
            need = ch.lower(trial)
            deficit = low - max(0, c.min_size - len(members))
            if deficit > 0 and slots - state.usize[k] < deficit:
                new_def = need - max(0, c.min_size - len(trial))
                if new_def >= deficit:
                    continue
            return k
    return -1


def _place_left_over(state: State, fill: _Fill, units: list[list[int]], n_groups: int) -> None:
    """Units no group took go where they add least violation (then to smaller groups)."""
    ch = state.checker
    for k in fill.pool:
        if fill.assigned[k]:
            continue
        best_g, best_key = 0, (10**9, 10**9, 0.0)
        for g in range(n_groups):
            here = state.group_persons[g]
            before = ch.violation(here)
            after = ch.violation(here + units[k])
            rank = (after - before, len(here), -float(state.Us[k] @ state.S[g]))
            if rank < best_key:
                best_g, best_key = g, rank
        fill.take(state, k, best_g)


def score_grouping(
    people: Sequence[Person],
    assignment: Mapping[str, str],
    constraints: Constraints | None = None,
    weights: str | Mapping[str, float] = "problems",
    *,
    labels: Sequence[str] = (),
    backend: BackendRef = "tfidf",
    role_mode: str = "equal",
    seed: int = 0,
    model: AffinityModel | None = None,
) -> GroupingResult:
    """A :class:`GroupingResult` for a grouping made elsewhere (by hand, after moves).

    The decision: an edited grouping is explained and scored exactly as a
    solved one (same model, same cohesion), so the run page's reasons, themes
    and quality figures after a move or swap mean what they meant before.
    ``labels`` fixes the group order (others follow, sorted); people missing
    from ``assignment`` are left out.

    Examples
    --------
    >>> from peerlearn.engine.people import Person
    >>> ps = [Person("a", country="KE"), Person("b", country="KE"), Person("c", country="FR"),
    ...       Person("d", country="FR")]
    >>> r = score_grouping(ps, {"a": "G1", "c": "G1", "b": "G2", "d": "G2"}, weights="context")
    >>> r.groups, r.cohesion
    ({'G1': ['a', 'c'], 'G2': ['b', 'd']}, 0.0)
    >>> score_grouping(ps, {"a": "G1", "b": "G1", "c": "G2", "d": "G2"}, weights="context").cohesion
    2.0
    """
    c = constraints or Constraints(max_per_organisation=None)
    placed = [p for p in people if p.id in assignment]
    if model is None:
        model = build_model(placed, weights, backend=backend, role_mode=role_mode, seed=seed)
    order = list(dict.fromkeys([*labels, *sorted(set(assignment.values()) - set(labels))]))
    index: dict[str, list[int]] = {label: [] for label in order}
    for i, p in enumerate(placed):
        index[assignment[p.id]].append(i)
    groups: dict[str, list[str]] = {}
    scores: dict[str, float] = {}
    xs = model.xs
    for label in order:
        idx = index[label]
        if not idx:
            continue
        groups[label] = [placed[i].id for i in idx]
        sub = xs[idx] @ model.x[idx].T
        scores[label] = float((sub.sum(dtype=np.float64) - np.trace(sub, dtype=np.float64)) / 2)
    chosen = {p.id: assignment[p.id] for p in placed}
    return GroupingResult(placed, chosen, groups, model, c, scores, 0.0, Stats(), seed)
