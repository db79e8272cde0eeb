"""Issue 11 item 2: one typed reader and one writer for a run's result and parameters."""

from __future__ import annotations

import re
from pathlib import Path

from peerlearn.matching.result import DEFAULT_MAX_SIZE, DEFAULT_MIN_SIZE, RunParameters, RunResult

MATCHING = Path(__file__).resolve().parents[2] / "src" / "peerlearn" / "matching"


def test_defaults_are_defined_once_and_round_trip() -> None:
    p = RunParameters.from_json({})
    assert (p.min_size, p.max_size, p.mode) == (
        DEFAULT_MIN_SIZE,
        DEFAULT_MAX_SIZE,
        "external-local",
    )
    assert p.max_per_organisation is None and p.shared_language is True
    assert RunParameters.from_json(p.to_json()) == p
    kept = RunParameters.from_json({"copied_from": 3, "capacity": "2", "time_limit": "0.5"})
    assert kept.to_json()["copied_from"] == 3 and (kept.capacity, kept.time_limit) == (2, 0.5)
    r = RunResult.from_json({"labels": ["G1"], "assignment": {"1": "G1"}, "future": [1]})
    assert RunResult.from_json(r.to_json()) == r
    assert r.to_json()["future"] == [1] and r.to_json()["problems"] == []


def test_no_module_reads_the_json_columns_by_hand() -> None:
    """Every read goes through RunResult / RunParameters (run.run_result, run.run_parameters)."""
    raw = re.compile(r"\.(result|parameters)(\.get\(|\[)")
    offenders = [
        f"{path.name}:{n}"
        for path in sorted(MATCHING.glob("*.py"))
        if path.name != "result.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if raw.search(line)
    ]
    assert offenders == []


def test_models_have_no_raw_sql() -> None:
    text = (MATCHING / "models.py").read_text(encoding="utf-8")
    assert "cursor" not in text and "connection.vendor" not in text and "execute(" not in text
