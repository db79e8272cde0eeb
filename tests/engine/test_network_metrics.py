"""Betweenness (igraph) and the layout checked against networkx on random directed graphs."""

from __future__ import annotations

from datetime import date, timedelta

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.engine.test_mutuality import digraphs

from peerlearn.engine import mutuality as mu
from peerlearn.engine import network

DAY = date(2026, 1, 5)


def graph_of(n: int, pairs: list[tuple[int, int]]) -> nx.DiGraph:
    return network.build_graph([mu.Exchange(g, r, DAY) for g, r in pairs], nodes=range(n))


@settings(max_examples=150, deadline=None)
@given(digraphs())
def test_exact_betweenness_is_networkx_s(drawn) -> None:
    graph = graph_of(*drawn)
    assert network.betweenness(graph) == pytest.approx(nx.betweenness_centrality(graph))


@settings(max_examples=150, deadline=None)
@given(digraphs(), st.integers(1, 13), st.integers(0, 5))
def test_sampled_betweenness_is_networkx_s_estimate_for_the_same_seed(drawn, k, seed) -> None:
    graph = graph_of(*drawn)
    k = min(k, graph.number_of_nodes() - 1)
    ours = network.betweenness(graph, samples=k, seed=seed)
    theirs = nx.betweenness_centrality(graph, k=k, seed=seed)
    assert ours == pytest.approx(theirs, nan_ok=True)


def test_metrics_say_when_betweenness_is_sampled(monkeypatch) -> None:
    pairs = [(i, (i + 1) % 30) for i in range(30)] + [(i, (i + 7) % 30) for i in range(30)]
    graph = graph_of(30, pairs)
    assert network.metrics(graph).betweenness_samples is None
    monkeypatch.setattr(network, "EXACT_BETWEENNESS", 20)
    monkeypatch.setattr(network, "BETWEENNESS_SAMPLES", 10)
    sampled = network.metrics(graph, seed=3)
    assert sampled.betweenness_samples == 10
    assert sampled.betweenness == pytest.approx(nx.betweenness_centrality(graph, k=10, seed=3))


def test_build_graph_sums_ties_with_their_first_and_last_day() -> None:
    later = DAY + timedelta(days=40)
    graph = network.build_graph(
        [mu.Exchange(1, 2, later), mu.Exchange(1, 2, DAY), mu.Exchange(2, 2, DAY)], nodes=[3]
    )
    assert dict(graph.edges[1, 2]) == {"weight": 2, "first": "2026-01-05", "last": "2026-02-14"}
    assert sorted(graph.nodes) == [1, 2, 3] and graph.number_of_edges() == 1


def test_layout_is_seeded_and_spans_the_unit_square() -> None:
    graph = graph_of(40, [(i, (i + 1) % 40) for i in range(40)])
    first = network.layout(graph, seed=2)
    assert first == network.layout(graph, seed=2)
    xs, ys = [p[0] for p in first.values()], [p[1] for p in first.values()]
    assert min(xs) == min(ys) == 0.0 and max(xs) == max(ys) == 1.0
    assert len({(round(x, 3), round(y, 3)) for x, y in first.values()}) == 40  # no overlap
