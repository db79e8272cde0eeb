"""Writing rosters: exports, templates, formula injection, round trips."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from peerlearn.roster.columns import TEMPLATE_COLUMNS
from peerlearn.roster.reading import read_table
from peerlearn.roster.validation import ChallengeEntry, RosterRecord, validate_roster
from peerlearn.roster.writing import (
    columns_for_rows,
    roster_to_rows,
    template_csv,
    template_xlsx,
    write_roster_csv,
    write_roster_xlsx,
)

from .rosters import KNOWN_COHORTS, KNOWN_ORGANISATIONS, csv_bytes, people_rows, save

LIMIT = 10 * 1024 * 1024
WRITERS = {"csv": write_roster_csv, "xlsx": write_roster_xlsx}
NAMES = ["Ngozi Okonjo-Iweala", "Zoë Müller", "Олена Коваленко", "محمد الأمين", "王芳"]


def read_back(tmp_path, data: bytes, fmt: str):
    path = save(tmp_path, f"export.{fmt}", data)
    return read_table(path.read_bytes(), path.name, max_bytes=LIMIT)


def validate(table, known_organisations=KNOWN_ORGANISATIONS):
    return validate_roster(
        table,
        known_organisations=known_organisations,
        known_cohorts=KNOWN_COHORTS,
        existing_emails=[],
    )


def sheet_cells(data: bytes, sheet: int = 0):
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return workbook, list(workbook.worksheets[sheet].iter_rows())


# ----------------------------------------------------------- formula injection

DANGEROUS = {
    "name": "=1+1",
    "role_title": "+SUM(A1)",
    "gender": "-2",
    "organisation": "@cmd",
    "challenge_1": '=HYPERLINK("http://evil.example","click")',
    "challenge_2": "'=already quoted",
    "expectation_1": "\tTabbed",
}


def dangerous_row() -> dict[str, str]:
    return {"email": "eve@example.org", **DANGEROUS}


def test_csv_export_neutralises_formulas(tmp_path):
    data = write_roster_csv([dangerous_row()])
    text = data.decode("utf-8-sig")
    cells = dict(zip(*csv.reader(io.StringIO(text)), strict=True))
    assert cells["name"] == "'=1+1"
    assert cells["role_title"] == "'+SUM(A1)"
    assert cells["gender"] == "'-2"
    assert cells["organisation"] == "'@cmd"
    assert cells["challenge_1"].startswith("'=HYPERLINK")
    assert cells["challenge_2"] == "''=already quoted"
    assert cells["expectation_1"] == "'\tTabbed"
    assert cells["email"] == "eve@example.org"
    assert not any(value.startswith(("=", "+", "-", "@", "\t")) for value in cells.values())


def test_xlsx_export_neutralises_formulas_and_writes_text_cells(tmp_path):
    data = write_roster_xlsx([dangerous_row()])
    _workbook, rows = sheet_cells(data)
    header = [cell.value for cell in rows[0]]
    cells = dict(zip(header, rows[1], strict=True))
    assert cells["name"].value == "'=1+1"
    assert cells["role_title"].value == "'+SUM(A1)"
    assert cells["gender"].value == "'-2"
    assert cells["organisation"].value == "'@cmd"
    assert cells["challenge_2"].value == "''=already quoted"
    filled = [cell for row in rows for cell in row if cell.value is not None]
    assert len(filled) == len(TEMPLATE_COLUMNS) + 1 + len(DANGEROUS)
    assert {cell.data_type for cell in filled} == {"s"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_neutralised_cells_read_back_as_the_original_text(tmp_path, fmt):
    table = read_back(tmp_path, WRITERS[fmt]([dangerous_row()]), fmt)
    cells = dict(zip(table.columns, table.rows[0], strict=False))
    for column, text in DANGEROUS.items():
        assert cells[column] == text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_neutralised_records_round_trip(tmp_path, fmt):
    record = RosterRecord(
        row=2,
        email="eve@example.org",
        name="=1+1",
        organisation="@cmd",
        role_title="+SUM(A1)",
        gender="-2",
        challenges=(ChallengeEntry("-minus first", ("=tag", "@tag")),),
        expectations=("'=quoted",),
    )
    preview = validate(read_back(tmp_path, WRITERS[fmt](roster_to_rows([record])), fmt))
    assert preview.is_valid, preview.problems
    assert preview.records == [record]


# ------------------------------------------------------------- scripts, round trip


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_names_in_any_script_survive_write_and_read(tmp_path, fmt):
    rows = [
        {"email": f"p{i}@example.org", "name": name, "organisation": f"Организация {name}"}
        for i, name in enumerate(NAMES)
    ]
    data = WRITERS[fmt](rows)
    if fmt == "csv":
        assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    preview = validate(read_back(tmp_path, data, fmt))
    assert preview.is_valid, preview.problems
    assert [r.name for r in preview.records] == NAMES
    assert [r.organisation for r in preview.records] == [f"Организация {n}" for n in NAMES]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_import_round_trip_gives_the_same_records(tmp_path, fmt):
    original = validate(read_back(tmp_path, csv_bytes(people_rows(300)), "csv"))
    assert original.is_valid, original.problems[:3]

    exported = WRITERS[fmt](roster_to_rows(original.records))
    again = validate(read_back(tmp_path, exported, fmt))

    assert again.is_valid, again.problems[:3]
    assert again.records == original.records
    assert again.organisations_to_create == original.organisations_to_create


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_more_challenges_than_the_template_get_extra_columns(tmp_path, fmt):
    record = RosterRecord(
        row=2,
        email="many@example.org",
        name="Many Challenges",
        languages=("en", "fr"),
        external=True,
        challenges=tuple(ChallengeEntry(f"Challenge {n}", (f"t{n}",)) for n in range(1, 6))
        + (ChallengeEntry(""), ChallengeEntry("Seventh")),
        expectations=("One", "Two", "Three"),
    )
    rows = roster_to_rows([record])
    columns = columns_for_rows(rows)
    assert columns[:14] == list(TEMPLATE_COLUMNS[:14])
    assert "challenge_7" in columns and "challenge_7_tags" in columns
    assert columns[-3:] == ["expectation_1", "expectation_2", "expectation_3"]
    preview = validate(read_back(tmp_path, WRITERS[fmt](rows), fmt))
    assert preview.records == [record]


def test_explicit_columns_and_missing_values():
    data = write_roster_csv([{"email": "a@example.org", "name": None}], ["email", "name", "x"])
    assert data.decode("utf-8-sig") == "email,name,x\r\na@example.org,,\r\n"


def test_xlsx_drops_characters_xml_cannot_hold():
    data = write_roster_xlsx([{"email": "a@example.org", "name": "Bad\x00\x07Name\nok"}])
    _workbook, rows = sheet_cells(data)
    assert rows[1][1].value == "BadName\nok"


# --------------------------------------------------------------------- templates


@pytest.mark.parametrize(("fmt", "make"), [("csv", template_csv), ("xlsx", template_xlsx)])
def test_templates_read_back_without_problems(tmp_path, fmt, make):
    table = read_back(tmp_path, make(), fmt)
    assert table.columns == list(TEMPLATE_COLUMNS)
    preview = validate_roster(table, known_organisations=[], known_cohorts=[], existing_emails=[])
    assert preview.is_valid, preview.problems
    assert len(preview.records) == 1
    record = preview.records[0]
    assert record.email == "amina.diallo@example.org"
    assert len(record.challenges) == 3
    assert all(entry.text and entry.tags for entry in record.challenges)


def test_xlsx_template_has_an_instructions_sheet_for_every_column():
    workbook, rows = sheet_cells(template_xlsx(), sheet=1)
    assert workbook.sheetnames == ["Roster", "Instructions"]
    assert workbook["Roster"].freeze_panes == "A2"
    explained = " ".join(str(cell.value) for row in rows for cell in row[:1] if cell.value)
    for column in TEMPLATE_COLUMNS:
        assert column.replace("_2", "_1").replace("_3", "_1") in explained
    text = " ".join(str(cell.value) for row in rows for cell in row if cell.value)
    for allowed in ("think_tank", "civil_society", "political", "technical", "evaluator"):
        assert allowed in text
