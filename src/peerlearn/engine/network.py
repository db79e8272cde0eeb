"""The learning network: exchanges as a directed graph, its metrics, layout and exports.

networkx holds the graph (and writes GraphML/GEXF); the heavy steps run in
igraph's C code: Louvain communities (``community_multilevel``), which take
a second where networkx's took minutes at 50,000 people and 500,000
exchanges (``benchmarks/mutuality.py``), betweenness (Brandes, exact or from
sampled sources) and the Fruchterman-Reingold layout.  The tests check each
against networkx on random graphs (modularity for Louvain, values for
betweenness).  The counting metrics of :mod:`peerlearn.engine.mutuality`
stay in numpy so they scale further.

Decisions:

* Nodes are whatever the caller aggregated to (people, organisations,
  countries); ``labels`` name them, ``attributes`` (organisation, country)
  decide the cross-organisation and cross-country shares.
* A tie *lasted* when its first and last exchange, either direction, are at
  least :data:`LASTING_DAYS` apart (three months).
* Betweenness is exact up to :data:`EXACT_BETWEENNESS` nodes and estimated
  above from :data:`BETWEENNESS_SAMPLES` source nodes drawn with ``seed``
  (networkx's ``k``: the same sources networkx draws for the same seed, and
  the same rescaling, so the numbers are networkx's own estimate);
  communities are Louvain, seeded.  Every random step takes ``seed`` so the
  same data draws the same picture.
* Communities are found on the undirected graph of ties, each weighted by
  the exchanges it carries *both ways* (networkx's ``to_undirected`` would
  keep one direction's weight only).  Nodes without a tie belong to none.
"""

from __future__ import annotations

import csv
import io
import random
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import igraph
import networkx as nx
import numpy as np
from numpy.typing import NDArray

from peerlearn.engine.mutuality import Exchange, Node, _sortable, node_codes

__all__ = [
    "BETWEENNESS_SAMPLES",
    "EXACT_BETWEENNESS",
    "LASTING_DAYS",
    "Communities",
    "NetworkMetrics",
    "Ties",
    "betweenness",
    "build_graph",
    "communities",
    "edge_list_csv",
    "export_gexf",
    "export_graphml",
    "graph_communities",
    "graph_ties",
    "grouped_ties",
    "layout",
    "metrics",
    "tie_layout",
    "tie_metrics",
    "tie_table",
]

LASTING_DAYS = 91
EXACT_BETWEENNESS = 2000
#: Sources sampled for betweenness above EXACT_BETWEENNESS nodes (networkx's ``k``).
BETWEENNESS_SAMPLES = 200


@dataclass
class NetworkMetrics:
    """What :func:`metrics` measures; shares are ``(count, of)`` pairs, never bare ratios."""

    in_degree: dict[Node, int]
    out_degree: dict[Node, int]
    betweenness: dict[Node, float]
    communities: list[list[Node]]
    cross: dict[str, tuple[int, int]] = field(default_factory=dict)
    lasting: tuple[int, int] = (0, 0)
    isolates: list[Node] = field(default_factory=list)
    modularity: float | None = None
    #: Sources betweenness was computed from: None when exact (every node).
    betweenness_samples: int | None = None


@dataclass
class Communities:
    """Louvain communities, largest first, and the partition's modularity (None: no tie)."""

    groups: list[list[Node]]
    modularity: float | None


