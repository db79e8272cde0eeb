"""Bad XLSForms (issue 10): each refused with sheet, row and column, nothing stored."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from peerlearn.surveys.library import import_xlsform
from peerlearn.surveys.models import Instrument
from peerlearn.surveys.xlsform import XLSFormInvalid, read_xlsform
from tests.surveys import Rows, simple_survey, write_form


def problems_of(data: Path | bytes) -> list[str]:
    with pytest.raises(XLSFormInvalid) as raised:
        read_xlsform(data)
    return [str(p) for p in raised.value.problems]


def test_sheet_xml_damaged_inside_a_good_zip(tmp_path: Path) -> None:
    good = write_form(tmp_path / "f.xlsx", simple_survey(["text", "a", "A"])).read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]  # cut in the middle of a tag
            dst.writestr(item, data)
    [problem] = problems_of(out.getvalue())
    assert problem.startswith("file: the .xlsx file cannot be read")


def test_truncated_workbook(tmp_path: Path) -> None:
    good = write_form(tmp_path / "f.xlsx", simple_survey(["text", "a", "A"])).read_bytes()
    assert problems_of(good[: len(good) // 3]) == [
        "file: the .xlsx file is damaged (not a readable zip)"
    ]


def test_invalid_choice_filter_is_located(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "choice_filter"],
        ["select_one c", "a", "A", None],
        ["select_one c", "b", "B", "region = ${a} and ("],
    ]
    choices = [["list_name", "name", "label", "region"], ["c", "x", "X", "n"]]
    assert problems_of(write_form(tmp_path / "f.xlsx", survey, choices)) == [
        "survey, row 3, column D: the expression ends too early (at character 20)"
    ]


def test_choice_filter_on_a_column_that_does_not_exist(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "choice_filter"],
        ["select_one c", "a", "A", "county = 'x'"],
    ]
    choices = [["list_name", "name", "label", "region"], ["c", "x", "X", "n"]]
    assert problems_of(write_form(tmp_path / "f.xlsx", survey, choices)) == [
        "survey, row 2, column D: 'county' is not a column of the choices sheet "
        "(columns: label, name, region)"
    ]


def test_cyclic_calculations_are_refused_and_nothing_is_stored(world, tmp_path: Path) -> None:
    survey: Rows = [
        ["type", "name", "label", "calculation"],
        ["calculate", "a", None, "${c} + 1"],
        ["calculate", "b", None, "${a} * 2"],
        ["calculate", "c", None, "${b} - 1"],
        ["integer", "q", "Q", None],
    ]
    path = write_form(tmp_path / "f.xlsx", survey)
    with pytest.raises(XLSFormInvalid) as raised:
        import_xlsform(world.programme, path.read_bytes())
    assert [str(p) for p in raised.value.problems] == [
        "survey, row 2, column D: the calculation depends on itself (${a} -> ${c} -> ${b} -> ${a})"
    ]
    assert not Instrument.objects.exists()


def test_calculation_referring_to_itself(tmp_path: Path) -> None:
    survey = [["type", "name", "label", "calculation"], ["calculate", "a", None, "${a} + 1"]]
    assert problems_of(write_form(tmp_path / "f.xlsx", survey)) == [
        "survey, row 2, column D: the calculation depends on itself (${a} -> ${a})"
    ]


def test_invalid_calculation_is_located(tmp_path: Path) -> None:
    survey = [["type", "name", "label", "calculation"], ["calculate", "a", None, "1 +* 2"]]
    [problem] = problems_of(write_form(tmp_path / "f.xlsx", survey))
    assert problem.startswith("survey, row 2, column D: unexpected '*'")


def nested(depth: int) -> Rows:
    rows: list[list[object]] = [["begin group", f"g{i}", f"G{i}"] for i in range(depth)]
    rows.append(["text", "deep", "Deep down"])
    rows += [["end group", None, None] for _ in range(depth)]
    return simple_survey(*rows)


def test_groups_nested_five_deep_are_read(tmp_path: Path) -> None:
    form = read_xlsform(write_form(tmp_path / "f.xlsx", nested(5)))
    assert [q.name for q in form.questions()] == ["deep"]
    assert form.summary()["groups"] == 5


def test_groups_nested_too_deep_are_refused_at_their_row(tmp_path: Path) -> None:
    problems = problems_of(write_form(tmp_path / "f.xlsx", nested(11)))
    assert problems == [
        "survey, row 12, column A: groups are nested more than 10 deep: flatten some of them"
    ]


def test_five_thousand_choices_are_read_quickly(tmp_path: Path) -> None:
    choices = [["list_name", "name", "label"]] + [
        ["big", f"c{i}", f"Choice {i}"] for i in range(5000)
    ]
    path = write_form(tmp_path / "f.xlsx", simple_survey(["select_one big", "a", "A"]), choices)
    started = time.monotonic()
    form = read_xlsform(path)
    assert len(form.choice_lists["big"].choices) == 5000
    assert time.monotonic() - started < 30


def test_more_than_five_thousand_choices_are_refused_at_the_row(tmp_path: Path) -> None:
    choices = [["list_name", "name", "label"]] + [
        ["big", f"c{i}", f"Choice {i}"] for i in range(5001)
    ]
    path = write_form(tmp_path / "f.xlsx", simple_survey(["select_one big", "a", "A"]), choices)
    assert problems_of(path) == ["choices, row 5002: the sheet has more than 5000 rows"]


def test_sixty_empty_rows_end_the_sheet_as_in_pyxform(tmp_path: Path) -> None:
    rows: list[list[object]] = (
        [["text", "a", "A"]] + [[None, None, None]] * 61 + [["txt", "b", "B"]]
    )
    form = read_xlsform(write_form(tmp_path / "f.xlsx", simple_survey(*rows)))
    assert [q.name for q in form.questions()] == ["a"]
