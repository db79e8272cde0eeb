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


@st.composite
def ledgers_with_days(draw: st.DrawFn):
    """Exchanges over up to 12 people and 400 days, each person in one of 3 organisations."""
    n = draw(st.integers(min_value=2, max_value=12))
    person = st.integers(0, n - 1)
    rows = draw(st.lists(st.tuples(person, person, st.integers(0, 400)), max_size=50))
    exchanges = [mu.Exchange(g, r, DAY + timedelta(days=d)) for g, r, d in rows]
    org = {p: draw(st.sampled_from(["a", "b", "c", None])) for p in range(n)}
    return n, exchanges, org


def same_metrics(ours: network.NetworkMetrics, theirs: network.NetworkMetrics) -> None:
    assert ours.in_degree == theirs.in_degree and ours.out_degree == theirs.out_degree
    assert ours.betweenness == pytest.approx(theirs.betweenness)
    assert ours.communities == theirs.communities and ours.modularity == theirs.modularity
    assert (ours.cross, ours.lasting, ours.isolates) == (
        theirs.cross,
        theirs.lasting,
        theirs.isolates,
    )


@settings(max_examples=150, deadline=None)
@given(ledgers_with_days())
def test_ties_from_exchanges_measure_what_the_graph_measures(drawn) -> None:
    """tie_table (numpy, for the snapshot) against build_graph (networkx) of the same data."""
    n, exchanges, org = drawn
    attrs = {p: {"organisation": o} for p, o in org.items() if o}
    graph = network.build_graph(exchanges, range(n), attributes=attrs)
    ties = network.tie_table(exchanges, range(n), attrs)
    same_metrics(network.tie_metrics(ties), network.metrics(graph))
    assert network.metrics(graph).betweenness == pytest.approx(nx.betweenness_centrality(graph))
    # Aggregated to organisations: as mu.aggregate then build_graph.
    units = network.tie_table(exchanges, sorted({o for o in org.values() if o}), units=org)
    unit_graph = network.build_graph(mu.aggregate(exchanges, org), sorted(units.names))
    same_metrics(network.tie_metrics(units), network.metrics(unit_graph))
    assert sorted(units.names) == sorted(unit_graph.nodes)
    # The same from the people's ties, without the exchanges again.
    regrouped = network.grouped_ties(ties, org, sorted({o for o in org.values() if o}))
    assert regrouped.names == units.names
    for column in ("giver", "receiver", "weight", "first", "last"):
        assert getattr(regrouped, column).tolist() == getattr(units, column).tolist(), column


def test_lasting_counts_a_dyad_once_across_both_directions() -> None:
    exchanges = [mu.Exchange(1, 2, DAY), mu.Exchange(2, 1, DAY + timedelta(days=91))]
    exchanges.append(mu.Exchange(3, 4, DAY + timedelta(days=90)))
    exchanges.append(mu.Exchange(3, 4, DAY))
    assert network.tie_metrics(network.tie_table(exchanges)).lasting == (1, 2)
