"""The learning network: exchanges as a directed graph, its metrics, layout and exports.

networkx does the graph work here (betweenness, layout, GraphML/GEXF);
communities are igraph's Louvain (C, ``community_multilevel``), which takes
a second where networkx's took minutes at 50,000 people and 500,000
exchanges (``benchmarks/mutuality.py``); the tests check its modularity
against networkx's Louvain on random graphs.  The counting metrics of
:mod:`peerlearn.engine.mutuality` stay in numpy so they scale further.

Decisions:

* Nodes are whatever the caller aggregated to (people, organisations,
  countries); ``labels`` name them, ``attributes`` (organisation, country)
  decide the cross-organisation and cross-country shares.
* A tie *lasted* when its first and last exchange, either direction, are at
  least :data:`LASTING_DAYS` apart (three months).
* Betweenness is exact up to :data:`EXACT_BETWEENNESS` nodes and sampled
  (``k`` pivots, seeded) above; communities are Louvain, seeded.  Every
  random step takes ``seed`` so the same data draws the same picture.
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

from peerlearn.engine.mutuality import Exchange, Node, node_codes

__all__ = [
    "EXACT_BETWEENNESS",
    "LASTING_DAYS",
    "Communities",
    "NetworkMetrics",
    "build_graph",
    "communities",
    "edge_list_csv",
    "export_gexf",
    "export_graphml",
    "graph_communities",
    "layout",
    "metrics",
]

LASTING_DAYS = 91
EXACT_BETWEENNESS = 2000


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
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    for ex in exchanges:
        if ex.giver == ex.receiver:
            continue
        day = ex.when.isoformat()
        if graph.has_edge(ex.giver, ex.receiver):
            edge = graph.edges[ex.giver, ex.receiver]
            edge["weight"] += 1
            edge["first"] = min(edge["first"], day)
            edge["last"] = max(edge["last"], day)
        else:
            graph.add_edge(ex.giver, ex.receiver, weight=1, first=day, last=day)
    for node in graph.nodes:
        graph.nodes[node]["label"] = (labels or {}).get(node, str(node))
        for key, value in (attributes or {}).get(node, {}).items():
            graph.nodes[node][key] = value
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


def _cross_share(graph: nx.DiGraph, key: str) -> tuple[int, int]:
    """(ties between nodes whose ``key`` differs, ties where both sides have ``key``)."""
    known = crossing = 0
    for u, v in graph.edges:
        a, b = graph.nodes[u].get(key), graph.nodes[v].get(key)
        if a and b:
            known += 1
            crossing += a != b
    return crossing, known


def _lasting(graph: nx.DiGraph) -> tuple[int, int]:
    """(dyads whose exchanges span LASTING_DAYS or more, connected dyads)."""
    spans: dict[frozenset[Node], list[str]] = defaultdict(list)
    for u, v, data in graph.edges(data=True):
        spans[frozenset((u, v))] += [data["first"], data["last"]]
    lasting = sum(
        1
        for days in spans.values()
        if (date.fromisoformat(max(days)) - date.fromisoformat(min(days))).days >= LASTING_DAYS
    )
    return lasting, len(spans)


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
    Betweenness is O(nm) exact, O(km) sampled above EXACT_BETWEENNESS nodes;
    Louvain (igraph) is near-linear in the number of ties.
    """
    n = graph.number_of_nodes()
    if n <= EXACT_BETWEENNESS:
        between = nx.betweenness_centrality(graph)
    else:
        between = nx.betweenness_centrality(graph, k=min(n, 200), seed=seed)
    found = graph_communities(graph, seed=seed)
    return NetworkMetrics(
        in_degree=dict(graph.in_degree()),
        out_degree=dict(graph.out_degree()),
        betweenness=dict(between),
        communities=found.groups,
        modularity=found.modularity,
        cross={key: _cross_share(graph, key) for key in ("organisation", "country")},
        lasting=_lasting(graph),
        isolates=sorted(nx.isolates(graph), key=str),
    )


def layout(graph: nx.DiGraph, *, seed: int = 0) -> dict[Node, tuple[float, float]]:
    """Node positions in [0, 1] x [0, 1] (spring layout, seeded): ready for an SVG.

    >>> pos = layout(build_graph([Exchange(1, 2, date(2026, 1, 1))]), seed=1)
    >>> all(0 <= x <= 1 and 0 <= y <= 1 for x, y in pos.values())
    True
    """
    if graph.number_of_nodes() == 0:
        return {}
    if graph.number_of_nodes() == 1:
        return {next(iter(graph.nodes)): (0.5, 0.5)}
    raw: dict[Any, Any] = nx.spring_layout(graph.to_undirected(), seed=seed)
    xs = [p[0] for p in raw.values()]
    ys = [p[1] for p in raw.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    return {
        node: (float((p[0] - min(xs)) / span_x), float((p[1] - min(ys)) / span_y))
        for node, p in raw.items()
    }


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
