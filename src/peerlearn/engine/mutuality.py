"""The mutuality ledger: who learned what from whom, and whether it flows both ways.

Pure Python and numpy (no Django, no networkx), so the metrics run on
50,000 people and 500,000 exchanges in a few seconds and are tested without
a database.  ``benchmarks/mutuality.py`` measures them; the tests check
them against networkx on random directed graphs.

An :class:`Exchange` is one learning event: ``giver`` taught ``receiver``
something on ``when``.  A *tie* is an ordered pair (giver, receiver) with at
least one exchange; exchanges repeat, ties do not.  Self-loops (someone
learning from themselves, or an organisation from itself once people are
aggregated) are never ties: :func:`ties` drops them, :func:`check_exchanges`
reports them.

Decisions:

* Reciprocity is given in both published forms.  *Edgewise*
  (:func:`edgewise_reciprocity`) is the share of ties whose reverse tie also
  exists, as ``networkx.overall_reciprocity`` and igraph's default define it.
  *Dyadic* (:func:`dyadic_reciprocity`) is mutual dyads over connected dyads
  (igraph's ``mode="ratio"``).  With ``m`` mutual and ``a`` asymmetric
  dyads they are ``2m / (2m + a)`` and ``m / (m + a)``.
* Metrics with no ties to speak of return ``None``, never 0: "nobody
  exchanged anything" is not "nothing flowed back".
* One-way flags count *exchanges*, not ties, and take their thresholds as
  parameters: a programme decides how many exchanges make a pattern.
* Unanticipated learning is dyadic: ``A`` gave to ``B`` (at least
  ``min_given`` times, with nothing back from ``B``) before ``B`` first gave
  to ``A``.  The UK statistics office that went to teach Rwanda's and came
  back having learned is the pattern (seed 003).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "KINDS",
    "Balance",
    "BalancePoint",
    "DyadCensus",
    "Exchange",
    "Flag",
    "Problem",
    "Unanticipated",
    "aggregate",
    "balance",
    "balance_over_time",
    "check_exchanges",
    "dyad_census",
    "dyadic_reciprocity",
    "edgewise_reciprocity",
    "node_codes",
    "node_reciprocity",
    "one_way_flags",
    "period_start",
    "ties",
    "unanticipated_learning",
    "within",
]

Node = int | str

#: The kinds of exchange the ledger knows (the web layer words them).
KINDS = ("advice", "tool", "visit", "joint_task", "contact")


@dataclass(frozen=True)
class Exchange:
    """One learning event: ``receiver`` learned from ``giver`` on ``when``.

    ``applied`` is ``True``/``False`` when known, ``None`` when not.  ``ref``
    is the caller's own id for the record (a database key), carried through
    so findings can point back at it.
    """

    giver: Node
    receiver: Node
    when: date
    kind: str = "advice"
    applied: bool | None = None
    ref: int | None = None


@dataclass(frozen=True)
class Problem:
    """Something wrong with one exchange: ``kind`` is self_loop, outside or duplicate."""

    kind: str
    index: int
    node: Node | None = None


@dataclass(frozen=True)
class Balance:
    """How many exchanges a node gave and received, and how many it applied."""

    given: int = 0
    received: int = 0
    applied: int = 0

    @property
    def net(self) -> int:
        """Given minus received: positive for a net resource."""
        return self.given - self.received


@dataclass(frozen=True)
class BalancePoint:
    """One node's exchanges in one period, and its running net balance."""

    period: date
    given: int
    received: int
    cumulative_net: int


