"""The theory-of-change engine against networkx on random maps, and its rules by example."""

from __future__ import annotations

from datetime import date

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerlearn.engine.theory import (
    CHAIN_KINDS,
    EXCHANGE_METRICS,
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
    exchange_metric,
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
    assert evidence_verdict(Story("s", "partly", positive=False)) == "contradicts"
    assert evidence_verdict(Story("s", "unverified")) is None
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
        "o": [Story("s", "substantiated"), Indicator("i", 1, 2, 0.5)],
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


@pytest.mark.parametrize(
    ("verification", "positive", "verdict"),
    [
        ("substantiated", True, "supports"),
        ("partly", True, "supports"),
        ("substantiated", False, "contradicts"),
        ("partly", False, "contradicts"),
        ("disputed", True, "contradicts"),
        ("disputed", False, "contradicts"),
        ("unverified", True, None),
        ("unverified", False, None),
    ],
)
def test_story_rule_substantiated_positive_supports_negative_or_disputed_contests(
    verification, positive, verdict
):
    assert evidence_verdict(Story("s", verification, positive)) == verdict


def test_stories_and_exchange_metrics_decide_a_nodes_status_with_survey_indicators():
    theory = TheoryMap((Node("c", "capability", "Relate", "individual"),))
    supported = {"c": [Story("s", "substantiated"), ExchangeMetric("r", 0.6, 0.5)]}
    assert evidence_status(theory, supported)["c"].status == "supported"
    # one disputed story contests what a rising indicator supports
    contested = {"c": [Indicator("i", 2, 4, 3), Story("s", "disputed")]}
    record = evidence_status(theory, contested)["c"]
    assert (record.status, record.supports, record.contradicts) == ("contested", 1, 1)
    # nothing measurable yet: untested, not contested
    empty = {"c": [Story("s", "unverified"), ExchangeMetric("r", None, 0.5)]}
    assert evidence_status(theory, empty)["c"].status == "untested"


def _exchanges(pairs, applied=()):
    from peerlearn.engine.mutuality import Exchange as Ex

    day = date(2026, 3, 1)
    return [
        Ex(g, r, day, applied=applied[i] if i < len(applied) else None)
        for i, (g, r) in enumerate(pairs)
    ]


@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 6)).filter(lambda t: t[0] != t[1]),
        max_size=30,
    )
)
def test_reciprocity_metrics_agree_with_networkx(pairs):
    rows = _exchanges(pairs)
    graph = nx.DiGraph(pairs)
    if graph.number_of_edges() == 0:
        assert exchange_metric("edgewise_reciprocity", rows) is None
        return
    assert exchange_metric("edgewise_reciprocity", rows) == pytest.approx(
        nx.overall_reciprocity(graph)
    )
    mutual = sum(1 for a, b in graph.edges if a < b and graph.has_edge(b, a))
    connected = graph.to_undirected().number_of_edges()
    assert exchange_metric("dyadic_reciprocity", rows) == pytest.approx(mutual / connected)
    assert exchange_metric("mutual_pairs", rows) == mutual


def test_applied_metrics_count_what_was_applied_among_what_is_known():
    rows = _exchanges([(1, 2), (2, 3), (3, 1), (1, 3)], applied=(True, False, True, None))
    assert exchange_metric("exchanges", rows) == 4
    assert exchange_metric("applied_exchanges", rows) == 2
    assert exchange_metric("applied_share", rows) == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        exchange_metric("nonsense", rows)
    assert set(EXCHANGE_METRICS) == {
        "edgewise_reciprocity",
        "dyadic_reciprocity",
        "exchanges",
        "applied_exchanges",
        "applied_share",
        "mutual_pairs",
    }
