"""Multi-round schedules and absorbing late joiners / drop-outs."""

from __future__ import annotations

import pytest

from peerlearn.engine.constraints import Constraints, InfeasibleError, validate_groups
from peerlearn.engine.people import Person
from peerlearn.engine.schedule import absorb_changes, met_pairs, solve_rounds
from peerlearn.engine.synthetic import synthetic_people


def test_rounds_never_repeat_a_pair() -> None:
    people, _ = synthetic_people(36, seed=1)
    c = Constraints(min_size=4, max_size=4, max_per_organisation=None)
    rounds = solve_rounds(people, c, "problems", rounds=3, max_passes=50)
    seen: set[tuple[str, str]] = set()
    for r in rounds:
        assert validate_groups(people, r.assignment, c) == []
        pairs = set(met_pairs(r.groups))
        assert not pairs & seen
        seen |= pairs


def test_penalised_repeats_allowed_but_fewer() -> None:
    people = [Person(str(i), policy_area="tax" if i < 4 else "land") for i in range(8)]
    c = Constraints(min_size=4, max_size=4, max_per_organisation=None)
    rounds = solve_rounds(
        people, c, "policy", rounds=2, repeats="penalise", repeat_cost=2.0, max_passes=50
    )
    first, second = (set(met_pairs(r.groups)) for r in rounds)
    assert len(first & second) < len(first)
    assert rounds[1].penalty >= 0


def test_too_many_rounds_is_reported() -> None:
    people = [Person(str(i)) for i in range(6)]
    c = Constraints(min_size=3, max_size=3, max_per_organisation=None)
    with pytest.raises(InfeasibleError) as err:
        solve_rounds(people, c, "policy", rounds=5, max_passes=50)
    assert err.value.conflicts[0].constraint == "rounds"


def test_absorb_moves_nobody_when_room_exists() -> None:
    people, _ = synthetic_people(30, seed=2)
    c = Constraints(min_size=5, max_size=7, max_per_organisation=None)
    from peerlearn.engine.grouping import solve_groups

    published = solve_groups(
        people,
        Constraints(min_size=5, max_size=6, max_per_organisation=None),
        "problems",
        max_passes=50,
    ).assignment
    newcomers, _ = synthetic_people(3, seed=99)
    newcomers = [Person(f"new{i}", challenges=p.challenges) for i, p in enumerate(newcomers)]
    now = [p for p in people if p.id != people[0].id] + newcomers
    out = absorb_changes(now, published, c, "problems", max_passes=50)
    assert out.moved == []
    assert out.joined == sorted(p.id for p in newcomers)
    assert out.left == [people[0].id]
    assert validate_groups(now, out.result.assignment, c) == []


def test_absorb_refills_a_group_emptied_by_drop_outs_with_few_moves() -> None:
    people = [Person(f"p{i}", policy_area="tax") for i in range(18)]
    c = Constraints(min_size=5, max_size=6, max_per_organisation=None)
    published = {p.id: f"G{i // 6 + 1}" for i, p in enumerate(people)}
    now = people[2:]  # G1 loses two people: 4 left, below the minimum
    out = absorb_changes(now, published, c, "policy", max_passes=50)
    assert validate_groups(now, out.result.assignment, c) == []
    assert len(out.moved) == 1


def test_absorb_dissolves_groups_when_too_few_remain() -> None:
    people = [Person(f"p{i}") for i in range(15)]
    published = {p.id: f"G{i // 5 + 1}" for i, p in enumerate(people)}
    now = people[:11]
    c = Constraints(min_size=5, max_size=6, max_per_organisation=None)
    out = absorb_changes(now, published, c, "policy", max_passes=50)
    assert validate_groups(now, out.result.assignment, c) == []
    assert out.dissolved == ["G3"]
