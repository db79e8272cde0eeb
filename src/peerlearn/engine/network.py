"""The learning network: exchanges as a directed graph, its metrics, layout and exports.

networkx does the graph work here (betweenness, communities, layout,
GraphML/GEXF); the counting metrics of :mod:`peerlearn.engine.mutuality`
stay in numpy so they scale further.

Decisions:

* Nodes are whatever the caller aggregated to (people, organisations,
  countries); ``labels`` name them, ``attributes`` (organisation, country)
  decide the cross-organisation and cross-country shares.
* A tie *lasted* when its first and last exchange, either direction, are at
  least :data:`LASTING_DAYS` apart (three months).
* Betweenness is exact up to :data:`EXACT_BETWEENNESS` nodes and sampled
  (``k`` pivots, seeded) above; communities are Louvain, seeded.  Every
  random step takes ``seed`` so the same data draws the same picture.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import networkx as nx

from peerlearn.engine.mutuality import Exchange, Node

__all__ = [
    "EXACT_BETWEENNESS",
    "LASTING_DAYS",
    "NetworkMetrics",
    "build_graph",
    "edge_list_csv",
    "export_gexf",
    "export_graphml",
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
    Louvain is near-linear in the number of ties.
    """
    n = graph.number_of_nodes()
    if n <= EXACT_BETWEENNESS:
        between = nx.betweenness_centrality(graph)
    else:
        between = nx.betweenness_centrality(graph, k=min(n, 200), seed=seed)
    linked = graph.subgraph([v for v in graph.nodes if graph.degree(v) > 0])
    found = (
        nx.community.louvain_communities(linked.to_undirected(), weight="weight", seed=seed)
        if linked.number_of_edges()
        else []
    )
    communities = sorted((sorted(c, key=str) for c in found), key=lambda c: (-len(c), str(c[0])))
    return NetworkMetrics(
        in_degree=dict(graph.in_degree()),
        out_degree=dict(graph.out_degree()),
        betweenness=dict(between),
        communities=communities,
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
