"""The mutuality ledger against networkx on random directed graphs, and its own rules."""

from __future__ import annotations

from datetime import date, timedelta

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerlearn.engine import mutuality as mu
from peerlearn.engine import network

DAY = date(2026, 1, 5)


@st.composite
def digraphs(draw: st.DrawFn) -> tuple[int, list[tuple[int, int]]]:
    """A node count and a list of ties (repeats allowed, no self-loops)."""
    n = draw(st.integers(min_value=3, max_value=14))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1]),
            max_size=60,
        )
    )
    return n, pairs


def reference(n: int, pairs: list[tuple[int, int]]) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(pairs)
    return graph


@settings(max_examples=150, deadline=None)
@given(digraphs())
def test_edgewise_reciprocity_is_networkx_overall_reciprocity(drawn) -> None:
    n, pairs = drawn
    ours = mu.edgewise_reciprocity(pairs)
    if not pairs:
        assert ours is None
        return
    assert ours == pytest.approx(nx.overall_reciprocity(reference(n, pairs)))


@settings(max_examples=150, deadline=None)
@given(digraphs())
def test_dyad_census_matches_networkx_two_ways(drawn) -> None:
    """Undirected views give the dyads; the triad census (MAN codes) confirms them."""
    n, pairs = drawn
    graph = reference(n, pairs)
    census = mu.dyad_census(pairs, nodes=range(n))
    mutual = graph.to_undirected(reciprocal=True).number_of_edges()
    connected = graph.to_undirected().number_of_edges()
    assert (census.mutual, census.asymmetric) == (mutual, connected - mutual)
    # Each triad code counts its Mutual, Asymmetric, Null dyads; every dyad sits in n-2 triads.
    triads = nx.triadic_census(graph)
    from_triads = [sum(count * int(code[i]) for code, count in triads.items()) for i in range(3)]
    assert [x // (n - 2) for x in from_triads] == [census.mutual, census.asymmetric, census.null]
    assert census.mutual + census.asymmetric + census.null == n * (n - 1) // 2


@settings(max_examples=100, deadline=None)
@given(digraphs())
def test_dyadic_reciprocity_is_mutual_over_connected(drawn) -> None:
    n, pairs = drawn
    graph = reference(n, pairs)
    connected = graph.to_undirected().number_of_edges()
    ours = mu.dyadic_reciprocity(pairs)
    if connected == 0:
        assert ours is None
    else:
        mutual = graph.to_undirected(reciprocal=True).number_of_edges()
        assert ours == pytest.approx(mutual / connected)


@settings(max_examples=100, deadline=None)
@given(digraphs())
def test_node_reciprocity_is_networkx_reciprocity(drawn) -> None:
    n, pairs = drawn
    graph = reference(n, pairs)
    ours = mu.node_reciprocity(pairs, range(n))
    for node in range(n):
        if graph.degree(node) == 0:
            assert ours[node] is None
        else:
            assert ours[node] == pytest.approx(nx.reciprocity(graph, [node])[node])


@settings(max_examples=100, deadline=None)
@given(digraphs())
def test_balance_is_networkx_weighted_degree(drawn) -> None:
    n, pairs = drawn
    exchanges = [mu.Exchange(g, r, DAY) for g, r in pairs]
    multi = nx.MultiDiGraph()
    multi.add_edges_from(pairs)
    for node, b in mu.balance(exchanges).items():
        assert (b.given, b.received) == (multi.out_degree(node), multi.in_degree(node))


def test_exchanges_and_ties_give_the_same_reciprocity() -> None:
    exchanges = [mu.Exchange(1, 2, DAY), mu.Exchange(1, 2, DAY), mu.Exchange(2, 1, DAY)]
    assert mu.edgewise_reciprocity(exchanges) == 1.0
    assert mu.dyadic_reciprocity(exchanges + [mu.Exchange(3, 1, DAY)]) == 0.5


def test_string_ids_work_as_well_as_integers() -> None:
    census = mu.dyad_census([("KE", "RW"), ("RW", "KE"), ("KE", "UG")])
    assert census == mu.DyadCensus(1, 1, 1)


def test_flags_take_their_thresholds_as_parameters() -> None:
    exchanges = [mu.Exchange("a", x, DAY) for x in "bcde"] + [mu.Exchange("b", "a", DAY)]
    strict = mu.one_way_flags(exchanges, min_exchanges=3)
    assert [f.node for f in strict] == []  # a received once: not strictly one way
    loose = mu.one_way_flags(exchanges, min_exchanges=3, max_other_share=0.25)
    assert [(f.node, f.kind) for f in loose] == [("a", "resource")]
    assert [f.kind for f in mu.one_way_flags(exchanges, min_exchanges=1)] == ["recipient"] * 3
    with pytest.raises(ValueError):
        mu.one_way_flags(exchanges, min_exchanges=0)


def test_aggregation_person_organisation_country() -> None:
    exchanges = [mu.Exchange(1, 3, DAY), mu.Exchange(2, 1, DAY), mu.Exchange(3, 2, DAY)]
    orgs = {1: 10, 2: 10, 3: 30}
    countries = {10: "KE", 30: "RW"}
    by_org = mu.aggregate(exchanges, orgs)
    assert mu.ties(by_org) == {(10, 30), (30, 10)}
    by_country = mu.aggregate(by_org, countries)
    assert mu.dyad_census(by_country) == mu.DyadCensus(1, 0, 0)
    assert mu.balance(by_country)["KE"] == mu.Balance(given=1, received=1)
    assert mu.aggregate(exchanges, {1: 10}) == []  # unplaced people drop out


def test_unanticipated_learning_needs_the_resource_to_give_first() -> None:
    ex = [
        mu.Exchange("uk", "rw", DAY),
        mu.Exchange("rw", "uk", DAY + timedelta(days=90), ref=3),
        mu.Exchange("ke", "ug", DAY),
        mu.Exchange("ug", "ke", DAY),  # the same day: a swap, not a surprise
    ]
    found = mu.unanticipated_learning(ex)
    assert [(u.resource, u.learned_from, u.ref) for u in found] == [("uk", "rw", 3)]
    assert mu.unanticipated_learning(ex, min_given=2) == []


def test_balance_over_time_runs_by_quarter() -> None:
    ex = [mu.Exchange(1, 2, date(2026, 1, 1)), mu.Exchange(1, 2, date(2026, 2, 1))]
    points = mu.balance_over_time(ex, period="quarter")
    assert points[1] == [mu.BalancePoint(date(2026, 1, 1), 2, 0, 2)]
    assert points[2] == [mu.BalancePoint(date(2026, 1, 1), 0, 2, -2)]


def test_checker_reports_each_problem_once() -> None:
    ex = [mu.Exchange(1, 2, DAY), mu.Exchange(1, 2, DAY, kind="tool"), mu.Exchange(1, 2, DAY)]
    assert [p.kind for p in mu.check_exchanges(ex)] == ["duplicate"]


def test_network_metrics_against_networkx() -> None:
    exchanges = [
        mu.Exchange(1, 2, DAY),
        mu.Exchange(2, 1, DAY + timedelta(days=120)),
        mu.Exchange(2, 3, DAY),
        mu.Exchange(4, 5, DAY),
    ]
    attrs = {1: {"organisation": "a"}, 2: {"organisation": "a"}, 3: {"organisation": "b"}}
    graph = network.build_graph(exchanges, nodes=[6], attributes=attrs)
    m = network.metrics(graph, seed=1)
    assert m.betweenness == pytest.approx(nx.betweenness_centrality(graph))
    assert m.in_degree[1] == 1 and m.out_degree[2] == 2
    assert m.cross["organisation"] == (1, 3)
    assert m.lasting == (1, 3)
    assert m.isolates == [6]
    assert sorted(map(sorted, m.communities)) == [[1, 2, 3], [4, 5]]
    assert network.metrics(graph, seed=1).communities == m.communities  # seeded


def test_exports_read_back_with_networkx(tmp_path) -> None:
    graph = network.build_graph(
        [mu.Exchange(1, 2, DAY), mu.Exchange(1, 2, DAY)], labels={1: "Ana", 2: "Ben"}
    )
    path = tmp_path / "g.graphml"
    path.write_bytes(network.export_graphml(graph))
    back = nx.read_graphml(path)
    assert back.edges["1", "2"]["weight"] == 2 and back.nodes["1"]["label"] == "Ana"
    gexf = tmp_path / "g.gexf"
    gexf.write_bytes(network.export_gexf(graph))
    assert nx.read_gexf(gexf).number_of_edges() == 1
    assert network.edge_list_csv(graph).splitlines()[0].startswith("From,To")


def test_counting_metrics_hold_on_a_large_ledger() -> None:
    """200,000 exchanges among 20,000 people; the time is measured in benchmarks/mutuality.py."""
    rng = np.random.default_rng(0)
    g = rng.integers(0, 20_000, 200_000)
    r = (g + rng.integers(1, 20_000, 200_000)) % 20_000
    pairs = list(zip(g.tolist(), r.tolist(), strict=True))
    census = mu.dyad_census(pairs, nodes=range(20_000))
    assert 0 <= mu.edgewise_reciprocity(pairs) <= 1
    assert census.mutual + census.asymmetric + census.null == 20_000 * 19_999 // 2


@settings(max_examples=100, deadline=None)
@given(digraphs(), st.sampled_from(["str", "mixed"]))
def test_string_and_mixed_ids_count_as_integers_do(drawn, kind) -> None:
    """numpy codes ints and strings, a dict codes mixed kinds: all three agree."""
    n, pairs = drawn
    if kind == "str":
        name = {i: f"n{i:02d}" for i in range(n)}
    else:  # 1 and "1" are two different people, never conflated
        name = {i: (i if i % 2 else str(i)) for i in range(n)}
    renamed = [(name[g], name[r]) for g, r in pairs]
    assert mu.dyad_census(renamed, nodes=name.values()) == mu.dyad_census(pairs, nodes=range(n))
    assert mu.edgewise_reciprocity(renamed) == mu.edgewise_reciprocity(pairs)
    some = [name[i] for i in range(0, n, 2)]
    assert mu.dyad_census(renamed, nodes=some) == mu.dyad_census(pairs, nodes=range(0, n, 2))


def test_census_counts_give_both_reciprocities() -> None:
    pairs = [(1, 2), (2, 1), (1, 3), (3, 4)]
    census = mu.dyad_census(pairs)
    assert census.edgewise == mu.edgewise_reciprocity(pairs)
    assert census.dyadic == mu.dyadic_reciprocity(pairs)
    assert mu.DyadCensus(0, 0, 3).edgewise is None and mu.DyadCensus(0, 0, 3).dyadic is None


def unanticipated_by_hand(exchanges, min_given=1):
    """The definition, one dyad at a time (what numpy computes at once)."""
    by_dyad = {}
    for ex in exchanges:
        if ex.giver != ex.receiver:
            by_dyad.setdefault(frozenset((ex.giver, ex.receiver)), []).append(ex)
    found = []
    for history in by_dyad.values():
        history.sort(key=lambda e: e.when)
        resource, other = history[0].giver, history[0].receiver
        back = next((e for e in history if e.giver == other), None)
        if back is None:
            continue
        before = [e for e in history if e.giver == resource and e.when < back.when]
        if len(before) >= min_given:
            found.append((resource, other, history[0].when, back.when, len(before), back.ref))
    return sorted(found, key=lambda u: (u[3], str(u[0]), str(u[1])))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(0, 9), st.booleans()),
        max_size=40,
    ),
    st.integers(1, 3),
)
def test_unanticipated_learning_and_balance_follow_their_definitions(rows, min_given) -> None:
    exchanges = [
        mu.Exchange(g, r, DAY + timedelta(days=d), applied=a, ref=i)
        for i, (g, r, d, a) in enumerate(rows)
    ]
    found = mu.unanticipated_learning(exchanges, min_given=min_given)
    assert [
        (u.resource, u.learned_from, u.first_given, u.learned_on, u.given_before, u.ref)
        for u in found
    ] == unanticipated_by_hand(exchanges, min_given)
    applied = {}
    for ex in exchanges:
        if ex.giver != ex.receiver and ex.applied:
            applied[ex.receiver] = applied.get(ex.receiver, 0) + 1
    assert {n: b.applied for n, b in mu.balance(exchanges).items() if b.applied} == applied


def test_flags_from_balances_are_the_flags_of_the_exchanges():
    """Counted balances (the dashboard's weighted ties) give the records' flags."""
    from collections import Counter
    from datetime import date

    from peerlearn.engine import mutuality as mu

    day = date(2026, 3, 1)
    records = [mu.Exchange(g, r, day) for g, r in [(1, 2)] * 4 + [(3, 1), (2, 3), (4, 4), (5, 1)]]
    given: Counter[int] = Counter()
    received: Counter[int] = Counter()
    for ex in records:
        if ex.giver != ex.receiver:
            given[ex.giver] += 1
            received[ex.receiver] += 1
    balances = {n: mu.Balance(given[n], received[n]) for n in given | received}
    for share in (0.0, 0.25):
        expected = mu.one_way_flags(records, min_exchanges=2, max_other_share=share)
        assert mu.one_way_flags_of(balances, min_exchanges=2, max_other_share=share) == expected
    flagged = mu.one_way_flags_of(balances, min_exchanges=2, max_other_share=0.25)
    assert [(f.node, f.kind) for f in flagged] == [(2, "recipient")]