def build_graph(
    exchanges: Iterable[Exchange],
    nodes: Iterable[Node] = (),
    labels: Mapping[Node, str] | None = None,
    attributes: Mapping[Node, Mapping[str, str]] | None = None,
) -> nx.DiGraph:
    """A DiGraph: one edge per tie with ``weight`` (exchanges), ``first`` and ``last`` days.

    ``nodes`` adds people without exchanges (they are the isolates).

    >>> g = build_graph([Exchange(1, 2, date(2026, 1, 1)), Exchange(1, 2, date(2026, 5, 1))], [3])
    >>> sorted(g.nodes), g.edges[1, 2]["weight"], g.edges[1, 2]["last"]
    ([1, 2, 3], 2, '2026-05-01')
    """
    # Ties are summed in a plain dict first: networkx's edge views cost five
    # times as much per exchange (2.5 s for 500,000 exchanges).
    ties: dict[tuple[Node, Node], list[Any]] = {}
    for ex in exchanges:
        if ex.giver == ex.receiver:
            continue
        day = ex.when.isoformat()
        tie = ties.get((ex.giver, ex.receiver))
        if tie is None:
            ties[ex.giver, ex.receiver] = [1, day, day]
        else:
            tie[0] += 1
            if day < tie[1]:
                tie[1] = day
            elif day > tie[2]:
                tie[2] = day
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(
        (u, v, {"weight": w, "first": first, "last": last})
        for (u, v), (w, first, last) in ties.items()
    )
    names = labels or {}
    for node, data in graph.nodes(data=True):
        data["label"] = names.get(node, str(node))
        data.update((attributes or {}).get(node, {}))
    return graph


#: igraph draws its random numbers from one process-wide generator; seeding it
#: for one call must not race another thread's call.
_IGRAPH_RANDOM = threading.Lock()