@dataclass(frozen=True)
class DyadCensus:
    """Unordered pairs of nodes by how their ties run."""

    mutual: int
    asymmetric: int
    null: int

    @property
    def connected(self) -> int:
        return self.mutual + self.asymmetric

    @property
    def edgewise(self) -> float | None:
        """Edgewise reciprocity from the counts: ``2m / (2m + a)`` (None without a tie).

        >>> c = DyadCensus(mutual=1, asymmetric=1, null=4)
        >>> round(c.edgewise, 4), c.dyadic
        (0.6667, 0.5)
        """
        ties = 2 * self.mutual + self.asymmetric
        return None if ties == 0 else 2 * self.mutual / ties

    @property
    def dyadic(self) -> float | None:
        """Dyadic reciprocity from the counts: ``m / (m + a)`` (None without a tie)."""
        return None if self.connected == 0 else self.mutual / self.connected


@dataclass(frozen=True)
class Flag:
    """A node whose exchanges run one way: ``kind`` is "resource" or "recipient"."""

    node: Node
    kind: Literal["resource", "recipient"]
    given: int
    received: int


@dataclass(frozen=True)
class Unanticipated:
    """``resource`` gave to ``learned_from`` first, and later learned from them."""

    resource: Node
    learned_from: Node
    first_given: date
    learned_on: date
    given_before: int
    ref: int | None = None


# ---------------------------------------------------------------- checking and shaping


def check_exchanges(
    exchanges: Iterable[Exchange], members: Iterable[Node] | None = None
) -> list[Problem]:
    """Problems in a list of exchanges (the checker beside every metric here).

    A self-loop, a giver or receiver outside ``members`` (when given), and a
    duplicate (same giver, receiver, kind and day as an earlier exchange).

    >>> day = date(2026, 3, 1)
    >>> found = check_exchanges(
    ...     [Exchange(1, 2, day), Exchange(1, 1, day), Exchange(1, 2, day), Exchange(1, 9, day)],
    ...     members=[1, 2],
    ... )
    >>> [(p.kind, p.index) for p in found]
    [('self_loop', 1), ('duplicate', 2), ('outside', 3)]
    """
    allowed = None if members is None else set(members)
    seen: set[tuple[Node, Node, str, date]] = set()
    problems: list[Problem] = []
    for index, ex in enumerate(exchanges):
        if ex.giver == ex.receiver:
            problems.append(Problem("self_loop", index, ex.giver))
            continue
        if allowed is not None:
            outside = [n for n in (ex.giver, ex.receiver) if n not in allowed]
            if outside:
                problems.append(Problem("outside", index, outside[0]))
                continue
        key = (ex.giver, ex.receiver, ex.kind, ex.when)
        if key in seen:
            problems.append(Problem("duplicate", index))
        seen.add(key)
    return problems


def aggregate(exchanges: Iterable[Exchange], mapping: Mapping[Node, Node | None]) -> list[Exchange]:
    """The exchanges between the units ``mapping`` puts people in (organisation, country).

    People the mapping does not place (or places in ``None``) drop out;
    exchanges inside one unit become self-loops, which :func:`ties` ignores
    but :func:`balance` does not count either.  Chain calls to go
    person -> organisation -> country.

    >>> day = date(2026, 3, 1)
    >>> org = {1: "treasury", 2: "treasury", 3: "statistics"}
    >>> [(e.giver, e.receiver) for e in aggregate([Exchange(1, 3, day), Exchange(1, 2, day)], org)]
    [('treasury', 'statistics'), ('treasury', 'treasury')]
    """
    out = []
    for ex in exchanges:
        giver, receiver = mapping.get(ex.giver), mapping.get(ex.receiver)
        if giver is None or receiver is None:
            continue
        out.append(replace(ex, giver=giver, receiver=receiver))
    return out


def within(exchanges: Iterable[Exchange], nodes: Iterable[Node]) -> list[Exchange]:
    """The exchanges whose two sides are both in ``nodes`` (a group, a cohort).

    >>> day = date(2026, 3, 1)
    >>> len(within([Exchange(1, 2, day), Exchange(1, 3, day)], [1, 2]))
    1
    """
    keep = set(nodes)
    return [ex for ex in exchanges if ex.giver in keep and ex.receiver in keep]


# ---------------------------------------------------------------- balance


