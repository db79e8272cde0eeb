"""Group solver: every hard constraint, table-driven, plus properties and quality."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerlearn.engine.constraints import Constraints, InfeasibleError, Quotas, validate_groups
from peerlearn.engine.grouping import solve_groups
from peerlearn.engine.people import Person
from peerlearn.engine.synthetic import pair_precision, synthetic_people
from peerlearn.engine.wording import conflict_message, conflict_suggestion


def cohort(n: int, **kw: object) -> list[Person]:
    """n people with distinct organisations, rotating countries, no text."""
    return [
        Person(
            f"p{i:02d}",
            organisation=f"org{i}",
            country=["KE", "UG", "TZ", "RW"][i % 4],
            policy_area=["tax", "land", "health"][i % 3],
            external=i % 5 == 0,
            alumni=i % 6 == 0,
            role=["director", "analyst"][i % 2],
            **kw,  # type: ignore[arg-type]
        )
        for i in range(n)
    ]


def check(people: list[Person], c: Constraints, by: str = "policy", **kw: object) -> dict[str, str]:
    result = solve_groups(people, c, by, max_passes=50, **kw)  # type: ignore[arg-type]
    assert validate_groups(people, result.assignment, c) == []
    assert set(result.assignment) == {p.id for p in people}
    return result.assignment


FEASIBLE = [
    ("size 5-6", 23, Constraints(max_per_organisation=None)),
    ("size 3-3", 12, Constraints(min_size=3, max_size=3)),
    ("size 4-7", 30, Constraints(min_size=4, max_size=7)),
    ("max per country 2", 24, Constraints(max_per_country=2, min_size=5, max_size=6)),
    ("max per country 1", 16, Constraints(max_per_country=1, min_size=4, max_size=4)),
    ("min countries 3", 24, Constraints(min_countries=3)),
    ("min countries 4", 20, Constraints(min_countries=4, min_size=4, max_size=5)),
    ("quota external+local", 25, Constraints(quotas=Quotas(min_external=1, min_local=1))),
    ("mentor ratio", 24, Constraints(min_size=6, max_size=6, quotas=Quotas(mentor_ratio=5))),
    ("required roles", 24, Constraints(quotas=Quotas(required_roles=("director", "analyst")))),
    ("groups forced", 24, Constraints(min_size=2, max_size=8, n_groups=6)),
]


@pytest.mark.parametrize(("name", "n", "c"), FEASIBLE, ids=[f[0] for f in FEASIBLE])
def test_feasible_constraints_hold(name: str, n: int, c: Constraints) -> None:
    check(cohort(n), c)


def test_max_per_organisation_with_shared_organisations() -> None:
    people = [
        Person(f"p{i}", organisation=f"o{i % 6}", policy_area="tax" if i < 18 else "land")
        for i in range(36)
    ]
    a = check(people, Constraints(min_size=6, max_size=6))
    for g in set(a.values()):
        orgs = [p.organisation for p in people if a[p.id] == g]
        assert len(orgs) == len(set(orgs))


def test_keep_together_and_apart() -> None:
    people = cohort(20)
    c = Constraints(
        min_size=4,
        max_size=5,
        keep_together=(("p00", "p07", "p13"), ("p02", "p03")),
        keep_apart=(("p01", "p05", "p09", "p17"),),
    )
    a = check(people, c)
    assert a["p00"] == a["p07"] == a["p13"]
    assert len({a["p01"], a["p05"], a["p09"], a["p17"]}) == 4


def test_locked_placements_are_kept() -> None:
    people = cohort(18)
    locked = {"p00": "Blue", "p01": "Blue", "p05": "Red"}
    a = check(people, Constraints(min_size=6, max_size=6, locked=locked))
    assert a["p00"] == a["p01"] == "Blue"
    assert a["p05"] == "Red"
    assert len(set(a.values())) == 3


def test_history_is_never_repeated() -> None:
    people = cohort(12)
    first = check(people, Constraints(min_size=3, max_size=3))
    met = [(x, y) for x in first for y in first if x < y and first[x] == first[y]]
    second = check(people, Constraints(min_size=3, max_size=3, history=tuple(met)))
    assert all(second[x] != second[y] for x, y in met)


def test_shared_language_in_every_group() -> None:
    langs = [("fr",), ("en",), ("en", "fr"), ("es", "en"), ()]
    people = [Person(f"p{i}", organisation=f"o{i}", languages=langs[i % 5]) for i in range(30)]
    a = check(people, Constraints(min_size=5, max_size=6))
    for g in set(a.values()):
        members = [p for p in people if a[p.id] == g and p.languages]
        if members:
            assert set.intersection(*(set(p.languages) for p in members))


INFEASIBLE = [
    ("too few people", 3, Constraints(), "size"),
    ("organisation too big", 12, Constraints(min_size=4, max_size=4), "max_per_organisation"),
    (
        "country too big",
        12,
        Constraints(max_per_organisation=None, min_size=6, max_size=6, max_per_country=1),
        "max_per_country",
    ),
    (
        "too few countries",
        12,
        Constraints(min_countries=5, max_per_organisation=None, min_size=6, max_size=6),
        "min_countries",
    ),
    (
        "too few externals",
        12,
        Constraints(
            min_size=3, max_size=3, max_per_organisation=None, quotas=Quotas(min_external=2)
        ),
        "min_external",
    ),
    (
        "missing role",
        12,
        Constraints(
            min_size=3,
            max_size=3,
            max_per_organisation=None,
            quotas=Quotas(required_roles=("minister",)),
        ),
        "required_roles",
    ),
    (
        "keep-together too big",
        12,
        Constraints(
            min_size=2,
            max_size=3,
            max_per_organisation=None,
            keep_together=(("a0", "a1", "a2", "a3"),),
        ),
        "keep_together",
    ),
    (
        "together and apart",
        12,
        Constraints(
            min_size=3,
            max_size=4,
            max_per_organisation=None,
            keep_together=(("a0", "a1"),),
            keep_apart=(("a0", "a1"),),
        ),
        "keep_apart",
    ),
    (
        "locked too many",
        12,
        Constraints(
            min_size=2,
            max_size=2,
            max_per_organisation=None,
            locked={f"a{i}": "G" for i in range(3)},
        ),
        "locked",
    ),
    (
        "forced group count",
        12,
        Constraints(min_size=5, max_size=6, n_groups=5, max_per_organisation=None),
        "n_groups",
    ),
]


@pytest.mark.parametrize(("name", "n", "c", "kind"), INFEASIBLE, ids=[f[0] for f in INFEASIBLE])
def test_infeasible_constraints_are_named(name: str, n: int, c: Constraints, kind: str) -> None:
    people = [
        Person(
            f"a{i}",
            organisation="Same" if kind == "max_per_organisation" else f"o{i}",
            country="KE" if kind == "max_per_country" else ["KE", "UG"][i % 2],
            external=i == 0,
        )
        for i in range(n)
    ]
    with pytest.raises(InfeasibleError) as err:
        solve_groups(people, c, "policy", max_passes=50)
    kinds = {x.constraint for x in err.value.conflicts}
    assert kind in kinds, err.value
    assert all(conflict_message(x) for x in err.value.conflicts)


def test_organisation_conflict_says_how_much_and_what_to_relax() -> None:
    people = [Person(f"p{i}", organisation="X" if i < 14 else f"o{i}") for i in range(55)]
    with pytest.raises(InfeasibleError) as err:
        solve_groups(people, Constraints(), "policy")
    (conflict,) = err.value.conflicts
    assert "'X' has 14 people" in conflict_message(conflict)
    assert "at most 11 groups" in conflict_message(conflict)
    assert "--max-per-organisation 2" in conflict_suggestion(conflict)
    assert conflict.amount == 3


def test_language_islands_are_reported_not_hidden() -> None:
    people = [Person(f"p{i}", languages=("fr",) if i < 3 else ("en",)) for i in range(10)]
    with pytest.raises(InfeasibleError) as err:
        solve_groups(
            people,
            Constraints(min_size=5, max_size=5, max_per_organisation=None),
            "policy",
            max_passes=50,
        )
    assert any(x.constraint == "shared_language" for x in err.value.conflicts)


def test_same_seed_same_result_and_problems_criterion_finds_categories() -> None:
    people, truth = synthetic_people(120, seed=3)
    c = Constraints()
    # A generous limit: the search converges long before it, so a loaded CI
    # machine cannot cut one run shorter than the other.
    a = solve_groups(people, c, "problems", seed=7, max_passes=50)
    b = solve_groups(people, c, "problems", seed=7, max_passes=50)
    assert not a.stats.stopped_by_time and not b.stats.stopped_by_time
    assert a.assignment == b.assignment
    assert validate_groups(people, a.assignment, c) == []
    assert pair_precision(a.assignment, truth) > 0.5  # random is about 1/14


def test_search_improves_on_construction_and_scores_add_up() -> None:
    people, _ = synthetic_people(200, seed=1)
    result = solve_groups(people, Constraints(), "problems=3,context=1", max_passes=3)
    assert result.cohesion == pytest.approx(sum(result.scores.values()))
    assert result.stats.passes >= 1


def test_balance_goals_spread_gender() -> None:
    people = [Person(f"p{i}", gender="f" if i < 12 else "m") for i in range(24)]
    c = Constraints(min_size=4, max_size=4, max_per_organisation=None)
    a = check(people, c, by="gender_balance")
    for g in set(a.values()):
        women = sum(1 for p in people if a[p.id] == g and p.gender == "f")
        assert women == 2


def test_role_mix_mode_mixes_seniority() -> None:
    people = [
        Person(f"p{i}", role="auditor", seniority="senior" if i < 6 else "junior")
        for i in range(12)
    ]
    c = Constraints(min_size=4, max_size=4, max_per_organisation=None)
    mixed = check(people, c, by="role", role_mode="mix")
    for g in set(mixed.values()):
        seniors = sum(1 for p in people if mixed[p.id] == g and p.seniority == "senior")
        assert seniors == 2
    people = [
        Person(f"p{i}", role="auditor", seniority="senior" if i < 8 else "junior")
        for i in range(12)
    ]
    equal = check(people, c, by="role", role_mode="equal")
    for g in set(equal.values()):
        levels = {p.seniority for p in people if equal[p.id] == g}
        assert len(levels) == 1


def test_duplicate_ids_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        solve_groups([Person("a"), Person("a")], Constraints(min_size=1, max_size=2))


orgs = st.sampled_from(["A", "B", "C", "D", "E", "F", "", ""])
countries = st.sampled_from(["KE", "UG", "FR", ""])
languages = st.sampled_from([(), ("en",), ("fr",), ("en", "fr"), ("es", "en")])
person_rows = st.lists(
    st.tuples(orgs, countries, languages, st.booleans(), st.sampled_from(["tax", "land", ""])),
    min_size=1,
    max_size=36,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=person_rows,
    lo=st.integers(1, 5),
    extra=st.integers(0, 3),
    max_org=st.sampled_from([None, 1, 2]),
    max_country=st.sampled_from([None, 2, 3]),
    min_countries=st.integers(0, 2),
    apart_seed=st.integers(0, 10_000),
    quota=st.booleans(),
    seed=st.integers(0, 3),
)
def test_property_never_violates_or_loses_anyone(
    rows: list[tuple[str, str, tuple[str, ...], bool, str]],
    lo: int,
    extra: int,
    max_org: int | None,
    max_country: int | None,
    min_countries: int,
    apart_seed: int,
    quota: bool,
    seed: int,
) -> None:
    people = [
        Person(f"p{i}", organisation=o, country=c, languages=lang, external=ext, policy_area=pa)
        for i, (o, c, lang, ext, pa) in enumerate(rows)
    ]
    ids = [p.id for p in people]
    n = len(ids)
    apart = tuple(
        (ids[apart_seed % n], ids[(apart_seed // 7) % n])
        for _ in range(1)
        if n > 1 and apart_seed % n != (apart_seed // 7) % n
    )
    together = ((ids[0], ids[-1]),) if n > 2 and apart_seed % 3 == 0 else ()
    c = Constraints(
        min_size=lo,
        max_size=lo + extra,
        max_per_organisation=max_org,
        max_per_country=max_country,
        min_countries=min_countries,
        keep_apart=apart,
        keep_together=together,
        quotas=Quotas(min_external=1) if quota else Quotas(),
    )
    try:
        result = solve_groups(people, c, "policy=1,context=1", seed=seed, max_passes=50)
    except InfeasibleError as err:
        assert err.conflicts and all(conflict_message(x) for x in err.conflicts)
        return
    assert sorted(result.assignment) == sorted(ids)
    assert validate_groups(people, result.assignment, c) == []
    assert sum(len(g) for g in result.groups.values()) == n


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 60), lo=st.integers(1, 6), extra=st.integers(0, 3))
def test_property_size_only_is_always_solved_when_possible(n: int, lo: int, extra: int) -> None:
    hi = lo + extra
    c = Constraints(min_size=lo, max_size=hi, max_per_organisation=None)
    people = cohort(n)
    possible = any(lo * g <= n <= hi * g for g in range(1, n + 1))
    if not possible:
        with pytest.raises(InfeasibleError):
            solve_groups(people, c, "policy", max_passes=50)
        return
    check(people, c)


def test_a_pass_budget_alone_is_deterministic_and_ignores_the_clock() -> None:
    """max_passes without time_limit: the same grouping however slow the machine is."""
    people, _ = synthetic_people(200, seed=2)
    a = solve_groups(people, Constraints(), "problems", seed=4, max_passes=2)
    b = solve_groups(people, Constraints(), "problems", seed=4, max_passes=2)
    assert a.assignment == b.assignment
    assert 1 <= a.stats.passes <= 2
    assert not a.stats.stopped_by_time
    none = solve_groups(people, Constraints(), "problems", seed=4, max_passes=0)
    assert none.stats.passes == 0
    assert validate_groups(people, none.assignment, Constraints()) == []


def test_the_search_stops_when_a_pass_gains_almost_nothing() -> None:
    """Convergence, not the pass budget, ends a search given room (issue 15)."""
    people, _ = synthetic_people(300, seed=5)
    result = solve_groups(people, Constraints(), "problems", seed=2, max_passes=50)
    assert result.stats.converged and not result.stats.stopped_by_time
    assert 2 <= result.stats.passes < 50
    # A budget just above the passes it made changes nothing: it stopped itself.
    roomy = solve_groups(
        people, Constraints(), "problems", seed=2, max_passes=result.stats.passes + 3
    )
    assert roomy.assignment == result.assignment and roomy.stats.passes == result.stats.passes
    # A budget one pass short stops it before convergence, with less cohesion.
    short = solve_groups(
        people, Constraints(), "problems", seed=2, max_passes=result.stats.passes - 1
    )
    assert not short.stats.converged
    assert short.cohesion <= result.cohesion


def test_one_blas_thread_nests_and_restores_the_thread_count() -> None:
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from peerlearn.engine import budget

    def blas_threads() -> list[int]:
        info = threadpoolctl.threadpool_info()
        return [i["num_threads"] for i in info if i["user_api"] == "blas"]

    before = blas_threads()
    with budget.one_blas_thread():
        with budget.one_blas_thread():
            assert set(blas_threads()) <= {1}
        assert set(blas_threads()) <= {1}  # the outer search still holds the limit
    assert blas_threads() == before and budget._blas_users == 0


def test_criterion_shares_match_pairwise_sums_and_stay_below_the_best_grouping():
    """Per-criterion cohesion equals the pairwise sum; no grouping beats the bound."""
    from itertools import combinations, permutations

    from peerlearn.engine.explain import criterion_shares
    from peerlearn.engine.grouping import score_grouping
    from peerlearn.engine.people import Person

    people = [
        Person(str(i), country="KE" if i % 2 else "FR", role="auditor" if i < 3 else "lawyer")
        for i in range(6)
    ]
    weights = {"context": 1.0, "role": 2.0}
    assignment = {str(i): "G1" if i < 3 else "G2" for i in range(6)}
    r = score_grouping(people, assignment, weights=weights)
    shares = criterion_shares(r)
    for name, sl in r.model.blocks.items():
        direct = sum(
            float(r.model.x[a, sl] @ r.model.x[b, sl])
            for ids in r.groups.values()
            for a, b in combinations([int(i) for i in ids], 2)
        )
        assert shares[name]["cohesion"] == pytest.approx(direct, abs=1e-3)
        best = 0.0
        for order in permutations(range(6)):
            g1, g2 = order[:3], order[3:]
            total = sum(
                float(r.model.x[a, sl] @ r.model.x[b, sl])
                for g in (g1, g2)
                for a, b in combinations(g, 2)
            )
            best = max(best, total)
        assert best <= shares[name]["bound"] + 1e-6
        assert 0.0 <= shares[name]["share"] <= 1.0
