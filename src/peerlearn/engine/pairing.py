"""Pairs: external <-> local peers, alumni mentors <-> newcomers, and peer <-> peer.

* ``external-local`` and ``mentor`` are bipartite: every local peer (newcomer)
  gets exactly one external peer (alumni mentor), and no external peer (mentor)
  takes more than ``capacity`` people. Capacity is what stops everyone being
  matched to the one "best in class". Solved exactly as an assignment problem
  (Hungarian algorithm over capacity slots) up to a few thousand people, and
  by a greedy pass over each person's best candidates plus re-assignment
  beyond that.
* ``peer`` is non-bipartite: the group solver with groups of exactly two (one
  group of three when the number is odd, so nobody is left out).

The hard constraints of :class:`~peerlearn.engine.constraints.Constraints`
apply to every pair: a limit of 1 per organisation (country) forbids pairs from
the same organisation (country), keep-apart lists and history forbid pairs, and
the two must share a working language when both have languages.

Examples
--------
>>> from peerlearn.engine.people import Person
>>> ps = [Person("e1", external=True, challenges=("land registry reform",)),
...       Person("e2", external=True, challenges=("budget execution",)),
...       Person("l1", challenges=("our land registry is a mess",)),
...       Person("l2", challenges=("budget execution is slow",))]
>>> r = solve_pairs(ps, "external-local")
>>> sorted((p.a, p.b) for p in r.pairs)
[('e1', 'l1'), ('e2', 'l2')]
>>> validate_pairs(ps, [(p.a, p.b) for p in r.pairs], "external-local", r.constraints, r.capacity)
[]
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from peerlearn.engine.constraints import Conflict, Constraints, InfeasibleError
from peerlearn.engine.criteria import AffinityModel, BackendRef, build_model
from peerlearn.engine.people import Person
from peerlearn.engine.records import Finding, Shared

__all__ = [
    "MODES",
    "Pair",
    "PairingResult",
    "RePairing",
    "repair_pairs",
    "solve_pairs",
    "validate_pairs",
]

MODES = ("external-local", "mentor", "peer")

#: Above this many (receiver x slot) cells the bipartite solver goes greedy.
EXACT_CELLS = 12_000_000
BIG = 1e6


@dataclass
class Pair:
    """One pair: ``a`` gives (external / mentor / first peer), ``b`` receives."""

    a: str
    b: str
    affinity: float
    label: str = ""
    #: Why they are paired (filled by :func:`explain_pairs`): the leading
    #: criterion key, shared key terms of their challenges, shared attributes.
    mostly: str = ""
    terms: tuple[str, ...] = ()
    shared: tuple[Shared, ...] = ()
    #: Kept from an earlier run (``locked_pairs``), not chosen by the solver.
    locked: bool = False
    #: Made by hand (:func:`repair_pairs`), not by the solver.
    moved: bool = False


@dataclass
class PairingResult:
    """Pairs with their settings and quality figures."""

    people: list[Person]
    mode: str
    pairs: list[Pair]
    constraints: Constraints
    capacity: int
    model: AffinityModel
    summary: dict[str, object] = field(default_factory=dict)
    #: Violations of the locked pairs kept with the solver's (empty without locks).
    problems: list[Finding] = field(default_factory=list)


def _roles(people: Sequence[Person], mode: str) -> tuple[list[int], list[int]]:
    if mode == "external-local":
        return (
            [i for i, p in enumerate(people) if p.external],
            [i for i, p in enumerate(people) if not p.external],
        )
    if mode == "mentor":
        return (
            [i for i, p in enumerate(people) if p.alumni],
            [i for i, p in enumerate(people) if not p.alumni],
        )
    raise ValueError(f"unknown pairing mode {mode!r}; choose from {', '.join(MODES)}")


def pair_problem(
    p: Person, q: Person, c: Constraints, apart: set[tuple[str, str]]
) -> Finding | None:
    """Why ``p`` and ``q`` may not be paired (``None`` when they may).

    Examples
    --------
    >>> pair_problem(Person("a", organisation="X"), Person("b", organisation="x"),
    ...              Constraints(), set())
    Finding(kind='pair_same_organisation', group='', ids=('a', 'b'), names=('X',), numbers={})
    """
    ids = (p.id, q.id)
    org_limit = c.max_per_organisation is not None and c.max_per_organisation < 2
    if org_limit and p.org_key and p.org_key == q.org_key:
        return Finding("pair_same_organisation", ids=ids, names=(p.organisation.strip(),))
    country_limit = c.max_per_country is not None and c.max_per_country < 2
    if country_limit and p.country_key and p.country_key == q.country_key:
        return Finding("pair_same_country", ids=ids, names=(p.country.strip(),))
    if (min(p.id, q.id), max(p.id, q.id)) in apart:
        return Finding("pair_kept_apart", ids=ids)
    if c.shared_language and p.language_keys and q.language_keys:  # noqa: SIM102
        if not (p.language_keys & q.language_keys):
            return Finding("pair_no_shared_language", ids=ids)
    return None


def _apart(c: Constraints) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for s in [*c.keep_apart, *c.history]:
        ids = sorted(set(s))
        for k, a in enumerate(ids):
            for b in ids[k + 1 :]:
                out.add((a, b))
    return out


def _pair_list_findings(
    by_id: Mapping[str, Person], pairs: Sequence[tuple[str, str]], c: Constraints
) -> tuple[list[Finding], Counter[str]]:
    """Each pair on its own: known people, not alone, not twice, allowed; and the degrees."""
    out: list[Finding] = []
    apart = _apart(c)
    degree: Counter[str] = Counter()
    seen: set[tuple[str, str]] = set()
    for a, b in pairs:
        if a not in by_id or b not in by_id:
            out.append(Finding("pair_unknown_person", ids=(a, b)))
            continue
        if a == b:
            out.append(Finding("pair_self", ids=(a,)))
            continue
        key = (min(a, b), max(a, b))
        if key in seen:
            out.append(Finding("pair_twice", ids=(a, b)))
        seen.add(key)
        degree[a] += 1
        degree[b] += 1
        why = pair_problem(by_id[a], by_id[b], c, apart)
        if why is not None:
            out.append(why)
    return out, degree


def _peer_findings(people: Sequence[Person], degree: Counter[str]) -> list[Finding]:
    """Peer mode: everyone has one partner, except the three of the one trio (odd numbers)."""
    out: list[Finding] = []
    trios = 0
    for p in people:
        d = degree[p.id]
        if d == 0:
            out.append(Finding("no_partner", ids=(p.id,)))
        elif d == 2:
            trios += 1
        elif d > 2:
            out.append(Finding("too_many_partners", ids=(p.id,), numbers={"count": d}))
    if trios and (trios != 3 or len(people) % 2 == 0):
        out.append(Finding("trios", numbers={"count": trios}))
    return out


def _bipartite_findings(
    people: Sequence[Person],
    pairs: Sequence[tuple[str, str]],
    mode: str,
    degree: Counter[str],
    capacity: int | None,
) -> list[Finding]:
    """Bipartite modes: givers give, every receiver has one giver, no giver over capacity."""
    out: list[Finding] = []
    by_id = {p.id for p in people}
    givers, takers = _roles(people, mode)
    giver_ids = {people[i].id for i in givers}
    names = (mode,)
    taken: Counter[str] = Counter()
    for a, b in pairs:
        if a in by_id and a not in giver_ids:
            out.append(Finding("not_a_giver", ids=(a, b), names=names))
        if b in giver_ids:
            out.append(Finding("receiver_is_giver", ids=(a, b), names=names))
        taken[b] += 1
    for i in takers:
        pid = people[i].id
        if taken[pid] == 0:
            out.append(Finding("no_giver", ids=(pid,), names=names))
        elif taken[pid] > 1:
            out.append(
                Finding("several_givers", ids=(pid,), names=names, numbers={"count": taken[pid]})
            )
    if capacity is not None:
        for i in givers:
            pid = people[i].id
            if degree[pid] > capacity:
                numbers = {"count": degree[pid], "capacity": capacity}
                out.append(Finding("over_capacity", ids=(pid,), numbers=numbers))
    return out


def validate_pairs(
    people: Sequence[Person],
    pairs: Sequence[tuple[str, str]],
    mode: str,
    constraints: Constraints | None = None,
    capacity: int | None = None,
) -> list[Finding]:
    """Check pairs against the mode, capacity and hard constraints.

    Parameters
    ----------
    people
        Everyone who had to be paired.
    pairs
        ``(a, b)`` pairs; in bipartite modes ``a`` is the external peer / mentor.
        In peer mode a trio appears as its three pairs.
    mode
        One of :data:`MODES`.
    constraints
        Hard constraints (default :class:`Constraints`).
    capacity
        Maximum pairs per external peer / mentor (bipartite modes).

    Returns
    -------
    list of Finding
        One record per violation; empty when valid.

    Examples
    --------
    >>> ps = [Person("e", external=True), Person("l1"), Person("l2")]
    >>> (f,) = validate_pairs(ps, [("e", "l1"), ("e", "l2")], "external-local", capacity=1)
    >>> f.kind, f.ids, dict(f.numbers)
    ('over_capacity', ('e',), {'count': 2, 'capacity': 1})
    """
    c = constraints or Constraints()
    by_id = {p.id: p for p in people}
    out, degree = _pair_list_findings(by_id, pairs, c)
    if mode == "peer":
        return out + _peer_findings(people, degree)
    return out + _bipartite_findings(people, pairs, mode, degree, capacity)


def solve_pairs(
    people: Sequence[Person],
    mode: str = "external-local",
    constraints: Constraints | None = None,
    weights: str | Mapping[str, float] = "problems",
    *,
    capacity: int | None = None,
    backend: BackendRef = "tfidf",
    seed: int = 0,
    time_limit: float | None = None,
    max_passes: int | None = None,
    model: AffinityModel | None = None,
    locked_pairs: Sequence[tuple[str, str, str]] = (),
) -> PairingResult:
    """Pair people by affinity under capacity and hard constraints.

    Parameters
    ----------
    people
        Everyone to pair.
    mode
        ``"external-local"``, ``"mentor"`` or ``"peer"``.
    constraints
        Hard constraints (size fields are ignored).
    weights
        Criterion weights as for groups.
    capacity
        Bipartite modes: most people per external peer / mentor (default: the
        fewest that lets everyone be matched, ``ceil(receivers / givers)``).
    backend, seed, time_limit, max_passes, model
        As for :func:`~peerlearn.engine.grouping.solve_groups`.
    locked_pairs
        ``(a, b, old label)`` pairs kept from an earlier run (re-runs): kept as
        they are, labelled ``L1, L2, ...``, and their people left out of the
        search as :func:`_kept_out` says. ``problems`` lists what the combined
        pairs break (a lock is the facilitator's decision: reported, not
        refused).

    Raises
    ------
    InfeasibleError
        Too few givers for the capacity, or someone with no allowed partner.

    Notes
    -----
    Exact assignment costs ``O(m^3)`` for ``m`` receivers (a few seconds at
    3,000); beyond :data:`EXACT_CELLS` cells a greedy ``O(m k log m)`` pass over
    the ``k`` best candidates of each receiver is used. Peer mode costs as much
    as grouping.

    Examples
    --------
    >>> from peerlearn.engine.wording import conflict_message, conflict_suggestion
    >>> ps = [Person("e", external=True)] + [Person(f"l{i}") for i in range(3)]
    >>> try:
    ...     solve_pairs(ps, capacity=2)
    ... except InfeasibleError as err:
    ...     print(conflict_message(err.conflicts[0]))
    ...     print(conflict_suggestion(err.conflicts[0]))
    3 local peers need an external peer but 1 external peers x capacity 2 = 2 places
    raise --capacity to 3 or add 1 external peers
    """
    c = constraints or Constraints()
    people = list(people)
    _refuse_duplicates(people)
    if locked_pairs:
        return _with_locked_pairs(
            people,
            mode,
            c,
            weights,
            capacity,
            locked_pairs,
            backend=backend,
            seed=seed,
            time_limit=time_limit,
            max_passes=max_passes,
        )
    t0 = time.perf_counter()
    if mode == "peer":
        return _peer_pairs(people, c, weights, backend, seed, time_limit, max_passes, model)
    givers, takers = _roles(people, mode)
    cap = _capacity(mode, len(givers), len(takers), capacity)
    if model is None:
        model = build_model(people, weights, backend=backend, seed=seed)
    apart = _apart(c)
    allowed = _allowed_matrix(people, givers, takers, c, apart)
    _refuse_receivers_without_giver(people, givers, takers, allowed, c, apart, mode)
    aff = model.xs[takers] @ model.x[givers].T
    if len(takers) * len(givers) * cap <= EXACT_CELLS:
        match = _exact(aff, allowed, cap)
    else:
        match = _greedy(aff, allowed, cap)
    _refuse_unmatched(people, takers, match, cap, mode)
    pairs = _labelled_pairs(
        [
            Pair(people[givers[g]].id, people[takers[r]].id, float(aff[r, g]))
            for r, g in enumerate(match)
        ]
    )
    best = np.where(allowed, aff, -np.inf).max(axis=1)
    bound = float(np.clip(best, 0, None).sum())
    total = float(sum(p.affinity for p in pairs))
    load = Counter(p.a for p in pairs)
    result = PairingResult(people, mode, pairs, c, cap, model)
    result.summary = _summary(result, total, bound, t0)
    result.summary["load_per_giver"] = {
        str(k): v for k, v in sorted(Counter(load.values()).items())
    }
    return result


def _kept_out(
    people: Sequence[Person],
    mode: str,
    fixed: Sequence[tuple[str, str, str]],
    capacity: int | None,
) -> set[str]:
    """Who stays out of the search when ``fixed`` pairs are kept.

    The solver has no fixed pairs, so they are kept out of its input and
    added back to its result. Their receivers (both people in peer mode) are
    left out; a giver stays out when its locked pairs fill an explicit
    capacity (or when there is no explicit capacity). A giver with room left
    stays out too when the other givers can take everyone (so it cannot go
    over capacity); otherwise it stays in, and any excess shows as a problem.
    """
    out: set[str] = set()
    load: Counter[str] = Counter()
    for a, b, _label in fixed:
        load[a] += 1
        out.add(b)
        if mode == "peer":
            out.add(a)
    if mode == "peer":
        return out
    cap = int(capacity) if capacity else 1
    out |= {a for a, n in load.items() if not capacity or n >= cap}

    def gives(x: Person) -> bool:
        return x.external if mode == "external-local" else x.alumni

    takers = sum(1 for x in people if not gives(x) and x.id not in out)
    givers = sum(1 for x in people if gives(x) and x.id not in out and x.id not in load)
    if capacity and takers <= cap * givers:
        out |= set(load)
    return out


def _locked_labels(fixed: Sequence[tuple[str, str, str]]) -> list[Pair]:
    """Locked pairs as pairs ``L1, L2, ...``; the pairs of one old trio share a label."""
    names: dict[str, str] = {}
    return [
        Pair(a, b, 0.0, names.setdefault(old or f"{a}-{b}", f"L{len(names) + 1}"), locked=True)
        for a, b, old in fixed
    ]


def _with_locked_pairs(
    people: list[Person],
    mode: str,
    c: Constraints,
    weights: str | Mapping[str, float],
    capacity: int | None,
    locked_pairs: Sequence[tuple[str, str, str]],
    **solve: Any,
) -> PairingResult:
    """Solve for everyone the locked pairs leave free, then add the locked pairs back."""
    ids = {p.id for p in people}
    fixed = [(a, b, old) for a, b, old in locked_pairs if a in ids and b in ids]
    out = _kept_out(people, mode, fixed, capacity)
    result = solve_pairs(
        [p for p in people if p.id not in out], mode, c, weights, capacity=capacity, **solve
    )
    result.pairs += _locked_labels(fixed)
    if fixed:
        result.problems = validate_pairs(
            people,
            [(p.a, p.b) for p in result.pairs],
            mode,
            c,
            capacity=result.capacity if mode != "peer" else None,
        )
    return result


@dataclass
class RePairing:
    """The pairs after :func:`repair_pairs`, and what it changed.

    Attributes
    ----------
    pairs
        The new pairs: the untouched ones, then the new pair (``moved``).
    removed
        The pairs the two people left.
    label
        The new pair's label (a freed label when there is one).
    left_out
        People the re-pair left without a partner (and earlier ones still alone).
    before, after
        ``validate_pairs`` of everyone concerned before and after.
    """

    pairs: list[Pair]
    removed: list[Pair]
    label: str
    left_out: list[str]
    before: list[Finding]
    after: list[Finding]

    @property
    def new_problems(self) -> list[Finding]:
        """Violations the re-pair adds (a re-pair is refused for these unless forced)."""
        return [p for p in self.after if p not in self.before]


def _free_label(removed: Sequence[Pair], kept: Sequence[Pair], count: int) -> str:
    """A label the removed pairs free, else the next ``P<n>`` nobody uses."""
    used = {p.label for p in kept}
    free = [p.label for p in removed if p.label not in used]
    label = free[0] if free else ""
    n = count
    while not label or label in used:
        n += 1
        label = f"P{n}"
    return label


def repair_pairs(
    people: Sequence[Person],
    pairs: Sequence[Pair],
    mode: str,
    person: str,
    partner: str,
    *,
    constraints: Constraints | None = None,
    capacity: int | None = None,
    left_out: Sequence[str] = (),
) -> RePairing:
    """Pair ``person`` with ``partner``, replacing their current pairings (pure).

    In peer mode both lose their current partners; in the bipartite modes the
    receiver loses their giver (external peer / mentor) and the giver keeps
    the people they already have (capacity is checked). ``people`` must hold
    everyone in ``pairs``, in ``left_out`` and the two. Everyone is validated
    before and after, so a partner left alone is a new problem ("no partner").

    Examples
    --------
    >>> ps = [Person("e1", external=True), Person("e2", external=True),
    ...       Person("l1"), Person("l2")]
    >>> old = [Pair("e1", "l1", 0.5, "P1"), Pair("e2", "l2", 0.5, "P2")]
    >>> r = repair_pairs(ps, old, "external-local", "l1", "e2")
    >>> [(p.label, p.a, p.b) for p in r.pairs], r.new_problems
    ([('P2', 'e2', 'l2'), ('P1', 'e2', 'l1')], [])
    """
    c = constraints or Constraints()
    by_id = {p.id: p for p in people}

    def gives(pid: str) -> bool:
        if mode == "peer" or pid not in by_id:
            return False
        return by_id[pid].external if mode == "external-local" else by_id[pid].alumni

    a, b = person, partner
    if mode != "peer" and gives(partner) and not gives(person):
        a, b = partner, person
    dropping = {a, b} if mode == "peer" else {x for x in (a, b) if not gives(x)}
    removed = [p for p in pairs if p.a in dropping or p.b in dropping]
    kept = [p for p in pairs if p not in removed]
    label = _free_label(removed, kept, len({p.label for p in pairs}))
    new_pairs = [*kept, Pair(a, b, 0.0, label, moved=True)]
    paired = {x for p in new_pairs for x in (p.a, p.b)}
    alone = (set(left_out) | {x for p in removed for x in (p.a, p.b)}) - paired
    everyone = [
        p for p in people if p.id in alone | {x for p in pairs for x in (p.a, p.b)} | {a, b}
    ]
    cap = capacity if mode != "peer" else None

    def check(rows: Sequence[Pair]) -> list[Finding]:
        return validate_pairs(everyone, [(p.a, p.b) for p in rows], mode, c, capacity=cap)

    order = sorted(alone, key=lambda x: int(x) if x.isdigit() else 0)
    return RePairing(new_pairs, removed, label, order, check(pairs), check(new_pairs))


def _refuse_duplicates(people: Sequence[Person]) -> None:
    """Ids name people in pairs and reports: two people with one id cannot be told apart."""
    dup = sorted(i for i, k in Counter(p.id for p in people).items() if k > 1)
    if dup:
        raise ValueError(f"duplicate ids: {', '.join(map(repr, dup[:10]))}")


def _capacity(mode: str, givers: int, takers: int, capacity: int | None) -> int:
    """The capacity to use, refusing one too small for every receiver to get a giver.

    Without a capacity the fewest places that serve everyone,
    ``ceil(receivers / givers)``: that spreads receivers over the givers
    instead of piling them on the best in class.
    """
    if not takers:
        raise InfeasibleError([Conflict("mode", "no_receivers", names=(mode,))])
    if not givers:
        raise InfeasibleError([Conflict("mode", "no_givers", takers, names=(mode,))])
    need = math.ceil(takers / givers)
    cap = need if capacity is None else int(capacity)
    if cap < 1:
        raise ValueError(f"capacity must be at least 1, got {cap}")
    if cap * givers < takers:
        numbers = {
            "takers": takers,
            "givers": givers,
            "cap": cap,
            "places": cap * givers,
            "need": need,
            "add": math.ceil(takers / cap) - givers,
        }
        raise InfeasibleError(
            [
                Conflict(
                    "capacity",
                    "capacity_short",
                    takers - cap * givers,
                    names=(mode,),
                    numbers=numbers,
                )
            ]
        )
    return cap


def _refuse_receivers_without_giver(
    people: Sequence[Person],
    givers: list[int],
    takers: list[int],
    allowed: npt.NDArray[np.bool_],
    c: Constraints,
    apart: set[tuple[str, str]],
    mode: str,
) -> None:
    """A receiver whom every giver is forbidden for: say why, counted by reason."""
    conflicts = []
    for r in np.flatnonzero(~allowed.any(axis=1)):
        b = people[takers[int(r)]]
        reasons: Counter[str] = Counter()
        for g in givers:
            why = pair_problem(people[g], b, c, apart)
            reasons[why.kind if why is not None else ""] += 1
        conflicts.append(
            Conflict(
                "pairs",
                "receiver_has_no_giver",
                1,
                ids=(b.id,),
                names=(mode,),
                numbers=dict(reasons.most_common()),
            )
        )
    if conflicts:
        raise InfeasibleError(conflicts)


def _refuse_unmatched(
    people: Sequence[Person], takers: list[int], match: list[int], cap: int, mode: str
) -> None:
    """Everyone allowed someone, but capacity ran out before all were matched."""
    bad = [r for r, g in enumerate(match) if g < 0]
    if bad:
        shown = tuple(people[takers[r]].id for r in bad[:5])
        numbers = {"count": len(bad), "cap": cap}
        raise InfeasibleError(
            [
                Conflict(
                    "pairs",
                    "receivers_unmatched",
                    len(bad),
                    ids=shown,
                    names=(mode,),
                    numbers=numbers,
                )
            ]
        )


def _labelled_pairs(pairs: list[Pair]) -> list[Pair]:
    """Pairs sorted by giver (best first) and labelled P1, P2, ... (zero-padded)."""
    pairs.sort(key=lambda p: (p.a, -p.affinity, p.b))
    width = len(str(len(pairs)))
    for k, p in enumerate(pairs, start=1):
        p.label = f"P{k:0{width}d}"
    return pairs


def _summary(result: PairingResult, total: float, bound: float, t0: float) -> dict[str, object]:
    affs = [p.affinity for p in result.pairs]
    mean = float(np.mean(affs)) if affs else 0.0
    return {
        "mode": result.mode,
        "people": len(result.people),
        "pairs": len(result.pairs),
        "capacity": result.capacity,
        "criteria": result.model.weights,
        "total_affinity": round(total, 4),
        "upper_bound": round(bound, 4),
        "ratio": round(total / bound, 4) if bound > 0 else None,
        "mean_affinity": round(mean, 4),
        "worst_pair_affinity": round(min(affs), 4) if affs else None,
        "constraints": result.constraints.describe(),
        "violations": [
            v.as_dict()
            for v in validate_pairs(
                result.people,
                [(p.a, p.b) for p in result.pairs],
                result.mode,
                result.constraints,
                result.capacity if result.mode != "peer" else None,
            )
        ],
        "seconds": round(time.perf_counter() - t0, 3),
    }


def _allowed_matrix(
    people: Sequence[Person],
    givers: list[int],
    takers: list[int],
    c: Constraints,
    apart: set[tuple[str, str]],
) -> npt.NDArray[np.bool_]:
    """``allowed[r, g]``: may receiver ``r`` be paired with giver ``g``. Vectorised by codes."""
    allowed = np.ones((len(takers), len(givers)), dtype=bool)

    def codes(key: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        table: dict[str, int] = {}
        vals = [getattr(p, key) for p in people]
        code = np.array(
            [table.setdefault(v, len(table)) if v else -1 for v in vals], dtype=np.int64
        )
        return code[takers], code[givers]

    if c.max_per_organisation is not None and c.max_per_organisation < 2:
        t, g = codes("org_key")
        allowed &= ~((t[:, None] == g[None, :]) & (t[:, None] >= 0))
    if c.max_per_country is not None and c.max_per_country < 2:
        t, g = codes("country_key")
        allowed &= ~((t[:, None] == g[None, :]) & (t[:, None] >= 0))
    if c.shared_language:
        langs: dict[str, int] = {}
        masks = []
        for p in people:
            m = 0
            for lang in sorted(p.language_keys):
                m |= 1 << langs.setdefault(lang, len(langs))
            masks.append(m)
        if any(masks) and len(langs) <= 62:
            arr = np.array(masks, dtype=np.int64)
            t, g = arr[takers], arr[givers]
            allowed &= ((t[:, None] & g[None, :]) != 0) | (t[:, None] == 0) | (g[None, :] == 0)
        elif any(masks):
            for r, ti in enumerate(takers):
                for k, gj in enumerate(givers):
                    if masks[ti] and masks[gj] and not (masks[ti] & masks[gj]):
                        allowed[r, k] = False
    if apart:
        rpos = {people[i].id: r for r, i in enumerate(takers)}
        gpos = {people[i].id: k for k, i in enumerate(givers)}
        for a, b in apart:
            for x, y in ((a, b), (b, a)):
                if x in rpos and y in gpos:
                    allowed[rpos[x], gpos[y]] = False
    return allowed


def _exact(aff: npt.NDArray[np.float32], allowed: npt.NDArray[np.bool_], cap: int) -> list[int]:
    from scipy.optimize import linear_sum_assignment

    cost = np.where(allowed, -aff.astype(np.float64), BIG)
    slots = np.repeat(cost, cap, axis=1)
    rows, cols = linear_sum_assignment(slots)
    match = [-1] * aff.shape[0]
    for r, s in zip(rows, cols, strict=True):
        g = int(s) // cap
        if allowed[r, g]:
            match[int(r)] = g
    return match


def _greedy(aff: npt.NDArray[np.float32], allowed: npt.NDArray[np.bool_], cap: int) -> list[int]:
    """Best edges first under capacity, then receivers re-assigned to free better givers."""
    m, k = aff.shape
    score = np.where(allowed, aff, -np.inf)
    top = min(k, 32)
    cand = np.argpartition(-score, top - 1, axis=1)[:, :top]
    rows = np.repeat(np.arange(m), top)
    cols = cand.ravel()
    vals = score[rows, cols]
    order = np.argsort(-vals, kind="stable")
    load = np.zeros(k, dtype=np.int64)
    match = [-1] * m
    for t in order:
        r, g = int(rows[t]), int(cols[t])
        if match[r] < 0 and load[g] < cap and np.isfinite(vals[t]):
            match[r] = g
            load[g] += 1
    for r in range(m):
        if match[r] < 0:
            free = np.where((load < cap) & allowed[r], score[r], -np.inf)
            g = int(np.argmax(free))
            if np.isfinite(free[g]):
                match[r] = g
                load[g] += 1
    # pairwise exchange: two receivers swap givers when it helps
    for _ in range(2):
        improved = 0
        for r in range(m):
            g = match[r]
            if g < 0:
                continue
            for h in cand[r]:
                h = int(h)
                if h == g or not allowed[r, h]:
                    continue
                if load[h] < cap and score[r, h] > score[r, g]:
                    load[g] -= 1
                    load[h] += 1
                    match[r] = h
                    improved += 1
                    break
        if not improved:
            break
    return match


def _peer_pairs(
    people: list[Person],
    c: Constraints,
    weights: str | Mapping[str, float],
    backend: BackendRef,
    seed: int,
    time_limit: float | None,
    max_passes: int | None,
    model: AffinityModel | None,
) -> PairingResult:
    from peerlearn.engine.grouping import solve_groups

    t0 = time.perf_counter()
    n = len(people)
    if n < 2:
        raise InfeasibleError([Conflict("pairs", "too_few_for_pairs")])
    odd = n % 2 == 1
    pc = replace(
        c,
        min_size=2,
        max_size=3 if odd else 2,
        n_groups=n // 2,
        keep_together=(),
        quotas=type(c.quotas)(),
        min_countries=0,
    )
    grouping = solve_groups(
        people,
        pc,
        weights,
        backend=backend,
        seed=seed,
        time_limit=time_limit,
        max_passes=max_passes,
        model=model,
    )
    index = {p.id: i for i, p in enumerate(people)}
    pairs: list[Pair] = []
    for label, ids in grouping.groups.items():
        for k, a in enumerate(ids):
            for b in ids[k + 1 :]:
                pairs.append(Pair(a, b, grouping.model.affinity(index[a], index[b]), label))
    per: dict[str, list[Pair]] = defaultdict(list)
    for p in pairs:
        per[p.label].append(p)
    result = PairingResult(people, "peer", pairs, pc, 1, grouping.model)
    total = float(sum(p.affinity for p in pairs))
    from peerlearn.engine.explain import upper_bound

    result.summary = _summary(result, total, upper_bound(grouping.model, 3 if odd else 2), t0)
    return result


def explain_pairs(result: PairingResult, *, terms: int = 3) -> None:
    """Fill why every pair is a pair: leading criterion, shared key terms and attributes.

    Data, not words: :func:`peerlearn.engine.wording.pair_reason` writes them
    for the CLI.

    Notes
    -----
    One key-term pass per pair (linear in the two people's text).

    Examples
    --------
    >>> from peerlearn.engine.wording import pair_reason
    >>> ps = [Person("e", external=True, challenges=("land registry reform",)),
    ...       Person("l", challenges=("our land registry has gaps",))]
    >>> r = solve_pairs(ps)
    >>> explain_pairs(r)
    >>> r.pairs[0].mostly, r.pairs[0].terms
    ('problems', ('land registry',))
    >>> pair_reason(r.pairs[0].mostly, r.pairs[0].terms, r.pairs[0].shared)
    'mostly similar challenges; shared terms: land registry'
    """
    from peerlearn.engine.explain import _shared
    from peerlearn.engine.similarity import key_terms

    index = {p.id: i for i, p in enumerate(result.people)}
    for pair in result.pairs:
        i, j = index[pair.a], index[pair.b]
        pa, pb = result.people[i], result.people[j]
        split = result.model.by_criterion(i, j)
        pair.mostly = ""
        if split:
            name, value = max(split.items(), key=lambda kv: (kv[1], kv[0]))
            if value > 0:
                pair.mostly = name
        pair.terms = ()
        if pa.challenges and pb.challenges:
            mine = {t.lower() for t in key_terms(list(pa.challenges), k=8)}
            theirs = key_terms(list(pb.challenges), k=8)
            pair.terms = tuple([t for t in theirs if t.lower() in mine][:terms])
        pair.shared = tuple(_shared(pa, [pb]))
