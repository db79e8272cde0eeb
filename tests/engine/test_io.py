"""Reading rosters (CSV, XLSX) and lists; bad input named precisely."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import Workbook

from peerlearn.engine.io import (
    InputError,
    read_assignment,
    read_history,
    read_id_sets,
    read_people,
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_full_roster_csv(tmp_path: Path) -> None:
    f = write(
        tmp_path / "r.csv",
        "ID,Organization,country,role,Policy Area,challenges,languages,seniority,gender,"
        "external,alumni,extra\n"
        "a,MoF,KE,director,tax,one|two | three,en|sw,senior,f,yes,false,ignored\n",
    )
    (p,) = read_people(f)
    assert p.id == "a" and p.organisation == "MoF" and p.policy_area == "tax"
    assert p.challenges == ("one", "two", "three")
    assert p.languages == ("en", "sw")
    assert p.external is True and p.alumni is False


def test_semicolon_and_bom(tmp_path: Path) -> None:
    f = tmp_path / "r.csv"
    f.write_bytes("\ufeffid;country\nx;FR\n".encode())
    assert read_people(f)[0].country == "FR"


def test_xlsx(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["id", "organisation", "challenges", "external"])
    ws.append([1, "MoF", "land|tax", True])
    ws.append([2, "MoH", "health", None])
    wb.save(tmp_path / "r.xlsx")
    people = read_people(tmp_path / "r.xlsx")
    assert [p.id for p in people] == ["1", "2"]
    assert people[0].external and not people[1].external


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("name,country\nx,FR\n", "no 'id' column"),
        ("id,country\n", "no participants"),
        ("id,country\na,FR\n,KE\n", "row 3: empty id"),
        ("id\na\nb\na\n", "row 4: duplicate id 'a' (first seen in row 2)"),
        ("id,external\na,perhaps\n", "row 2: column 'external' must be true or false"),
    ],
    ids=["empty", "no id column", "header only", "empty id", "duplicate", "bad flag"],
)
def test_bad_input_names_the_row(tmp_path: Path, text: str, message: str) -> None:
    f = write(tmp_path / "bad.csv", text)
    with pytest.raises(InputError, match=re.escape(message)):
        read_people(f)


def test_not_utf8(tmp_path: Path) -> None:
    f = tmp_path / "latin.csv"
    f.write_bytes("id,country\nj\xe9r\xf4me,FR\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_people(f)


def test_lists_and_history(tmp_path: Path) -> None:
    assert read_id_sets(write(tmp_path / "k.csv", "ids\na,b\nc;d;e\nsolo\n")) == (
        ("a", "b"),
        ("c", "d", "e"),
    )
    groups = write(tmp_path / "g.csv", "id,group,why\na,G1,x\nb,G1,y\nc,G2,z\n")
    assert read_history(groups) == (("a", "b"),)
    assert read_assignment(groups) == {"a": "G1", "b": "G1", "c": "G2"}
    pairs = write(tmp_path / "p.csv", "pair,id,partner\nP1,a,c\n")
    assert read_history(pairs) == (("a", "c"),)
    locked = write(tmp_path / "l.csv", "id,group,locked\na,G1,yes\nb,G2,no\n")
    assert read_assignment(locked) == {"a": "G1"}


def test_the_web_apps_roster_export_is_valid_input(tmp_path):
    from peerlearn.engine.io import read_people

    path = tmp_path / "export.csv"
    path.write_text(
        "email,name,role_title,organisation_kind,challenge_1,challenge_1_tags,challenge_2\n"
        "a@x.example,Ana,Director,ministry,Building a team,teams,Budget cuts\n"
        "b@x.example,Bo,Adviser,agency,Land records,,\n",
        encoding="utf-8",
    )
    people = read_people(path)
    assert [p.id for p in people] == ["a@x.example", "b@x.example"]
    assert people[0].challenges == ("Building a team", "Budget cuts")
    assert people[1].challenges == ("Land records",)
    assert people[0].role == "Director" and people[0].institution_kind == "ministry"
