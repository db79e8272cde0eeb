"""The theory-of-change engine against networkx on random maps, and its rules by example."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from peerlearn.engine.theory import (
    CHAIN_KINDS,
    CheckIns,
    ExchangeMetric,
    Indicator,
    Link,
    Node,
    Problem,
    Share,
    Story,
    TheoryMap,
    apply_diff,
    diff,
    evidence_status,
    evidence_verdict,
    find_cycle,
    kind_rank,
    removing_link,
    removing_node,
    topological_order,
    validate,
)


def _node(i: int, kind: str) -> Node:
    return Node(f"n{i}", kind, f"Node {i}", "individual" if kind == "capability" else "")


@st.composite
def maps(draw, max_nodes: int = 8) -> TheoryMap:
    kinds = draw(st.lists(st.sampled_from(CHAIN_KINDS), min_size=1, max_size=max_nodes))
    nodes = [_node(i, k) for i, k in enumerate(kinds)]
    n = len(nodes)
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
            max_size=2 * n,
            unique=True,
        )
    )
    links = [Link(f"l{i}", f"n{a}", f"n{b}", "because") for i, (a, b) in enumerate(pairs)]
    if draw(st.booleans()) and links:
        nodes.append(Node("as", "assumption", "Leaders stay", about=links[0].id))
    return TheoryMap(tuple(nodes), tuple(links), draw(st.sampled_from(CHAIN_KINDS)))


def _graph(theory: TheoryMap) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(n.id for n in theory.nodes if n.kind != "assumption")
    graph.add_edges_from((lk.source, lk.target) for lk in theory.links)
    return graph


@settings(max_examples=200, deadline=None)
@given(maps())
def test_accepted_maps_are_acyclic_and_have_a_topological_order(theory):
    problems = validate(theory)
    graph = _graph(theory)
    if not problems:
        assert nx.is_directed_acyclic_graph(graph)
        order = topological_order(theory)
        position = {node: i for i, node in enumerate(order)}
        assert set(order) == set(graph.nodes)
        assert all(position[a] < position[b] for a, b in graph.edges)
        kinds = {n.id: n.kind for n in theory.nodes}
        assert all(kind_rank(kinds[a]) <= kind_rank(kinds[b]) for a, b in graph.edges)


@settings(max_examples=200, deadline=None)
@given(maps())
def test_cycle_found_exactly_when_networkx_finds_one(theory):
    graph = _graph(theory)
    cycle = find_cycle(theory)
    assert bool(cycle) != nx.is_directed_acyclic_graph(graph)
    if cycle:
        assert cycle[0] == cycle[-1]
        assert all(graph.has_edge(a, b) for a, b in zip(cycle, cycle[1:], strict=False))


@settings(max_examples=200, deadline=None)
@given(maps(), maps())
def test_diff_applied_to_a_gives_b(a, b):
    assert apply_diff(a, diff(a, b)).canonical() == b.canonical()
    assert diff(a, a).is_empty


def test_backwards_link_and_cycle_are_named_with_their_ids():
    cap_i = Node("ci", "capability", "Skills", "individual")
    cap_o = Node("co", "capability", "Units adopt", "institutional")
    outcome = Node("o", "outcome", "Reform adopted")
    theory = TheoryMap(
        (cap_i, cap_o, outcome),
        (Link("1", "ci", "co"), Link("2", "co", "ci"), Link("3", "o", "ci")),
    )
    problems = validate(theory)
    assert Problem("backwards_link", ("3",)) in problems
    assert any(p.kind == "cycle" and set(p.ids) == {"ci", "co"} for p in problems)


def test_node_rules():
    theory = TheoryMap(
        (
            Node("c", "capability", "No level"),
            Node("a", "activity", "With level", "context"),
            Node("x", "assumption", "Floating", about="nowhere"),
            Node("k", "kite", "Unknown"),
            Node("a", "activity", "Duplicate"),
        ),
        (Link("l", "x", "a"),),
        ceiling="moon",
    )
    kinds = {p.kind for p in validate(theory)}
    assert kinds >= {
        "missing_level",
        "level_not_allowed",
        "assumption_unattached",
        "unknown_kind",
        "duplicate_id",
        "unknown_ceiling",
        "assumption_end",
    }


def test_removing_a_node_takes_its_links_and_their_assumptions():
    theory = TheoryMap(
        (
            Node("a", "activity", "Visits"),
            Node("o", "outcome", "Reform"),
            Node("s", "assumption", "Minister stays", about="l"),
            Node("t", "assumption", "Visits happen", about="a"),
        ),
        (Link("l", "a", "o"),),
    )
    left = removing_node(theory, "a")
    assert [n.id for n in left.nodes] == ["o"] and not left.links
    assert [n.id for n in removing_link(theory, "l").nodes] == ["a", "o", "t"]


def test_evidence_rules():
    assert evidence_verdict(Indicator("x", 3, 1, 2, direction="decrease")) == "supports"
    assert evidence_verdict(Indicator("x", 3, 4, 3)) == "contradicts"
    assert evidence_verdict(Indicator("x", 3, 4, 4.5)) == "supports"
    assert Indicator("x", 3, 4, 4.5).reached
    assert evidence_verdict(Story("s", "partial", positive=False)) == "contradicts"
    assert evidence_verdict(Story("s", "pending")) is None
    assert evidence_verdict(CheckIns("c", 0)) is None
    assert evidence_verdict(ExchangeMetric("reciprocity", 0.2, 0.3)) == "contradicts"
    assert evidence_verdict(ExchangeMetric("one-way", 0.2, 0.3, "decrease")) == "supports"
    assert evidence_verdict(Share("achieved", 0, 0)) is None
    assert evidence_verdict(Share("achieved", 2, 4)) == "supports"


def test_status_per_node_and_link():
    theory = TheoryMap(
        (Node("a", "activity", "Visits"), Node("o", "outcome", "Reform")), (Link("l", "a", "o"),)
    )
    evidence = {
        "a": [CheckIns("c", 2)],
        "o": [Story("s", "full"), Indicator("i", 1, 2, 0.5)],
        "ghost": [CheckIns("c", 1)],
    }
    status = evidence_status(theory, evidence, {"l": "supported", "a": "bogus"})
    assert status["a"].status == "supported" and not status["a"].overridden
    assert (status["o"].status, status["o"].supports, status["o"].contradicts) == (
        "contested",
        1,
        1,
    )
    assert status["l"].status == "supported" and status["l"].computed == "untested"
    assert "ghost" not in status


@given(maps())
def test_map_round_trips_through_json(theory):
    assert TheoryMap.from_dict(theory.to_dict()) == theory
