"""Theory of change: a map of nodes and links, its checks, evidence status and diffs.

Plain data, no Django.  The web layer (``peerlearn.theory``) stores a map as
JSON (:meth:`TheoryMap.to_dict`) in each revision and words the records
returned here.

Decisions
---------
* **Kinds, in causal order**: ``activity`` → ``capability`` → ``outcome``
  (institutional) → ``impact``.  ``assumption`` stands beside the chain: it
  is attached (``about``) to a node or a link and is never an end of a link.
* **Levels** (individual, institutional, context) belong to capabilities,
  the seeds' cascade of change; other kinds carry none.
* **Links** go forward or sideways in kind order (a capability may feed
  another capability, e.g. individual → institutional), never backwards
  (an outcome cannot cause an activity).  Sideways links make cycles
  possible, so the whole causal graph must also be acyclic.
* **Ceiling of accountability**: the highest kind the programme answers
  for; nodes above it are drawn but their evidence is "beyond the ceiling"
  (the web layer says so).  Any of the four chain kinds.
* **Evidence rules** (:func:`evidence_verdict`): each item yields
  ``supports``, ``contradicts`` or nothing:

  - indicator: measured (``current`` not ``None``, i.e. not suppressed)
    and moved from the baseline in the intended direction → supports;
    unchanged or moved the other way → contradicts;
  - outcome story (its verification as the harvest app computes it:
    ``substantiated``, ``partly``, ``disputed``, ``unverified``):
    substantiated fully or partly → supports when the change is positive,
    contradicts when it is negative; disputed (a substantiator does not
    agree) → contradicts, whatever its sign: the change the map leans on is
    contested by someone who knows it; unverified → nothing yet (a story
    only the harvester vouches for tests nothing);
  - check-ins: one or more → supports (the activity happened); none → nothing;
  - exchange metric (:func:`exchange_metric` over the ledger's exchanges:
    reciprocity, applied exchanges...): at or beyond its threshold in the
    better direction → supports, short of it → contradicts, not measurable
    (no tie, no exchange) → nothing;
  - share (e.g. objectives achieved out of those rated): at least the
    threshold → supports, below → contradicts, nobody rated → nothing.

  A node's or link's status (:func:`evidence_status`): no verdict →
  ``untested``; only "supports" → ``supported``; any "contradicts" →
  ``contested``.  A recorded override wins and is reported as such.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

#: The causal chain, lowest first.
CHAIN_KINDS: tuple[str, ...] = ("activity", "capability", "outcome", "impact")
ASSUMPTION = "assumption"
NODE_KINDS: tuple[str, ...] = (*CHAIN_KINDS, ASSUMPTION)
LEVELS: tuple[str, ...] = ("individual", "institutional", "context")
STATUSES: tuple[str, ...] = ("supported", "contested", "untested")

Verdict = Literal["supports", "contradicts"]


@dataclass(frozen=True)
class Node:
    """One box of the map; ``about`` is the node or link an assumption is attached to.

    ``key`` names a built-in node so its label can be translated; editing the
    label clears it.
    """

    id: str
    kind: str
    label: str
    level: str = ""
    about: str = ""
    key: str = ""


@dataclass(frozen=True)
class Link:
    """A causal arrow ``source`` → ``target`` with the reason it is believed."""

    id: str
    source: str
    target: str
    rationale: str = ""


@dataclass(frozen=True)
class TheoryMap:
    nodes: tuple[Node, ...] = ()
    links: tuple[Link, ...] = ()
    ceiling: str = "outcome"

    def node(self, node_id: str) -> Node | None:
        return next((n for n in self.nodes if n.id == node_id), None)

    def link(self, link_id: str) -> Link | None:
        return next((lk for lk in self.links if lk.id == link_id), None)

    def ids(self) -> set[str]:
        return {n.id for n in self.nodes} | {lk.id for lk in self.links}

    def canonical(self) -> TheoryMap:
        """The same map with nodes and links sorted by id (for comparisons)."""
        return TheoryMap(
            tuple(sorted(self.nodes, key=lambda n: n.id)),
            tuple(sorted(self.links, key=lambda lk: lk.id)),
            self.ceiling,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "ceiling": self.ceiling,
            "nodes": [_node_dict(n) for n in self.nodes],
            "links": [
                {"id": lk.id, "source": lk.source, "target": lk.target, "rationale": lk.rationale}
                for lk in self.links
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TheoryMap:
        nodes = tuple(
            Node(
                id=str(n["id"]),
                kind=str(n["kind"]),
                label=str(n.get("label", "")),
                level=str(n.get("level", "")),
                about=str(n.get("about", "")),
                key=str(n.get("key", "")),
            )
            for n in data.get("nodes", ())
        )
        links = tuple(
            Link(
                id=str(lk["id"]),
                source=str(lk["source"]),
                target=str(lk["target"]),
                rationale=str(lk.get("rationale", "")),
            )
            for lk in data.get("links", ())
        )
        return cls(nodes, links, str(data.get("ceiling", "outcome")))


def _node_dict(node: Node) -> dict[str, str]:
    out = {"id": node.id, "kind": node.kind, "label": node.label}
    for name in ("level", "about", "key"):
        if getattr(node, name):
            out[name] = getattr(node, name)
    return out


# ---------------------------------------------------------------- validation


@dataclass(frozen=True)
class Problem:
    """What is wrong (``kind``) and with which node or link ids."""

    kind: str
    ids: tuple[str, ...]


def kind_rank(kind: str) -> int:
    """Position in the causal chain (assumptions and unknown kinds: -1)."""
    return CHAIN_KINDS.index(kind) if kind in CHAIN_KINDS else -1


def validate(theory: TheoryMap) -> list[Problem]:
    """Every problem of a map; an empty list means the map is valid.

    Problem kinds: ``duplicate_id``, ``unknown_kind``, ``unknown_level``,
    ``missing_level`` (a capability without level), ``level_not_allowed``,
    ``unknown_ceiling``, ``unknown_end`` (a link to a missing node),
    ``assumption_end`` (a link to or from an assumption), ``self_loop``,
    ``duplicate_link``, ``backwards_link``, ``cycle`` (ids on one cycle),
    ``assumption_unattached`` (``about`` missing or unknown),
    ``about_not_assumption`` (``about`` set on a chain node).

    Examples
    --------
    >>> m = TheoryMap(
    ...     (Node("a", "activity", "Visit"), Node("c", "capability", "Skills", "individual")),
    ...     (Link("l1", "c", "a", "backwards"),),
    ... )
    >>> validate(m)
    [Problem(kind='backwards_link', ids=('l1',))]
    >>> validate(TheoryMap(m.nodes, (Link("l1", "a", "c"),)))
    []
    """
    problems: list[Problem] = []
    problems += _id_problems(theory)
    problems += _node_problems(theory)
    if theory.ceiling not in CHAIN_KINDS:
        problems.append(Problem("unknown_ceiling", ()))
    problems += _link_problems(theory)
    if not any(p.kind in ("unknown_end", "assumption_end") for p in problems):
        cycle = find_cycle(theory)
        if cycle:
            problems.append(Problem("cycle", tuple(cycle)))
    return problems


def _id_problems(theory: TheoryMap) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for item_id in [n.id for n in theory.nodes] + [lk.id for lk in theory.links]:
        if item_id in seen or not item_id:
            out.append(Problem("duplicate_id", (item_id,)))
        seen.add(item_id)
    return out


def _node_problems(theory: TheoryMap) -> list[Problem]:
    ids = theory.ids()
    out = []
    for node in theory.nodes:
        if node.kind not in NODE_KINDS:
            out.append(Problem("unknown_kind", (node.id,)))
            continue
        if node.level and node.level not in LEVELS:
            out.append(Problem("unknown_level", (node.id,)))
        elif node.kind == "capability" and not node.level:
            out.append(Problem("missing_level", (node.id,)))
        elif node.kind != "capability" and node.level:
            out.append(Problem("level_not_allowed", (node.id,)))
        if node.kind == ASSUMPTION:
            if not node.about or node.about not in ids or node.about == node.id:
                out.append(Problem("assumption_unattached", (node.id,)))
        elif node.about:
            out.append(Problem("about_not_assumption", (node.id,)))
    return out


def _link_problems(theory: TheoryMap) -> list[Problem]:
    kinds = {n.id: n.kind for n in theory.nodes}
    pairs: set[tuple[str, str]] = set()
    out = []
    for link in theory.links:
        if link.source not in kinds or link.target not in kinds:
            out.append(Problem("unknown_end", (link.id,)))
            continue
        if ASSUMPTION in (kinds[link.source], kinds[link.target]):
            out.append(Problem("assumption_end", (link.id,)))
            continue
        if link.source == link.target:
            out.append(Problem("self_loop", (link.id,)))
        elif (link.source, link.target) in pairs:
            out.append(Problem("duplicate_link", (link.id,)))
        elif kind_rank(kinds[link.target]) < kind_rank(kinds[link.source]):
            out.append(Problem("backwards_link", (link.id,)))
        pairs.add((link.source, link.target))
    return out


def _successors(theory: TheoryMap) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {n.id: [] for n in theory.nodes if n.kind != ASSUMPTION}
    for link in theory.links:
        if link.source in out and link.target in out:
            out[link.source].append(link.target)
    return out


def find_cycle(theory: TheoryMap) -> list[str]:
    """The node ids of one cycle of the causal graph (first node repeated last), or ``[]``.

    >>> m = TheoryMap(
    ...     (Node("x", "capability", "X", "individual"), Node("y", "capability", "Y", "context")),
    ...     (Link("1", "x", "y"), Link("2", "y", "x")),
    ... )
    >>> find_cycle(m)
    ['x', 'y', 'x']
    """
    succ = _successors(theory)
    state: dict[str, int] = {}  # 1 = on the path, 2 = done
    for start in succ:
        if start in state:
            continue
        path: list[str] = [start]
        stack = [iter(succ[start])]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(succ[nxt]))
    return []


def topological_order(theory: TheoryMap) -> list[str]:
    """The chain nodes' ids, causes before effects (Kahn); raises ``ValueError`` on a cycle.

    Ties keep the map's order, so the result is stable.

    >>> m = TheoryMap(
    ...     (Node("o", "outcome", "O"), Node("a", "activity", "A")), (Link("l", "a", "o"),)
    ... )
    >>> topological_order(m)
    ['a', 'o']
    """
    succ = _successors(theory)
    indegree = dict.fromkeys(succ, 0)
    for targets in succ.values():
        for target in targets:
            indegree[target] += 1
    ready = [node for node in succ if indegree[node] == 0]
    order: list[str] = []
    while ready:
        node = ready.pop(0)
        order.append(node)
        for target in succ[node]:
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    if len(order) != len(succ):
        raise ValueError("the map has a cycle")
    return order


# ---------------------------------------------------------------- evidence


@dataclass(frozen=True)
class Indicator:
    """A measured value (e.g. a survey question's mean): ``current`` is ``None`` when
    not measured or suppressed below k respondents."""

    name: str
    baseline: float
    target: float
    current: float | None
    direction: Literal["increase", "decrease"] = "increase"

    @property
    def reached(self) -> bool:
        if self.current is None:
            return False
        if self.direction == "increase":
            return self.current >= self.target
        return self.current <= self.target


#: Story verifications that count as substantiated (the harvest app's codes).
SUBSTANTIATED = ("substantiated", "partly")


@dataclass(frozen=True)
class Story:
    """An outcome story and its verification: ``substantiated``, ``partly``,
    ``disputed`` or ``unverified`` (``harvest.models.verification_status``)."""

    name: str
    verification: str
    positive: bool = True


@dataclass(frozen=True)
class CheckIns:
    name: str
    count: int


@dataclass(frozen=True)
class ExchangeMetric:
    """A mutuality-ledger figure (a key of :data:`EXCHANGE_METRICS`) against a threshold."""

    name: str
    value: float | None
    threshold: float
    direction: Literal["increase", "decrease"] = "increase"


#: The ledger figures a node or link can be tied to, each a function of the exchanges.
EXCHANGE_METRICS: tuple[str, ...] = (
    "edgewise_reciprocity",
    "dyadic_reciprocity",
    "exchanges",
    "applied_exchanges",
    "applied_share",
    "mutual_pairs",
)


def exchange_metric(metric: str, exchanges: Sequence[Any]) -> float | None:
    """One ledger figure over ``engine.mutuality.Exchange`` records (``None``: not measurable).

    ``edgewise_reciprocity`` and ``dyadic_reciprocity`` as in
    :mod:`peerlearn.engine.mutuality`; ``exchanges`` counts them;
    ``applied_exchanges`` counts those applied; ``applied_share`` is applied
    over those whose outcome is known (applied or not); ``mutual_pairs``
    counts pairs who learned from each other.

    >>> from datetime import date
    >>> from peerlearn.engine.mutuality import Exchange
    >>> day = date(2026, 3, 1)
    >>> rows = [Exchange(1, 2, day, applied=True), Exchange(2, 1, day), Exchange(1, 3, day)]
    >>> exchange_metric("edgewise_reciprocity", rows), exchange_metric("dyadic_reciprocity", rows)
    (0.6666666666666666, 0.5)
    >>> exchange_metric("applied_exchanges", rows), exchange_metric("applied_share", rows)
    (1.0, 1.0)
    >>> exchange_metric("mutual_pairs", rows), exchange_metric("applied_share", []) is None
    (1.0, True)
    """
    from peerlearn.engine import mutuality as mu

    if metric == "edgewise_reciprocity":
        return mu.edgewise_reciprocity(exchanges)
    if metric == "dyadic_reciprocity":
        return mu.dyadic_reciprocity(exchanges)
    if metric == "exchanges":
        return float(len(exchanges))
    if metric == "applied_exchanges":
        return float(sum(1 for e in exchanges if e.applied is True))
    if metric == "applied_share":
        known = [e.applied for e in exchanges if e.applied is not None]
        return sum(known) / len(known) if known else None
    if metric == "mutual_pairs":
        return float(mu.dyad_census(exchanges).mutual)
    raise ValueError(f"unknown exchange metric {metric!r}")


@dataclass(frozen=True)
class Share:
    """``count`` out of ``total`` (e.g. objectives achieved of those rated)."""

    name: str
    count: int
    total: int
    threshold: float = 0.5


EvidenceItem = Indicator | Story | CheckIns | ExchangeMetric | Share


def evidence_verdict(item: EvidenceItem) -> Verdict | None:
    """What one item says about its node or link (rules in the module docstring).

    >>> evidence_verdict(Indicator("trust", baseline=2.0, target=4.0, current=3.1))
    'supports'
    >>> evidence_verdict(Indicator("trust", 2.0, 4.0, None)) is None
    True
    >>> evidence_verdict(Story("unit adopts tool", "substantiated"))
    'supports'
    >>> evidence_verdict(Story("unit adopts tool", "disputed"))
    'contradicts'
    >>> evidence_verdict(Story("unit adopts tool", "unverified")) is None
    True
    >>> evidence_verdict(Share("objectives achieved", count=1, total=4))
    'contradicts'
    """
    if isinstance(item, Indicator):
        if item.current is None:
            return None
        moved = item.current - item.baseline
        if item.direction == "decrease":
            moved = -moved
        return "supports" if moved > 0 else "contradicts"
    if isinstance(item, Story):
        if item.verification == "disputed":
            return "contradicts"
        if item.verification not in SUBSTANTIATED:
            return None
        return "supports" if item.positive else "contradicts"
    if isinstance(item, CheckIns):
        return "supports" if item.count > 0 else None
    if isinstance(item, ExchangeMetric):
        if item.value is None:
            return None
        ok = item.value >= item.threshold
        if item.direction == "decrease":
            ok = item.value <= item.threshold
        return "supports" if ok else "contradicts"
    if item.total <= 0:
        return None
    return "supports" if item.count / item.total >= item.threshold else "contradicts"


@dataclass(frozen=True)
class StatusRecord:
    """A node's or link's status, the computed one, and the verdict counts behind it."""

    status: str
    computed: str
    supports: int = 0
    contradicts: int = 0
    overridden: bool = False


def status_from(verdicts: Iterable[Verdict | None]) -> str:
    """``untested`` / ``supported`` / ``contested`` from the items' verdicts.

    >>> status_from([None, "supports"]), status_from(["supports", "contradicts"]), status_from([])
    ('supported', 'contested', 'untested')
    """
    given = [v for v in verdicts if v is not None]
    if not given:
        return "untested"
    return "contested" if "contradicts" in given else "supported"


def evidence_status(
    theory: TheoryMap,
    evidence: Mapping[str, Sequence[EvidenceItem]],
    overrides: Mapping[str, str] | None = None,
) -> dict[str, StatusRecord]:
    """The status of every node and link of ``theory`` (ids of other maps are ignored).

    >>> m = TheoryMap((Node("a", "activity", "Visits"),))
    >>> evidence_status(m, {"a": [CheckIns("check-ins", 3)]})["a"].status
    'supported'
    >>> record = evidence_status(m, {}, {"a": "contested"})["a"]
    >>> record.status, record.computed, record.overridden
    ('contested', 'untested', True)
    """
    overrides = overrides or {}
    out: dict[str, StatusRecord] = {}
    for item_id in [n.id for n in theory.nodes] + [lk.id for lk in theory.links]:
        verdicts = [evidence_verdict(item) for item in evidence.get(item_id, ())]
        computed = status_from(verdicts)
        override = overrides.get(item_id)
        out[item_id] = StatusRecord(
            status=override if override in STATUSES else computed,
            computed=computed,
            supports=verdicts.count("supports"),
            contradicts=verdicts.count("contradicts"),
            overridden=override in STATUSES,
        )
    return out


# ---------------------------------------------------------------- diff


@dataclass(frozen=True)
class Diff:
    """What turns one map into another: whole nodes and links added, removed or changed."""

    added_nodes: tuple[Node, ...] = ()
    removed_nodes: tuple[str, ...] = ()
    changed_nodes: tuple[tuple[Node, Node], ...] = ()  # (before, after)
    added_links: tuple[Link, ...] = ()
    removed_links: tuple[str, ...] = ()
    changed_links: tuple[tuple[Link, Link], ...] = ()
    ceiling: tuple[str, str] | None = None

    @property
    def is_empty(self) -> bool:
        return not (
            self.added_nodes
            or self.removed_nodes
            or self.changed_nodes
            or self.added_links
            or self.removed_links
            or self.changed_links
            or self.ceiling
        )


def diff(before: TheoryMap, after: TheoryMap) -> Diff:
    """The changes from ``before`` to ``after``, matched by id.

    >>> a = TheoryMap((Node("a", "activity", "Visits"),))
    >>> b = TheoryMap((Node("a", "activity", "Site visits"), Node("o", "outcome", "Reform")))
    >>> d = diff(a, b)
    >>> [n.id for n in d.added_nodes], [after.label for _, after in d.changed_nodes]
    (['o'], ['Site visits'])
    >>> apply_diff(a, d).canonical() == b.canonical()
    True
    """
    old_nodes = {n.id: n for n in before.nodes}
    new_nodes = {n.id: n for n in after.nodes}
    old_links = {lk.id: lk for lk in before.links}
    new_links = {lk.id: lk for lk in after.links}
    return Diff(
        added_nodes=tuple(n for i, n in new_nodes.items() if i not in old_nodes),
        removed_nodes=tuple(i for i in old_nodes if i not in new_nodes),
        changed_nodes=tuple(
            (old_nodes[i], n) for i, n in new_nodes.items() if i in old_nodes and old_nodes[i] != n
        ),
        added_links=tuple(lk for i, lk in new_links.items() if i not in old_links),
        removed_links=tuple(i for i in old_links if i not in new_links),
        changed_links=tuple(
            (old_links[i], lk)
            for i, lk in new_links.items()
            if i in old_links and old_links[i] != lk
        ),
        ceiling=None if before.ceiling == after.ceiling else (before.ceiling, after.ceiling),
    )


def apply_diff(theory: TheoryMap, changes: Diff) -> TheoryMap:
    """``theory`` with ``changes`` made (the inverse check of :func:`diff`)."""
    gone_nodes = set(changes.removed_nodes)
    new_node = {after.id: after for _, after in changes.changed_nodes}
    nodes = [new_node.get(n.id, n) for n in theory.nodes if n.id not in gone_nodes]
    gone_links = set(changes.removed_links)
    new_link = {after.id: after for _, after in changes.changed_links}
    links = [new_link.get(lk.id, lk) for lk in theory.links if lk.id not in gone_links]
    ceiling = changes.ceiling[1] if changes.ceiling else theory.ceiling
    return TheoryMap(
        (*nodes, *changes.added_nodes), (*links, *changes.added_links), ceiling=ceiling
    )


def removing_node(theory: TheoryMap, node_id: str) -> TheoryMap:
    """The map without a node, the links touching it and the assumptions about either."""
    links = [lk for lk in theory.links if node_id not in (lk.source, lk.target)]
    gone = {node_id} | ({lk.id for lk in theory.links} - {lk.id for lk in links})
    nodes = [n for n in theory.nodes if n.id not in gone and n.about not in gone]
    return replace(theory, nodes=tuple(nodes), links=tuple(links))


def removing_link(theory: TheoryMap, link_id: str) -> TheoryMap:
    """The map without a link and the assumptions attached to it."""
    links = tuple(lk for lk in theory.links if lk.id != link_id)
    nodes = tuple(n for n in theory.nodes if n.about != link_id)
    return replace(theory, nodes=nodes, links=links)
