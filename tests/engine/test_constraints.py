"""The checker and the up-front necessary conditions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from peerlearn.engine.constraints import (
    Constraints,
    InfeasibleError,
    Quotas,
    plan_group_count,
    validate_groups,
)
from peerlearn.engine.people import Person
from peerlearn.engine.wording import describe

ROOT = Path(__file__).resolve().parents[2]


def people(n: int) -> list[Person]:
    return [
        Person(
            f"p{i}",
            organisation=f"o{i}",
            country="KE" if i % 2 else "UG",
            role="analyst",
            external=i == 0,
            languages=("en",) if i else ("fr",),
        )
        for i in range(n)
    ]


CHECKS = [
    (
        "size",
        {"p0": "A", "p1": "A", "p2": "B", "p3": "B"},
        Constraints(min_size=3, max_size=3),
        "2 members (allowed 3-3)",
    ),
    (
        "missing",
        {"p0": "A", "p1": "A", "p2": "A"},
        Constraints(min_size=1, max_size=4),
        "'p3' is in no group",
    ),
    (
        "unknown",
        {"p0": "A", "p1": "A", "p2": "A", "p3": "A", "zz": "A"},
        Constraints(min_size=1, max_size=5, shared_language=False),
        "unknown person 'zz'",
    ),
    (
        "country",
        {f"p{i}": "A" for i in range(4)},
        Constraints(min_size=1, max_size=4, max_per_country=1, shared_language=False),
        "2 members from country 'KE' (max 1)",
    ),
    (
        "min countries",
        {f"p{i}": "A" if i in (1, 3) else "B" for i in range(4)},
        Constraints(min_size=1, max_size=4, min_countries=2, shared_language=False),
        "1 distinct countries (at least 2)",
    ),
    (
        "language",
        {f"p{i}": "A" for i in range(4)},
        Constraints(min_size=1, max_size=4),
        "no working language shared",
    ),
    (
        "external",
        {f"p{i}": "A" if i < 2 else "B" for i in range(4)},
        Constraints(min_size=1, max_size=4, shared_language=False, quotas=Quotas(min_external=1)),
        "group 'B': 0 external peers",
    ),
    (
        "role",
        {f"p{i}": "A" for i in range(4)},
        Constraints(
            min_size=1, max_size=4, shared_language=False, quotas=Quotas(required_roles=("lawyer",))
        ),
        "no member with role 'lawyer'",
    ),
    (
        "mentor",
        {f"p{i}": "A" for i in range(4)},
        Constraints(min_size=1, max_size=4, shared_language=False, quotas=Quotas(mentor_ratio=3)),
        "0 alumni mentors for 4 others",
    ),
    (
        "together",
        {f"p{i}": "A" if i < 2 else "B" for i in range(4)},
        Constraints(min_size=1, max_size=4, shared_language=False, keep_together=(("p0", "p3"),)),
        "keep-together",
    ),
    (
        "history",
        {f"p{i}": "A" for i in range(4)},
        Constraints(min_size=1, max_size=4, shared_language=False, history=(("p2", "p1"),)),
        "repeat: 'p1' and 'p2' met before",
    ),
    (
        "locked",
        {f"p{i}": "A" for i in range(4)},
        Constraints(min_size=1, max_size=4, shared_language=False, locked={"p1": "B"}),
        "locked: 'p1' must stay in group 'B'",
    ),
]


@pytest.mark.parametrize(("name", "assignment", "c", "needle"), CHECKS, ids=[x[0] for x in CHECKS])
def test_checker_reports_each_violation(
    name: str, assignment: dict[str, str], c: Constraints, needle: str
) -> None:
    problems = [describe(p) for p in validate_groups(people(4), assignment, c)]
    assert any(needle in p for p in problems), problems


def test_checker_accepts_valid() -> None:
    c = Constraints(min_size=2, max_size=2, shared_language=False)
    assert validate_groups(people(4), {"p0": "A", "p1": "A", "p2": "B", "p3": "B"}, c) == []


def test_plan_picks_fewest_groups_that_limits_allow() -> None:
    ps = [Person(f"p{i}", organisation="X" if i < 4 else f"o{i}") for i in range(20)]
    assert plan_group_count(ps, Constraints()) == 4
    ps = [Person(f"p{i}", organisation="X" if i < 5 else f"o{i}") for i in range(30)]
    assert plan_group_count(ps, Constraints()) == 5


def test_plan_reports_several_conflicts_at_once() -> None:
    ps = [Person(f"p{i}", organisation="X", country="KE") for i in range(12)]
    c = Constraints(max_per_country=1, min_countries=2, quotas=Quotas(min_external=1))
    with pytest.raises(InfeasibleError) as err:
        plan_group_count(ps, c)
    kinds = {x.constraint for x in err.value.conflicts}
    assert {"max_per_organisation", "max_per_country"} <= kinds


@pytest.mark.slow
def test_benchmark_smoke() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "matching.py"), "--sizes", "55", "--skip-peers"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "peerlearn" in proc.stdout and "random" in proc.stdout
