"""Louvain communities (igraph) checked against networkx on random and planted graphs."""

from __future__ import annotations

from datetime import date

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerlearn.engine import mutuality as mu
from peerlearn.engine import network

DAY = date(2026, 1, 5)

#: Louvain is a heuristic: on the same graph two implementations reach local
#: optima a little apart (about 0.06 at worst in 1,500 random graphs).
TOLERANCE = 0.1


@st.composite
def ledgers(draw: st.DrawFn) -> list[tuple[int, int]]:
    """Exchanges as (giver, receiver) among up to 20 people, repeats allowed."""
    n = draw(st.integers(min_value=2, max_value=20))
    pair = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
    return draw(st.lists(pair.filter(lambda p: p[0] != p[1]), min_size=1, max_size=80))


def weighted(pairs: list[tuple[int, int]]) -> nx.Graph:
    """The undirected tie graph, weight = exchanges either way (what ours works on)."""
    graph = nx.Graph()
    for g, r in pairs:
        w = graph.get_edge_data(g, r, {"weight": 0})["weight"]
        graph.add_edge(g, r, weight=w + 1)
    return graph


@settings(max_examples=150, deadline=None)
@given(ledgers(), st.integers(0, 3))
def test_louvain_partition_and_modularity_agree_with_networkx(pairs, seed) -> None:
    reference = weighted(pairs)
    found = network.communities(pairs, seed=seed)
    # A partition of exactly the people with a tie.
    members = [n for group in found.groups for n in group]
    assert sorted(members) == sorted(reference.nodes)
    # The modularity we report is networkx's modularity of our partition...
    parts = [set(g) for g in found.groups]
    assert found.modularity == pytest.approx(
        nx.community.modularity(reference, parts, weight="weight")
    )
    # ...and is as good as networkx's own Louvain, within a heuristic's tolerance.
    theirs = nx.community.louvain_communities(reference, weight="weight", seed=seed)
    assert found.modularity >= nx.community.modularity(reference, theirs) - TOLERANCE


def test_planted_communities_are_found_as_networkx_finds_them() -> None:
    """Four cliques of six, joined in a ring by single ties: no heuristic can miss them."""
    pairs = []
    for c in range(4):
        members = range(6 * c, 6 * c + 6)
        pairs += [(a, b) for a in members for b in members if a < b]
        pairs.append((6 * c, (6 * c + 7) % 24))
    found = network.communities(pairs, seed=0)
    theirs = nx.community.louvain_communities(weighted(pairs), weight="weight", seed=0)
    assert sorted(map(sorted, found.groups)) == sorted(map(sorted, theirs))
    assert len(found.groups) == 4


def test_seeded_and_the_same_from_exchanges_or_from_a_graph() -> None:
    pairs = [(a, (a * 7 + k) % 60) for a in range(60) for k in (1, 2, 3)]
    exchanges = [mu.Exchange(g, r, DAY) for g, r in pairs if g != r]
    first = network.communities(exchanges, seed=5)
    assert network.communities(exchanges, seed=5) == first
    graph = network.build_graph(exchanges, nodes=[999])  # an isolate joins no community
    assert network.graph_communities(graph, seed=5).groups == first.groups
    assert network.metrics(graph, seed=5).modularity == pytest.approx(first.modularity)


def test_higher_resolution_gives_more_communities() -> None:
    pairs = [(a, (a * 7 + k) % 200) for a in range(200) for k in (1, 2, 5)]
    coarse = network.communities(pairs, seed=0, resolution=0.5)
    fine = network.communities(pairs, seed=0, resolution=3.0)
    assert len(fine.groups) > len(coarse.groups)


def test_no_tie_no_community() -> None:
    assert network.communities([]) == network.Communities([], None)
    assert network.communities([(1, 1)]).groups == []
    assert network.graph_communities(network.build_graph([], nodes=[1, 2])).groups == []
