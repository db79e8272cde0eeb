"""The match / pair / topics command line, end to end on real files."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from peerlearn.engine.cli import main
from peerlearn.engine.constraints import Constraints, validate_groups
from peerlearn.engine.io import read_people
from peerlearn.engine.pairing import validate_pairs
from peerlearn.engine.synthetic import synthetic_people

HEADER = [
    "id",
    "organisation",
    "country",
    "role",
    "policy_area",
    "challenges",
    "languages",
    "seniority",
    "gender",
    "external",
    "alumni",
]


def roster_rows(n: int, seed: int = 0) -> list[list[str]]:
    people, _ = synthetic_people(n, seed=seed, languages=False)
    return [
        [
            p.id,
            p.organisation,
            p.country,
            p.role,
            p.policy_area,
            "|".join(p.challenges),
            "|".join(p.languages),
            p.seniority,
            p.gender,
            str(p.external).lower(),
            str(p.alumni).lower(),
        ]
        for p in people
    ]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_match_csv_with_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write_csv(tmp_path / "in.csv", roster_rows(55))
    out, rep = tmp_path / "groups.csv", tmp_path / "report.json"
    code = main(
        [
            "match",
            str(src),
            "--out",
            str(out),
            "--report",
            str(rep),
            "--seed",
            "3",
            "--time-limit",
            "1",
        ]
    )
    assert code == 0
    rows = read_rows(out)
    assert list(rows[0])[:2] == ["id", "group"]
    assert {"why", "group_themes", "group_excerpt", "fit"} <= set(rows[0])
    people = read_people(src)
    assignment = {r["id"]: r["group"] for r in rows}
    assert validate_groups(people, assignment, Constraints()) == []
    report = json.loads(rep.read_text(encoding="utf-8"))
    s = report["summary"]
    assert s["violations"] == [] and 0 < s["cohesion_ratio"] <= 1
    assert s["worst_group_affinity"] <= s["mean_group_affinity"]
    assert all(g["themes"] for g in report["groups"])
    assert "55 people in" in capsys.readouterr().out


def test_match_xlsx_with_weights_and_options(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADER)
    for row in roster_rows(40, seed=1):
        ws.append(row)
    wb.save(tmp_path / "in.xlsx")
    (tmp_path / "apart.csv").write_text("p00000,p00001\n", encoding="utf-8")
    out = tmp_path / "g.csv"
    code = main(
        [
            "match",
            str(tmp_path / "in.xlsx"),
            "--out",
            str(out),
            "--by",
            "problems=3,context=1",
            "--size",
            "4-5",
            "--max-per-country",
            "2",
            "--keep-apart",
            str(tmp_path / "apart.csv"),
            "--quiet",
            "--no-bound",
            "--time-limit",
            "0.5",
        ]
    )
    assert code == 0
    assignment = {r["id"]: r["group"] for r in read_rows(out)}
    c = Constraints(min_size=4, max_size=5, max_per_country=2, keep_apart=(("p00000", "p00001"),))
    assert validate_groups(read_people(tmp_path / "in.xlsx"), assignment, c) == []


def test_match_rounds_and_history(tmp_path: Path) -> None:
    src = write_csv(tmp_path / "in.csv", roster_rows(24, seed=2))
    first = tmp_path / "r1.csv"
    assert (
        main(
            [
                "match",
                str(src),
                "--out",
                str(first),
                "--quiet",
                "--time-limit",
                "0.3",
                "--max-per-organisation",
                "none",
                "--size",
                "3-4",
            ]
        )
        == 0
    )
    second = tmp_path / "r2.csv"
    assert (
        main(
            [
                "match",
                str(src),
                "--out",
                str(second),
                "--history",
                str(first),
                "--quiet",
                "--time-limit",
                "0.3",
                "--max-per-organisation",
                "none",
                "--size",
                "3-4",
            ]
        )
        == 0
    )
    a = {r["id"]: r["group"] for r in read_rows(first)}
    b = {r["id"]: r["group"] for r in read_rows(second)}
    assert not any(a[x] == a[y] and b[x] == b[y] for x in a for y in a if x < y)
    multi = tmp_path / "multi.csv"
    assert (
        main(
            [
                "match",
                str(src),
                "--out",
                str(multi),
                "--rounds",
                "2",
                "--quiet",
                "--time-limit",
                "0.3",
                "--max-per-organisation",
                "none",
                "--size",
                "3-4",
            ]
        )
        == 0
    )
    rows = read_rows(multi)
    assert list(rows[0])[:3] == ["id", "group", "round"] and len(rows) == 48


@pytest.mark.parametrize(
    ("text", "args", "needle", "code"),
    [
        ("name\nx\n", [], "no 'id' column", 2),
        ("id\na\na\n", [], "duplicate id 'a'", 2),
        ("", [], "empty", 2),
        (
            "id,organisation\n" + "".join(f"p{i},X\n" for i in range(12)),
            [],
            "max 1 per organisation is impossible",
            3,
        ),
        (
            "id\n" + "".join(f"p{i}\n" for i in range(12)),
            ["--by", "nonsense"],
            "unknown criterion",
            2,
        ),
        ("id\n" + "".join(f"p{i}\n" for i in range(3)), [], "3 people cannot be split", 3),
    ],
    ids=["no id", "duplicate", "empty", "organisation", "bad criterion", "too few"],
)
def test_match_bad_input_exits_with_message(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    args: list[str],
    needle: str,
    code: int,
) -> None:
    src = tmp_path / "in.csv"
    src.write_text(text, encoding="utf-8")
    assert main(["match", str(src), "--out", str(tmp_path / "g.csv"), *args]) == code
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


def test_pair_modes(tmp_path: Path) -> None:
    src = write_csv(tmp_path / "in.csv", roster_rows(50, seed=4))
    people = read_people(src)
    for mode in ("external-local", "mentor", "peer"):
        out = tmp_path / f"{mode}.csv"
        assert (
            main(
                [
                    "pair",
                    str(src),
                    "--out",
                    str(out),
                    "--mode",
                    mode,
                    "--quiet",
                    "--time-limit",
                    "0.3",
                ]
            )
            == 0
        )
        rows = read_rows(out)
        assert list(rows[0]) == ["pair", "id", "partner", "affinity", "why"]
        pairs = [(r["id"], r["partner"]) for r in rows]
        cap = None if mode == "peer" else max(sum(1 for a, _ in pairs if a == x) for x, _ in pairs)
        c = Constraints(max_size=3) if mode == "peer" else Constraints()
        assert validate_pairs(people, pairs, mode, c, cap) == []


def test_pair_capacity_too_low(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write_csv(tmp_path / "in.csv", roster_rows(50, seed=4))
    assert main(["pair", str(src), "--out", str(tmp_path / "p.csv"), "--capacity", "1"]) == 3
    assert "raise --capacity to" in capsys.readouterr().err


def test_topics_subcommand_is_registered(tmp_path: Path) -> None:
    src = write_csv(tmp_path / "in.csv", roster_rows(30, seed=5))
    assert main(["topics", str(src), "--out", str(tmp_path / "t.csv")]) == 0
    assert (tmp_path / "t.csv").exists()


def test_module_entry_point(tmp_path: Path) -> None:
    src = write_csv(tmp_path / "in.csv", roster_rows(12, seed=6))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "peerlearn.engine.cli",
            "match",
            str(src),
            "--out",
            str(tmp_path / "g.csv"),
            "--size",
            "3-4",
            "--time-limit",
            "0.2",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "12 people in" in proc.stdout