def balance(exchanges: Iterable[Exchange]) -> dict[Node, Balance]:
    """Given and received exchanges per node (self-loops left out).

    ``applied`` counts the exchanges a node *received* and applied.

    >>> day = date(2026, 3, 1)
    >>> b = balance([Exchange(1, 2, day, applied=True), Exchange(1, 3, day), Exchange(3, 1, day)])
    >>> b[1], b[2].applied, b[1].net
    (Balance(given=2, received=1, applied=0), 1, 1)
    """
    kept, g, r, names = _coded(exchanges)
    n = len(names)
    given = np.bincount(g, minlength=n).tolist()
    received = np.bincount(r, minlength=n).tolist()
    took = np.fromiter((bool(ex.applied) for ex in kept), dtype=bool, count=len(kept))
    applied = np.bincount(r[took], minlength=n).tolist()
    return {node: Balance(given[i], received[i], applied[i]) for i, node in enumerate(names)}


def _coded(
    exchanges: Iterable[Exchange],
) -> tuple[list[Exchange], NDArray[np.int64], NDArray[np.int64], list[Node]]:
    """The exchanges that are not self-loops, with their sides coded (:func:`node_codes`)."""
    kept = [ex for ex in exchanges if ex.giver != ex.receiver]
    g, r, names = node_codes([(ex.giver, ex.receiver) for ex in kept])
    return kept, g, r, names


def period_start(day: date, period: Literal["month", "quarter"] = "month") -> date:
    """The first day of the month or quarter holding ``day``.

    >>> period_start(date(2026, 5, 17)), period_start(date(2026, 5, 17), "quarter")
    (datetime.date(2026, 5, 1), datetime.date(2026, 4, 1))
    """
    if period == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, day.month, 1)


