"""Pairs: bipartite with capacity, mentors, peers; the checker."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerlearn.engine.constraints import Constraints, InfeasibleError
from peerlearn.engine.pairing import EXACT_CELLS, repair_pairs, solve_pairs, validate_pairs
from peerlearn.engine.people import Person
from peerlearn.engine.synthetic import synthetic_people
from peerlearn.engine.wording import describe


def edges(result: object) -> list[tuple[str, str]]:
    return [(p.a, p.b) for p in result.pairs]  # type: ignore[attr-defined]


def test_external_local_respects_capacity_and_orgs() -> None:
    people, _ = synthetic_people(80, seed=2)
    c = Constraints(max_per_organisation=1)
    r = solve_pairs(people, "external-local", c, capacity=6)
    assert validate_pairs(people, edges(r), "external-local", c, 6) == []
    locals_ = [p.id for p in people if not p.external]
    assert sorted(p.b for p in r.pairs) == sorted(locals_)
    assert r.summary["ratio"] is not None and 0 < r.summary["ratio"] <= 1.0 + 1e-9


def test_capacity_spreads_the_best_in_class() -> None:
    star = Person("star", external=True, challenges=("land registry reform",))
    other = Person("other", external=True, challenges=("school meals",))
    locals_ = [Person(f"l{i}", challenges=("land registry reform",)) for i in range(4)]
    r = solve_pairs([star, other, *locals_], capacity=2)
    load = {"star": 0, "other": 0}
    for p in r.pairs:
        load[p.a] += 1
    assert load == {"star": 2, "other": 2}


def test_mentor_mode_pairs_alumni_with_newcomers() -> None:
    people = [Person(f"m{i}", alumni=True, organisation=f"o{i}") for i in range(3)] + [
        Person(f"n{i}", organisation=f"p{i}") for i in range(7)
    ]
    r = solve_pairs(people, "mentor")
    assert r.capacity == 3
    assert validate_pairs(people, edges(r), "mentor", r.constraints, r.capacity) == []


def test_peer_mode_odd_number_makes_one_trio() -> None:
    people, _ = synthetic_people(11, seed=4)
    c = Constraints(max_per_organisation=1)
    r = solve_pairs(people, "peer", c, max_passes=50)
    assert validate_pairs(people, edges(r), "peer", c) == []
    assert len({p.label for p in r.pairs}) == 5


def test_pairs_forbidden_by_history_and_language() -> None:
    people = [
        Person("e1", external=True, languages=("fr",)),
        Person("e2", external=True, languages=("en",)),
        Person("l1", languages=("fr",)),
        Person("l2", languages=("en", "fr")),
    ]
    c = Constraints(history=(("e1", "l2"),))
    r = solve_pairs(people, "external-local", c, capacity=1)
    assert sorted(edges(r)) == [("e1", "l1"), ("e2", "l2")]


@pytest.mark.parametrize(
    ("people", "kwargs", "constraint"),
    [
        ([Person("e", external=True), Person("a"), Person("b")], {"capacity": 1}, "capacity"),
        ([Person("a"), Person("b")], {}, "mode"),
        (
            [Person("e", external=True, organisation="X"), Person("a", organisation="X")],
            {},
            "pairs",
        ),
        (
            [Person("e", external=True, languages=("fr",)), Person("a", languages=("en",))],
            {},
            "pairs",
        ),
    ],
    ids=["capacity", "no externals", "same organisation", "no language"],
)
def test_infeasible_pairs_are_explained(
    people: list[Person], kwargs: dict[str, int], constraint: str
) -> None:
    with pytest.raises(InfeasibleError) as err:
        solve_pairs(people, "external-local", **kwargs)  # type: ignore[arg-type]
    assert constraint in {c.constraint for c in err.value.conflicts}


def test_greedy_path_for_large_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    import peerlearn.engine.pairing as pairing

    monkeypatch.setattr(pairing, "EXACT_CELLS", 10)
    people, _ = synthetic_people(150, seed=5)
    c = Constraints()
    r = solve_pairs(people, "external-local", c)
    assert validate_pairs(people, edges(r), "external-local", c, r.capacity) == []
    assert EXACT_CELLS > 10


def test_checker_catches_problems() -> None:
    people = [
        Person("e", external=True, organisation="X"),
        Person("a", organisation="X"),
        Person("b"),
    ]
    found = validate_pairs(people, [("e", "a"), ("a", "b")], "external-local", capacity=1)
    problems = [describe(p) for p in found]
    assert "pair ('e', 'a'): same organisation 'X'" in problems
    assert any("not an external peer" in p for p in problems)
    assert [describe(p) for p in validate_pairs(people, [("a", "b")], "peer")] == [
        "'e' has no partner"
    ]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.booleans(),
            st.sampled_from(["A", "B", "C", ""]),
            st.sampled_from([(), ("en",), ("fr",)]),
        ),
        min_size=2,
        max_size=30,
    ),
    st.sampled_from(["external-local", "mentor", "peer"]),
)
def test_property_pairs_valid_or_explained(
    rows: list[tuple[bool, str, tuple[str, ...]]], mode: str
) -> None:
    people = [
        Person(f"p{i}", external=flag, alumni=flag, organisation=o, languages=lang)
        for i, (flag, o, lang) in enumerate(rows)
    ]
    c = Constraints()
    try:
        r = solve_pairs(people, mode, c, weights="policy", max_passes=50)
    except InfeasibleError as err:
        assert err.conflicts
        return
    cap = r.capacity if mode != "peer" else None
    assert validate_pairs(people, edges(r), mode, r.constraints, cap) == []


def _bipartite(n_givers: int, n_takers: int) -> list[Person]:
    return [Person(f"e{i}", external=True, organisation=f"E{i}") for i in range(n_givers)] + [
        Person(f"l{i}", organisation=f"L{i}") for i in range(n_takers)
    ]


def test_locked_pairs_are_kept_and_their_people_left_out_of_the_search() -> None:
    people = _bipartite(3, 6)
    # The two other givers can take the five free receivers, so e0 stays out.
    r = solve_pairs(people, "external-local", capacity=3, locked_pairs=[("e0", "l5", "P9")])
    locked = [p for p in r.pairs if p.locked]
    assert [(p.a, p.b, p.label) for p in locked] == [("e0", "l5", "L1")]
    assert [p.b for p in r.pairs if p.a == "e0"] == ["l5"]
    assert validate_pairs(people, [(p.a, p.b) for p in r.pairs], "external-local", None, 3) == []
    assert r.problems == []


def test_locked_pairs_that_break_a_rule_are_reported_not_refused() -> None:
    people = _bipartite(2, 4)
    locks = [("e0", "l0", "P1"), ("e0", "l1", "P2"), ("e0", "l2", "P3")]
    r = solve_pairs(people, "external-local", capacity=2, locked_pairs=locks)
    assert [p.kind for p in r.problems] == ["over_capacity"]
    assert {p.b for p in r.pairs} == {"l0", "l1", "l2", "l3"}


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), pick=st.integers(0, 100))
def test_property_repair_pairs_agrees_with_the_checker(seed: int, pick: int) -> None:
    """Whatever two people are re-paired, the result is what validate_pairs says it is."""
    people = _bipartite(3, 7)
    solved = solve_pairs(people, "external-local", capacity=3, seed=seed)
    ids = [p.id for p in people]
    person, partner = ids[pick % len(ids)], ids[(pick * 7 + 3) % len(ids)]
    if person == partner:
        return
    done = repair_pairs(
        people, solved.pairs, "external-local", person, partner, capacity=solved.capacity
    )
    rows = [(p.a, p.b) for p in done.pairs]
    assert done.after == validate_pairs(people, rows, "external-local", None, solved.capacity)
    assert done.before == []
    assert {person, partner} in [{p.a, p.b} for p in done.pairs]
    assert [p for p in done.pairs if p.moved] == [done.pairs[-1]]
    # Nobody is dropped silently: whoever lost a partner is in left_out.
    paired = {x for p in done.pairs for x in (p.a, p.b)}
    assert set(ids) - paired <= set(done.left_out) | {p.id for p in people if p.external}
    assert set(done.left_out).isdisjoint(paired)
    assert done.new_problems == [p for p in done.after if p not in done.before]
