"""Writing instruments as XLSForm and reading them back."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from peerlearn.surveys.instruments import BUILT_IN, path
from peerlearn.surveys.xlsform import (
    NO_LANGUAGE,
    Choice,
    ChoiceList,
    Group,
    Instrument,
    Question,
    read_xlsform,
    write_xlsform,
)
from tests.surveys import full_form, simple_survey, write_form


def sheet_rows(data: bytes, name: str) -> list[tuple[object, ...]]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    rows = [tuple(r) for r in book[name].iter_rows(values_only=True)]
    book.close()
    return rows


def test_round_trip_of_form_with_every_feature(tmp_path: Path) -> None:
    first = read_xlsform(full_form(tmp_path / "full.xlsx"))
    data = write_xlsform(first)
    second = read_xlsform(data)
    assert second == first
    assert read_xlsform(write_xlsform(second)) == first


@pytest.mark.parametrize("name", list(BUILT_IN))
def test_round_trip_of_built_in_instruments(name: str) -> None:
    first = read_xlsform(path(name))
    assert read_xlsform(write_xlsform(first)) == first


def test_round_trip_of_plain_single_language_form(tmp_path: Path) -> None:
    source = write_form(
        tmp_path / "plain.xlsx",
        [
            ["type", "name", "label", "hint", "required"],
            ["select_one yn", "ok", "OK?", "Say yes", "TRUE"],
        ],
        [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]],
    )
    first = read_xlsform(source)
    data = write_xlsform(first)
    assert sheet_rows(data, "survey")[0] == ("type", "name", "label", "hint", "required")
    assert read_xlsform(data) == first


def test_written_sheets_use_xlsform_columns(tmp_path: Path) -> None:
    data = write_xlsform(read_xlsform(full_form(tmp_path / "full.xlsx")))
    survey = sheet_rows(data, "survey")
    assert survey[0] == (
        "type",
        "name",
        "label::English (en)",
        "label::Español (es)",
        "label::Français (fr)",
        "hint::English (en)",
        "hint::Español (es)",
        "required",
        "relevant",
        "constraint",
        "constraint_message::English (en)",
        "appearance",
    )
    types = [r[0] for r in survey[1:]]
    assert types.count("begin_group") == types.count("end_group") == 2
    assert "select_one agree5" in types and "select_multiple topics" in types
    assert sheet_rows(data, "choices")[0] == (
        "list_name",
        "name",
        "label::English (en)",
        "label::Español (es)",
        "label::Français (fr)",
    )
    assert sheet_rows(data, "settings") == [
        ("form_title", "form_id", "version", "default_language"),
        ("Full form", "full_form", "2024061201", "English (en)"),
    ]


def test_pyxform_converts_what_we_write(tmp_path: Path) -> None:
    data = write_xlsform(read_xlsform(full_form(tmp_path / "full.xlsx")))
    result = convert(data, file_type=".xlsx")
    assert "<h:title>Full form</h:title>" in result.xform
    assert 'lang="Français (fr)"' in result.xform


def test_instrument_built_in_code_round_trips() -> None:
    inst = Instrument(
        title="Made in code",
        form_id="made",
        languages={NO_LANGUAGE: ""},
        items=[
            Group(
                "g",
                {NO_LANGUAGE: "Group"},
                children=[
                    Question("select_multiple", "m", {NO_LANGUAGE: "M"}, list_name="l"),
                    Question("decimal", "d", {NO_LANGUAGE: "D"}, required=True),
                ],
            )
        ],
        choice_lists={"l": ChoiceList("l", [Choice("a", {NO_LANGUAGE: "A"})])},
    )
    assert read_xlsform(write_xlsform(inst)) == inst


def test_empty_group_and_simple_form(tmp_path: Path) -> None:
    source = write_form(
        tmp_path / "g.xlsx",
        simple_survey(["begin_group", "g", "G"], ["end_group", None, None], ["date", "d", "D"]),
    )
    first = read_xlsform(source)
    assert read_xlsform(write_xlsform(first)) == first


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs Java")
def test_odk_validate_accepts_written_form(tmp_path: Path) -> None:
    """ODK Validate (JavaRosa, shipped with pyxform) loads what we write."""
    data = write_xlsform(read_xlsform(full_form(tmp_path / "full.xlsx")))
    out = tmp_path / "written.xlsx"
    out.write_bytes(data)
    result = convert(str(out), validate=True)
    assert result.xform