def _louvain(
    u: NDArray[np.int64],
    v: NDArray[np.int64],
    weights: NDArray[np.float64],
    names: list[Node],
    *,
    seed: int,
    resolution: float,
) -> Communities:
    """igraph's multilevel (Louvain) on undirected edges ``u``-``v`` over coded nodes.

    Parallel edges are summed first, so the weight of a tie is every
    exchange it carries, either way.
    """
    n = len(names)
    if n == 0 or len(u) == 0:
        return Communities([], None)
    low, high = np.minimum(u, v), np.maximum(u, v)
    keys, where = np.unique(low * n + high, return_inverse=True)
    summed = np.bincount(where.ravel(), weights=weights, minlength=len(keys))
    graph = igraph.Graph(n=n, edges=np.column_stack([keys // n, keys % n]).tolist())
    with _IGRAPH_RANDOM:
        igraph.set_random_number_generator(random.Random(seed))
        try:
            found = graph.community_multilevel(weights=summed.tolist(), resolution=resolution)
        finally:
            igraph.set_random_number_generator(random)
    members: dict[int, list[Node]] = defaultdict(list)
    for node, community in zip(names, found.membership, strict=True):
        members[community].append(node)
    groups = sorted(
        (sorted(c, key=str) for c in members.values()), key=lambda c: (-len(c), str(c[0]))
    )
    return Communities(groups, float(found.modularity))


def communities(
    data: Iterable[Exchange] | Iterable[tuple[Node, Node]],
    *,
    seed: int = 0,
    resolution: float = 1.0,
) -> Communities:
    """Louvain communities straight from exchanges or ties, without building a networkx graph.

    Each exchange adds 1 to the weight of its tie (either direction).
    ``resolution`` above 1 gives more, smaller communities.

    >>> day = date(2026, 1, 1)
    >>> found = communities([Exchange(1, 2, day), Exchange(2, 3, day), Exchange(3, 1, day),
    ...                      Exchange(4, 5, day), Exchange(5, 6, day), Exchange(6, 4, day),
    ...                      Exchange(3, 4, day)])
    >>> found.groups, round(found.modularity, 3)
    ([[1, 2, 3], [4, 5, 6]], 0.357)

    Notes
    -----
    Near-linear in the number of ties (igraph's C code); 500,000 exchanges
    among 50,000 people take about a second.
    """
    pairs = [(x.giver, x.receiver) if isinstance(x, Exchange) else x for x in data]
    u, v, names = node_codes(pairs)
    return _louvain(
        u, v, np.ones(len(u), dtype=np.float64), names, seed=seed, resolution=resolution
    )


def graph_communities(graph: nx.DiGraph, *, seed: int = 0, resolution: float = 1.0) -> Communities:
    """:func:`communities` of a graph from :func:`build_graph` (edge ``weight`` = exchanges).

    Nodes are coded as :func:`communities` codes them, so a graph and the
    exchanges it was built from give the same communities for the same seed.
    """
    edges = [(a, b, d.get("weight", 1)) for a, b, d in graph.edges(data=True) if a != b]
    u, v, names = node_codes([(a, b) for a, b, _ in edges])
    w = np.fromiter((e[2] for e in edges), dtype=np.float64, count=len(edges))
    return _louvain(u, v, w, names, seed=seed, resolution=resolution)


@dataclass
class Ties:
    """A directed network as arrays: node ``names[i]`` has code ``i``, one entry per tie.

    What :func:`tie_metrics` and :func:`tie_layout` work on, built straight
    from exchanges (:func:`tie_table`, numpy: no networkx graph, a tenth of
    the time and memory at 500,000 exchanges) or from a graph
    (:func:`graph_ties`).  ``first`` and ``last`` are day ordinals.
    """

    names: list[Node]
    giver: NDArray[np.int64]
    receiver: NDArray[np.int64]
    weight: NDArray[np.int64]
    first: NDArray[np.int64]
    last: NDArray[np.int64]
    attributes: Mapping[Node, Mapping[str, str]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.names)


def _coded(values: list[Node]) -> tuple[NDArray[np.int64], list[Node]]:
    """Codes of ``values`` and the distinct values in code order (sorted when numpy can)."""
    array = _sortable(values)
    if array is not None:
        names, inverse = np.unique(array, return_inverse=True)
        return inverse.astype(np.int64).ravel(), names.tolist()
    index: dict[Node, int] = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in values), np.int64, len(values))
    return codes, list(index)


def _summed(
    n: int,
    giver: NDArray[np.int64],
    receiver: NDArray[np.int64],
    first: NDArray[np.int64],
    last: NDArray[np.int64] | None = None,
    weight: NDArray[np.int64] | None = None,
) -> tuple[NDArray[np.int64], ...]:
    """One row per (giver, receiver): the weight it carries, its first and last day.

    Each input row weighs ``weight`` (1: an exchange) and spans ``first`` to
    ``last`` (one day: an exchange).
    """
    last = first if last is None else last
    weight = np.ones(len(giver), dtype=np.int64) if weight is None else weight
    keys = giver * n + receiver
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    if len(keys) == 0:
        return keys, keys, keys, keys, keys
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    unique = keys[starts]
    return (
        unique // n,
        unique % n,
        np.add.reduceat(weight[order], starts),
        np.minimum.reduceat(first[order], starts),
        np.maximum.reduceat(last[order], starts),
    )


def tie_table(
    exchanges: Iterable[Exchange],
    nodes: Iterable[Node] = (),
    attributes: Mapping[Node, Mapping[str, str]] | None = None,
    units: Mapping[Node, Node | None] | None = None,
) -> Ties:
    """The ties of ``exchanges`` (self-loops dropped) over ``nodes`` and every side named.

    ``units`` maps people to what the nodes are (an organisation, a
    country): people it leaves out, or puts in ``None``, drop out, and
    exchanges inside one unit are self-loops, as :func:`~peerlearn.engine.
    mutuality.aggregate` then :func:`build_graph` would have them.

    >>> day = date(2026, 1, 1)
    >>> t = tie_table([Exchange(1, 2, day), Exchange(1, 2, day), Exchange(3, 2, day)],
    ...               units={1: "a", 2: "b", 3: "a"})
    >>> t.names, t.giver.tolist(), t.receiver.tolist(), t.weight.tolist()
    (['a', 'b'], [0], [1], [3])
    """
    rows = [e for e in exchanges if e.giver != e.receiver]
    m = len(rows)
    # Code the people first (integers sort in C), then map each distinct one to
    # its node: a million unit lookups and string sorts become 50,000.
    sides, people = _coded([e.giver for e in rows] + [e.receiver for e in rows])
    listed = list(nodes)
    placed: list[Node | None] = list(people) if units is None else [units.get(p) for p in people]
    known = [i for i, unit in enumerate(placed) if unit is not None]
    codes, names = _coded(listed + [unit for unit in placed if unit is not None])
    node_of = np.full(len(people), -1, dtype=np.int64)
    node_of[np.asarray(known, dtype=np.int64)] = codes[len(listed) :]
    giver, receiver = node_of[sides[:m]], node_of[sides[m:]]
    keep = (giver >= 0) & (receiver >= 0) & (giver != receiver)
    days = np.fromiter((e.when.toordinal() for e in rows), np.int64, m)
    u, v, weight, first, last = _summed(len(names), giver[keep], receiver[keep], days[keep])
    return Ties(names, u, v, weight, first, last, dict(attributes or {}))


def grouped_ties(
    ties: Ties,
    units: Mapping[Node, Node | None],
    nodes: Iterable[Node] = (),
    attributes: Mapping[Node, Mapping[str, str]] | None = None,
) -> Ties:
    """The ties between the units ``units`` puts nodes in, as :func:`tie_table` with ``units``
    would give them from the exchanges, but from ties: no pass over the exchanges again.
    The unit of every node of ``ties`` is a node, tied or not.

    >>> day = date(2026, 1, 1)
    >>> people = tie_table([Exchange(1, 2, day), Exchange(3, 2, day), Exchange(1, 3, day)])
    >>> t = grouped_ties(people, {1: "a", 2: "b", 3: "a"})
    >>> t.names, t.giver.tolist(), t.receiver.tolist(), t.weight.tolist()
    (['a', 'b'], [0], [1], [2])
    """
    listed = list(nodes)
    placed = [units.get(n) for n in ties.names]
    known = [i for i, unit in enumerate(placed) if unit is not None]
    codes, names = _coded(listed + [unit for unit in placed if unit is not None])
    unit_of = np.full(ties.size, -1, dtype=np.int64)
    unit_of[np.asarray(known, dtype=np.int64)] = codes[len(listed) :]
    giver, receiver = unit_of[ties.giver], unit_of[ties.receiver]
    keep = (giver >= 0) & (receiver >= 0) & (giver != receiver)
    u, v, weight, first, last = _summed(
        len(names),
        giver[keep],
        receiver[keep],
        ties.first[keep],
        ties.last[keep],
        ties.weight[keep],
    )
    return Ties(names, u, v, weight, first, last, dict(attributes or {}))


def graph_ties(graph: nx.DiGraph) -> Ties:
    """A graph of :func:`build_graph` as :class:`Ties` (codes follow the graph's node order)."""
    names = list(graph.nodes)
    index = {node: i for i, node in enumerate(names)}
    edges = [(index[a], index[b], d) for a, b, d in graph.edges(data=True) if a != b]
    m = len(edges)

    def column(values: Iterable[int]) -> NDArray[np.int64]:
        return np.fromiter(values, np.int64, m)

    return Ties(
        names,
        column(e[0] for e in edges),
        column(e[1] for e in edges),
        column(e[2].get("weight", 1) for e in edges),
        column(date.fromisoformat(e[2]["first"]).toordinal() for e in edges),
        column(date.fromisoformat(e[2]["last"]).toordinal() for e in edges),
        {n: graph.nodes[n] for n in names},
    )


def _cross_share(ties: Ties, key: str) -> tuple[int, int]:
    """(ties between nodes whose ``key`` differs, ties where both sides have ``key``)."""
    values: list[Node] = [ties.attributes.get(n, {}).get(key) or "" for n in ties.names]
    codes, distinct = _coded(values) if values else (np.zeros(0, np.int64), [])
    blank = distinct.index("") if "" in distinct else -1
    a, b = codes[ties.giver], codes[ties.receiver]
    known = (a != blank) & (b != blank)
    return int((known & (a != b)).sum()), int(known.sum())


def _lasting(ties: Ties) -> tuple[int, int]:
    """(dyads whose exchanges span LASTING_DAYS or more, connected dyads)."""
    n = ties.size
    low = np.minimum(ties.giver, ties.receiver)
    high = np.maximum(ties.giver, ties.receiver)
    _u, _v, _w, first, last = _summed(n, low, high, ties.first, ties.last)
    return int((last - first >= LASTING_DAYS).sum()), len(first)


def _igraph(ties: Ties, *, directed: bool = True) -> igraph.Graph:
    edges = np.column_stack([ties.giver, ties.receiver]).tolist()
    return igraph.Graph(n=ties.size, edges=edges, directed=directed)


def _betweenness(ties: Ties, *, seed: int, samples: int | None) -> list[float]:
    """Normalised betweenness by code; sampled sources drawn as networkx draws them."""
    n = ties.size
    if n < 3:
        return [0.0] * n
    graph = _igraph(ties)
    if samples is None or samples >= n:
        return [b / ((n - 1) * (n - 2)) for b in graph.betweenness(directed=True)]
    # networkx samples list(G) with random.Random(seed): the same positions here.
    chosen = random.Random(seed).sample(range(n), samples)
    raw = graph.betweenness(directed=True, sources=chosen)
    # A source never lies on its own paths: networkx divides by one pair fewer.
    source_scale = 1 / ((samples - 1) * (n - 2)) if samples > 1 else float("nan")
    other_scale = 1 / (samples * (n - 2))
    scale = np.full(n, other_scale)
    scale[chosen] = source_scale
    return [float(x) for x in np.asarray(raw) * scale]


def betweenness(
    graph: nx.DiGraph, *, seed: int = 0, samples: int | None = None
) -> dict[Node, float]:
    """Normalised betweenness, as ``nx.betweenness_centrality(graph, k=samples, seed=seed)``.

    Computed by igraph (Brandes in C, 50 to 100 times networkx's speed).
    With ``samples`` (fewer than the nodes) the paths are counted from that
    many source nodes only, drawn as networkx draws them
    (``random.Random(seed).sample``) and rescaled as networkx rescales them,
    so both give the same estimate.

    >>> g = build_graph([Exchange(1, 2, date(2026, 1, 1)), Exchange(2, 3, date(2026, 1, 1))])
    >>> {n: round(b, 3) for n, b in betweenness(g).items()}
    {1: 0.0, 2: 0.5, 3: 0.0}
    """
    ties = graph_ties(graph)
    found = _betweenness(ties, seed=seed, samples=samples)
    return dict(zip(ties.names, found, strict=True))


def tie_metrics(ties: Ties, *, seed: int = 0) -> NetworkMetrics:
    """:func:`metrics` of :class:`Ties`: numpy and igraph, no Python loop over ties.

    Betweenness is exact up to EXACT_BETWEENNESS nodes, from
    BETWEENNESS_SAMPLES sources above (``betweenness_samples`` says which).

    >>> day = date(2026, 1, 1)
    >>> m = tie_metrics(tie_table([Exchange(1, 2, day), Exchange(2, 3, day)], [4]))
    >>> m.out_degree[1], round(m.betweenness[2], 3), m.isolates
    (1, 0.167, [4])
    """
    n = ties.size
    names = ties.names
    samples = None if n <= EXACT_BETWEENNESS else BETWEENNESS_SAMPLES
    ins = np.bincount(ties.receiver, minlength=n).tolist()
    outs = np.bincount(ties.giver, minlength=n).tolist()
    # Louvain codes the tied nodes as communities() does (sorted), whatever order
    # the ties came in, so a graph and its exchanges find the same communities.
    pairs = zip(ties.giver.tolist(), ties.receiver.tolist(), strict=True)
    u, v, tied = node_codes([(names[a], names[b]) for a, b in pairs])
    found = _louvain(u, v, ties.weight.astype(np.float64), tied, seed=seed, resolution=1.0)
    return NetworkMetrics(
        in_degree=dict(zip(names, ins, strict=True)),
        out_degree=dict(zip(names, outs, strict=True)),
        betweenness=dict(zip(names, _betweenness(ties, seed=seed, samples=samples), strict=True)),
        betweenness_samples=samples,
        communities=found.groups,
        modularity=found.modularity,
        cross={key: _cross_share(ties, key) for key in ("organisation", "country")},
        lasting=_lasting(ties),
        isolates=sorted((names[i] for i in range(n) if ins[i] + outs[i] == 0), key=str),
    )


def metrics(graph: nx.DiGraph, *, seed: int = 0) -> NetworkMetrics:
    """Degrees, betweenness, communities, cross-unit shares, lasting ties, isolates.

    >>> day = date(2026, 1, 1)
    >>> g = build_graph([Exchange(1, 2, day), Exchange(2, 3, date(2026, 6, 1))], [4],
    ...                 attributes={1: {"country": "KE"}, 2: {"country": "KE"},
    ...                             3: {"country": "RW"}})
    >>> m = metrics(g)
    >>> m.out_degree[1], round(m.betweenness[2], 3), m.cross["country"], m.isolates
    (1, 0.167, (1, 2), [4])

    Notes
    -----
    :func:`tie_metrics` of the graph's ties.  Betweenness is O(nm) exact,
    O(km) from k = BETWEENNESS_SAMPLES sources above EXACT_BETWEENNESS nodes;
    Louvain (igraph) is near-linear in the number of ties.
    """
    return tie_metrics(graph_ties(graph), seed=seed)


def tie_layout(ties: Ties, *, seed: int = 0) -> list[tuple[float, float]]:
    """Positions by code in [0, 1] x [0, 1] (Fruchterman-Reingold, seeded).

    igraph's C layout: 2,000 nodes and 13,000 ties take half a second where
    networkx's spring layout took 25 (``benchmarks/network_drawing.py``).
    The start is igraph's own random one (seeded here): starting positions
    given in a unit square crowd its grid variant (used above 1,000 nodes)
    into one cell, and took 12 s.
    """
    if ties.size == 0:
        return []
    if ties.size == 1:
        return [(0.5, 0.5)]
    graph = _igraph(ties)
    with _IGRAPH_RANDOM:
        igraph.set_random_number_generator(random.Random(seed))
        try:
            raw = np.array(graph.layout_fruchterman_reingold().coords, dtype=np.float64)
        finally:
            igraph.set_random_number_generator(random)
    low, span = raw.min(axis=0), np.ptp(raw, axis=0)
    span[span == 0] = 1.0
    return [(float(x), float(y)) for x, y in (raw - low) / span]


def layout(graph: nx.DiGraph, *, seed: int = 0) -> dict[Node, tuple[float, float]]:
    """Node positions in [0, 1] x [0, 1]: :func:`tie_layout` of the graph, ready for an SVG.

    >>> pos = layout(build_graph([Exchange(1, 2, date(2026, 1, 1))]), seed=1)
    >>> all(0 <= x <= 1 and 0 <= y <= 1 for x, y in pos.values())
    True
    """
    ties = graph_ties(graph)
    return dict(zip(ties.names, tie_layout(ties, seed=seed), strict=True))


def _stringified(graph: nx.DiGraph) -> nx.DiGraph:
    """Node ids as strings (GraphML and GEXF keep ids as text anyway)."""
    return nx.relabel_nodes(graph, {n: str(n) for n in graph.nodes})


def export_graphml(graph: nx.DiGraph) -> bytes:
    """GraphML (Gephi, yEd, Cytoscape) with weights, first/last days and labels.

    >>> b"<graphml" in export_graphml(build_graph([Exchange(1, 2, date(2026, 1, 1))]))
    True
    """
    out = io.BytesIO()
    nx.write_graphml(_stringified(graph), out)
    return out.getvalue()


def export_gexf(graph: nx.DiGraph) -> bytes:
    """GEXF (Gephi's own format).

    >>> b"<gexf" in export_gexf(build_graph([Exchange(1, 2, date(2026, 1, 1))]))
    True
    """
    out = io.BytesIO()
    nx.write_gexf(_stringified(graph), out)
    return out.getvalue()


def edge_list_csv(graph: nx.DiGraph) -> str:
    """Edge list with Kumu/Gephi headers ``From,To`` (labels), then Weight, First, Last.

    >>> print(edge_list_csv(build_graph([Exchange(1, 2, date(2026, 1, 1))],
    ...                                 labels={1: "Ana", 2: "Ben"})).strip())
    From,To,Weight,First,Last
    Ana,Ben,1,2026-01-01,2026-01-01
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["From", "To", "Weight", "First", "Last"])
    for u, v, data in sorted(graph.edges(data=True), key=lambda e: (str(e[0]), str(e[1]))):
        writer.writerow(
            [
                graph.nodes[u]["label"],
                graph.nodes[v]["label"],
                data["weight"],
                data["first"],
                data["last"],
            ]
        )
    return out.getvalue()
