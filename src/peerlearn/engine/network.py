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

from peerlearn.engine.mutuality import Exchange, Node, node_codes

__all__ = [
    "BETWEENNESS_SAMPLES",
    "EXACT_BETWEENNESS",
    "LASTING_DAYS",
    "Communities",
    "NetworkMetrics",
    "betweenness",
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
    spans: dict[frozenset[Node], tuple[str, str]] = {}
    for u, v, data in graph.edges(data=True):
        dyad = frozenset((u, v))
        seen = spans.get(dyad)
        first, last = data["first"], data["last"]
        spans[dyad] = (first, last) if seen is None else (min(seen[0], first), max(seen[1], last))
    lasting = sum(
        1
        for first, last in spans.values()
        if (date.fromisoformat(last) - date.fromisoformat(first)).days >= LASTING_DAYS
    )
    return lasting, len(spans)


def _igraph(graph: nx.DiGraph) -> tuple[igraph.Graph, list[Node]]:
    """The same directed graph in igraph, and its nodes in vertex order."""
    names = list(graph.nodes)
    index = {node: i for i, node in enumerate(names)}
    edges = [(index[u], index[v]) for u, v in graph.edges]
    return igraph.Graph(n=len(names), edges=edges, directed=graph.is_directed()), names


def betweenness(
    graph: nx.DiGraph, *, seed: int = 0, samples: int | None = None
) -> dict[Node, float]:
    """Normalised betweenness, as ``nx.betweenness_centrality(graph, k=samples, seed=seed)``.

    Computed by igraph (Brandes in C, 50 to 100 times networkx's speed).
    With ``samples`` (fewer than the nodes) the paths are counted from that
    many source nodes only, drawn as networkx draws them
    (``random.Random(seed).sample``), and rescaled as networkx rescales
    them, so both give the same estimate.

    >>> g = build_graph([Exchange(1, 2, date(2026, 1, 1)), Exchange(2, 3, date(2026, 1, 1))])
    >>> {n: round(b, 3) for n, b in betweenness(g).items()}
    {1: 0.0, 2: 0.5, 3: 0.0}
    """
    n = graph.number_of_nodes()
    if n < 3:
        return dict.fromkeys(graph.nodes, 0.0)
    ig, names = _igraph(graph)
    if samples is None or samples >= n:
        raw = ig.betweenness(directed=graph.is_directed())
        scale = [1 / ((n - 1) * (n - 2))] * n
    else:
        chosen = random.Random(seed).sample(names, samples)
        index = {node: i for i, node in enumerate(names)}
        raw = ig.betweenness(directed=graph.is_directed(), sources=[index[c] for c in chosen])
        # A source never lies on its own paths: networkx divides by one pair fewer.
        source_scale = 1 / ((samples - 1) * (n - 2)) if samples > 1 else float("nan")
        other_scale = 1 / (samples * (n - 2))
        sources = set(chosen)
        scale = [source_scale if node in sources else other_scale for node in names]
    if not graph.is_directed():
        scale = [x * 2 for x in scale]
    return {node: float(b) * s for node, b, s in zip(names, raw, scale, strict=True)}


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
    Betweenness is O(nm) exact, O(km) from k = BETWEENNESS_SAMPLES sources
    above EXACT_BETWEENNESS nodes (``betweenness_samples`` says which);
    Louvain (igraph) is near-linear in the number of ties.
    """
    n = graph.number_of_nodes()
    samples = None if n <= EXACT_BETWEENNESS else BETWEENNESS_SAMPLES
    found = graph_communities(graph, seed=seed)
    return NetworkMetrics(
        in_degree=dict(graph.in_degree()),
        out_degree=dict(graph.out_degree()),
        betweenness=betweenness(graph, seed=seed, samples=samples),
        betweenness_samples=samples,
        communities=found.groups,
        modularity=found.modularity,
        cross={key: _cross_share(graph, key) for key in ("organisation", "country")},
        lasting=_lasting(graph),
        isolates=sorted(nx.isolates(graph), key=str),
    )


def layout(graph: nx.DiGraph, *, seed: int = 0) -> dict[Node, tuple[float, float]]:
    """Node positions in [0, 1] x [0, 1] (Fruchterman-Reingold, seeded): ready for an SVG.

    igraph's C layout: 2,000 nodes and 13,000 ties take half a second where
    networkx's spring layout took 25 (``benchmarks/network_drawing.py``).
    The start is igraph's own random one (seeded here): starting positions
    given in a unit square crowd its grid variant (used above 1,000 nodes)
    into one cell, and took 12 s.

    >>> pos = layout(build_graph([Exchange(1, 2, date(2026, 1, 1))]), seed=1)
    >>> all(0 <= x <= 1 and 0 <= y <= 1 for x, y in pos.values())
    True
    """
    if graph.number_of_nodes() == 0:
        return {}
    if graph.number_of_nodes() == 1:
        return {next(iter(graph.nodes)): (0.5, 0.5)}
    ig, names = _igraph(graph)
    with _IGRAPH_RANDOM:
        igraph.set_random_number_generator(random.Random(seed))
        try:
            raw = np.array(ig.layout_fruchterman_reingold().coords, dtype=np.float64)
        finally:
            igraph.set_random_number_generator(random)
    low, span = raw.min(axis=0), np.ptp(raw, axis=0)
    span[span == 0] = 1.0
    scaled = (raw - low) / span
    return {node: (float(x), float(y)) for node, (x, y) in zip(names, scaled, strict=True)}


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