def balance_over_time(
    exchanges: Iterable[Exchange],
    nodes: Iterable[Node] | None = None,
    period: Literal["month", "quarter"] = "month",
) -> dict[Node, list[BalancePoint]]:
    """Each node's given/received per period with the running net, oldest first.

    Only periods with an exchange appear.  ``nodes`` limits the answer.

    >>> ex = [Exchange(1, 2, date(2026, 1, 5)), Exchange(2, 1, date(2026, 3, 9)),
    ...       Exchange(2, 1, date(2026, 3, 10))]
    >>> [(p.period.month, p.given, p.received, p.cumulative_net)
    ...  for p in balance_over_time(ex, [1])[1]]
    [(1, 1, 0, 1), (3, 0, 2, -1)]
    """
    wanted = None if nodes is None else set(nodes)
    cells: dict[Node, dict[date, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for ex in exchanges:
        if ex.giver == ex.receiver:
            continue
        start = period_start(ex.when, period)
        if wanted is None or ex.giver in wanted:
            cells[ex.giver][start][0] += 1
        if wanted is None or ex.receiver in wanted:
            cells[ex.receiver][start][1] += 1
    out: dict[Node, list[BalancePoint]] = {}
    for node, by_period in cells.items():
        running = 0
        points = []
        for start in sorted(by_period):
            g, r = by_period[start]
            running += g - r
            points.append(BalancePoint(start, g, r, running))
        out[node] = points
    return out


# ---------------------------------------------------------------- reciprocity


def ties(exchanges: Iterable[Exchange]) -> set[tuple[Node, Node]]:
    """The distinct (giver, receiver) pairs, self-loops dropped.

    >>> day = date(2026, 3, 1)
    >>> sorted(ties([Exchange(1, 2, day), Exchange(1, 2, day), Exchange(2, 2, day)]))
    [(1, 2)]
    """
    return {(ex.giver, ex.receiver) for ex in exchanges if ex.giver != ex.receiver}


def _sortable(values: list[Node]) -> NDArray[Any] | None:
    """``values`` as one numpy array numpy can sort (all ints or all strings), else None.

    Mixed kinds (``1`` and ``"1"``) would be cast to one type by numpy and
    conflated, so they take the Python path instead.
    """
    kinds = set(map(type, values))
    try:
        if kinds <= {int}:
            return np.asarray(values, dtype=np.int64)
        if kinds == {str}:
            return np.asarray(values, dtype=str)
    except OverflowError:  # an int beyond 64 bits
        return None
    return None


def node_codes(
    pairs: Sequence[tuple[Node, Node]], nodes: Iterable[Node] | None = None
) -> tuple[NDArray[np.int64], NDArray[np.int64], list[Node]]:
    """Each pair's giver and receiver as codes 0..n-1, and the n nodes in code order.

    Self-loops are dropped, and so are pairs with a side outside ``nodes``
    (when given).  The codes number the nodes that keep a pair, sorted, so the
    same ledger always gets the same codes.  Integers and strings are coded by
    numpy (sorting in C: 500,000 exchanges take a fraction of a second);
    mixed kinds go through a dict.

    >>> g, r, names = node_codes([("b", "a"), ("a", "a"), ("a", "c")], nodes=["a", "b"])
    >>> g.tolist(), r.tolist(), names
    ([1], [0], ['a', 'b'])
    """
    givers = [g for g, _ in pairs]
    receivers = [r for _, r in pairs]
    values = _sortable(givers + receivers)
    allowed = None if nodes is None else list(nodes)
    allowed_values = None if allowed is None else _sortable(allowed)
    if values is None or (
        allowed is not None
        and (
            allowed_values is None or not allowed or allowed_values.dtype.kind != values.dtype.kind
        )
    ):
        return _node_codes_python(givers, receivers, allowed)
    m = len(givers)
    g, r = values[:m], values[m:]
    keep = g != r
    if allowed_values is not None:
        keep &= np.isin(g, allowed_values) & np.isin(r, allowed_values)
    g, r = g[keep], r[keep]
    names, inverse = np.unique(np.concatenate([g, r]), return_inverse=True)
    codes = inverse.astype(np.int64)
    return codes[: len(g)], codes[len(g) :], names.tolist()


def _node_codes_python(
    givers: list[Node], receivers: list[Node], allowed: list[Node] | None
) -> tuple[NDArray[np.int64], NDArray[np.int64], list[Node]]:
    """:func:`node_codes` for mixed kinds of node: a dict numbers them."""
    keep = None if allowed is None else set(allowed)
    kept = [
        (g, r)
        for g, r in zip(givers, receivers, strict=True)
        if g != r and (keep is None or (g in keep and r in keep))
    ]
    ordered = sorted({n for pair in kept for n in pair}, key=lambda n: (type(n).__name__, n))
    code = {n: i for i, n in enumerate(ordered)}
    g_codes = np.fromiter((code[g] for g, _ in kept), dtype=np.int64, count=len(kept))
    r_codes = np.fromiter((code[r] for _, r in kept), dtype=np.int64, count=len(kept))
    return g_codes, r_codes, ordered


def _mutual_and_asymmetric(
    pairs: Sequence[tuple[Node, Node]], nodes: Iterable[Node] | None = None
) -> tuple[int, int, int]:
    """(mutual dyads, asymmetric dyads, number of nodes with a tie): two sorts, no loop."""
    givers, receivers, names = node_codes(pairs, nodes)
    n = len(names)
    if n == 0:
        return 0, 0, 0
    keys = np.unique(givers * n + receivers)
    reverse = (keys % n) * n + keys // n
    reciprocated = int(np.isin(keys, reverse, assume_unique=True).sum())
    mutual = reciprocated // 2
    return mutual, len(keys) - reciprocated, n


def _pairs(data: Iterable[Exchange] | Iterable[tuple[Node, Node]]) -> list[tuple[Node, Node]]:
    return [(x.giver, x.receiver) if isinstance(x, Exchange) else x for x in data]


def edgewise_reciprocity(data: Iterable[Exchange] | Iterable[tuple[Node, Node]]) -> float | None:
    """Share of ties whose reverse tie exists (``networkx.overall_reciprocity``).

    Takes exchanges or (giver, receiver) ties; ``None`` when there is no tie.

    >>> edgewise_reciprocity([(1, 2), (2, 1), (1, 3)])
    0.6666666666666666
    >>> edgewise_reciprocity([]) is None
    True

    Notes
    -----
    O(t log t) for t exchanges: numpy sorts the node codes and the tie keys.
    """
    mutual, asymmetric, _ = _mutual_and_asymmetric(_pairs(data))
    total = 2 * mutual + asymmetric
    return None if total == 0 else 2 * mutual / total


def dyadic_reciprocity(data: Iterable[Exchange] | Iterable[tuple[Node, Node]]) -> float | None:
    """Mutual dyads over connected dyads (igraph's ``reciprocity(mode="ratio")``).

    >>> dyadic_reciprocity([(1, 2), (2, 1), (1, 3)])
    0.5
    """
    mutual, asymmetric, _ = _mutual_and_asymmetric(_pairs(data))
    connected = mutual + asymmetric
    return None if connected == 0 else mutual / connected


def dyad_census(
    data: Iterable[Exchange] | Iterable[tuple[Node, Node]], nodes: Iterable[Node] | None = None
) -> DyadCensus:
    """Mutual, asymmetric and null dyads among ``nodes`` (default: nodes with a tie).

    Pass every person of the programme as ``nodes`` to count the pairs that
    never exchanged; ties to nodes outside ``nodes`` are ignored.

    >>> dyad_census([(1, 2), (2, 1), (1, 3)], nodes=[1, 2, 3, 4])
    DyadCensus(mutual=1, asymmetric=1, null=4)
    """
    wanted = None if nodes is None else list(dict.fromkeys(nodes))
    mutual, asymmetric, seen = _mutual_and_asymmetric(_pairs(data), wanted)
    n_nodes = seen if wanted is None else len(wanted)
    null = n_nodes * (n_nodes - 1) // 2 - mutual - asymmetric
    return DyadCensus(mutual, asymmetric, null)


def node_reciprocity(
    data: Iterable[Exchange] | Iterable[tuple[Node, Node]], nodes: Iterable[Node]
) -> dict[Node, float | None]:
    """Per node, the share of its ties that run both ways (``networkx.reciprocity(G, nodes)``).

    >>> node_reciprocity([(1, 2), (2, 1), (1, 3)], [1, 3, 9])
    {1: 0.6666666666666666, 3: 0.0, 9: None}
    """
    out_ties: dict[Node, set[Node]] = defaultdict(set)
    in_ties: dict[Node, set[Node]] = defaultdict(set)
    for g, r in _pairs(data):
        if g != r:
            out_ties[g].add(r)
            in_ties[r].add(g)
    result: dict[Node, float | None] = {}
    for node in nodes:
        succ, pred = out_ties.get(node, set()), in_ties.get(node, set())
        total = len(succ) + len(pred)
        result[node] = None if total == 0 else 2 * len(succ & pred) / total
    return result


# ---------------------------------------------------------------- one-way patterns


def one_way_flags(
    exchanges: Iterable[Exchange], *, min_exchanges: int = 3, max_other_share: float = 0.0
) -> list[Flag]:
    """Nodes whose exchanges run (almost) one way, sorted by volume.

    A node with at least ``min_exchanges`` exchanges is a "resource" when
    the share it *received* is at most ``max_other_share`` (0: it only
    gives), a "recipient" when the share it *gave* is.

    >>> day = date(2026, 3, 1)
    >>> ex = [Exchange(1, n, day) for n in (2, 3, 4)] + [Exchange(2, 3, day)]
    >>> [(f.node, f.kind, f.given, f.received) for f in one_way_flags(ex, min_exchanges=2)]
    [(1, 'resource', 3, 0), (3, 'recipient', 0, 2)]
    """
    return one_way_flags_of(
        balance(exchanges), min_exchanges=min_exchanges, max_other_share=max_other_share
    )


def one_way_flags_of(
    balances: Mapping[Node, Balance], *, min_exchanges: int = 3, max_other_share: float = 0.0
) -> list[Flag]:
    """:func:`one_way_flags` from each node's :class:`Balance` (when the exchanges are
    already counted, e.g. grouped into weighted ties in the database).

    >>> flags = one_way_flags_of(
    ...     {1: Balance(3, 0), 2: Balance(1, 1), 3: Balance(0, 2)}, min_exchanges=2
    ... )
    >>> [(f.node, f.kind, f.given, f.received) for f in flags]
    [(1, 'resource', 3, 0), (3, 'recipient', 0, 2)]
    """
    if min_exchanges < 1:
        raise ValueError("min_exchanges must be at least 1")
    flags = []
    for node, b in balances.items():
        total = b.given + b.received
        if total < min_exchanges:
            continue
        if b.received / total <= max_other_share:
            flags.append(Flag(node, "resource", b.given, b.received))
        elif b.given / total <= max_other_share:
            flags.append(Flag(node, "recipient", b.given, b.received))
    return sorted(flags, key=lambda f: (-(f.given + f.received), str(f.node)))


def unanticipated_learning(
    exchanges: Iterable[Exchange], *, min_given: int = 1
) -> list[Unanticipated]:
    """Dyads where the side that gave first later learned from the other.

    ``resource`` gave to ``learned_from`` at least ``min_given`` times
    (days strictly before) with nothing back, then received from them.

    >>> ex = [Exchange("uk", "rw", date(2026, 1, 10)), Exchange("uk", "rw", date(2026, 2, 1)),
    ...       Exchange("rw", "uk", date(2026, 6, 3), ref=7)]
    >>> [(u.resource, u.learned_from, u.given_before, u.learned_on.month, u.ref)
    ...  for u in unanticipated_learning(ex, min_given=2)]
    [('uk', 'rw', 2, 6, 7)]
    """
    kept, g, r, names = _coded(exchanges)
    if not kept:
        return []
    n = len(names)
    day = np.fromiter((ex.when.toordinal() for ex in kept), dtype=np.int64, count=len(kept))
    dyad = np.minimum(g, r) * n + np.maximum(g, r)
    # Each dyad's history by day, ties in the order given (a stable sort, as before).
    order = np.lexsort((np.arange(len(kept)), day, dyad))
    dyad, g, day = dyad[order], g[order], day[order]
    starts = np.flatnonzero(np.r_[True, dyad[1:] != dyad[:-1]])
    group = np.cumsum(np.r_[True, dyad[1:] != dyad[:-1]]) - 1
    resource = g[starts]  # the giver of each dyad's first exchange
    other_way = g != resource[group]
    # The first exchange the other way, per dyad (its position in the sorted rows).
    back = np.full(len(starts), -1, dtype=np.int64)
    rows = np.flatnonzero(other_way)
    first_rows, first_at = np.unique(group[rows], return_index=True)
    back[first_rows] = rows[first_at]
    has_back = back >= 0
    back_day = np.where(has_back, day[np.maximum(back, 0)], 0)
    # Rows before the first one back are all the resource's; count those days before it.
    position = np.arange(len(dyad))
    early = (position < back[group]) & (day < back_day[group]) & has_back[group]
    before = np.bincount(group[early], minlength=len(starts))
    found = []
    for d in np.flatnonzero(has_back & (before >= min_given)).tolist():
        first, returned = kept[order[starts[d]]], kept[order[back[d]]]
        found.append(
            Unanticipated(
                first.giver, first.receiver, first.when, returned.when, int(before[d]), returned.ref
            )
        )
    return sorted(found, key=lambda u: (u.learned_on, str(u.resource), str(u.learned_from)))
