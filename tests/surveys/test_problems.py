"""Malformed and unsupported XLSForms: every problem with sheet, row and column."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from peerlearn.surveys.xlsform import FormProblem, XLSFormInvalid, read_xlsform
from peerlearn.surveys.xlsform.pyxform_check import locate
from tests.surveys import EN, FR, Rows, full_form, simple_survey, write_form

YN = [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]]
EXPR: list[list[object]] = [
    ["type", "name", "label", "relevant", "constraint"],
    ["integer", "age", "Age", None, None],
]


def problems_of(path: Path | bytes) -> list[FormProblem]:
    with pytest.raises(XLSFormInvalid) as info:
        read_xlsform(path)
    assert info.value.problems, "XLSFormInvalid must list problems"
    return info.value.problems


def expr_form(relevant: str | None = None, constraint: str | None = None) -> list[list[object]]:
    return [*EXPR, ["text", "q", "Q", relevant, constraint]]


# (id, survey, choices, settings, expected (sheet, row, column), text in message)
CASES = [
    ("no survey sheet", None, YN, None, ("survey", None, None), "no 'survey' sheet"),
    (
        "select without choices sheet",
        simple_survey(["text", "a", "A"], ["select_one yn", "b", "B"]),
        None,
        None,
        ("survey", 3, "A"),
        "no 'choices' sheet",
    ),
    (
        "select with missing list",
        simple_survey(["select_multiple colours", "b", "B"]),
        YN,
        None,
        ("survey", 2, "A"),
        "choice list 'colours' is not on the 'choices' sheet",
    ),
    (
        "duplicate names",
        simple_survey(["text", "a", "A"], ["note", "n", "N"], ["integer", "a", "Again"]),
        None,
        None,
        ("survey", 4, "B"),
        "name 'a' is already used on row 2",
    ),
    (
        "unknown type",
        simple_survey(["txt", "a", "A"]),
        None,
        None,
        ("survey", 2, "A"),
        "unknown type 'txt'",
    ),
    (
        "calculate without calculation",
        simple_survey(["calculate", "c", "C"]),
        None,
        None,
        ("survey", 2, "A"),
        "calculate 'c' has no calculation",
    ),
    (
        "geopoint",
        simple_survey(["geopoint", "g", "G"]),
        None,
        None,
        ("survey", 2, "A"),
        "'geopoint' is not supported",
    ),
    (
        "image",
        simple_survey(["image", "i", "I"]),
        None,
        None,
        ("survey", 2, "A"),
        "'image' is not supported",
    ),
    (
        "time",
        simple_survey(["time", "t", "T"]),
        None,
        None,
        ("survey", 2, "A"),
        "type 'time' is not supported by peerlearn: ask for the time as text",
    ),
    (
        "nested repeat",
        simple_survey(
            ["begin_repeat", "r", "R"],
            ["begin_repeat", "s", "S"],
            ["text", "a", "A"],
            ["end_repeat", None, None],
            ["end_repeat", None, None],
        ),
        None,
        None,
        ("survey", 3, "A"),
        "repeats inside repeats are not supported",
    ),
    (
        "or_other clash",
        simple_survey(["select_one yn or_other", "a", "A"], ["text", "a_other", "B"]),
        YN,
        None,
        ("survey", 3, "B"),
        "'a_other' is already used",
    ),
    (
        "select from file",
        simple_survey(["select_one_from_file x.csv", "a", "A"]),
        None,
        None,
        ("survey", 2, "A"),
        "not supported",
    ),
    (
        "select without list",
        simple_survey(["select_one", "a", "A"]),
        YN,
        None,
        ("survey", 2, "A"),
        "needs the name of a choice list",
    ),
    (
        "group never closed",
        simple_survey(["text", "a", "A"], ["begin_group", "g", "G"], ["text", "b", "B"]),
        None,
        None,
        ("survey", 3, "A"),
        "never closed",
    ),
    (
        "end group without begin",
        simple_survey(["text", "a", "A"], ["end_group", None, None]),
        None,
        None,
        ("survey", 3, "A"),
        "without a matching begin",
    ),
    (
        "empty name",
        simple_survey(["text", None, "A"]),
        None,
        None,
        ("survey", 2, "B"),
        "name is empty",
    ),
    (
        "invalid name",
        simple_survey(["text", "my question", "A"]),
        None,
        None,
        ("survey", 2, "B"),
        "is not valid",
    ),
    (
        "no label",
        simple_survey(["text", "a", None]),
        None,
        None,
        ("survey", 2, "C"),
        "has no label",
    ),
    (
        "row without type",
        simple_survey(["text", "a", "A"], [None, "b", "B"]),
        None,
        None,
        ("survey", 3, "A"),
        "no type",
    ),
    (
        "unbalanced parentheses",
        expr_form("(${age} > 3"),
        None,
        None,
        ("survey", 3, "D"),
        "unbalanced parentheses",
    ),
    (
        "extra parenthesis",
        expr_form(None, ". != '')"),
        None,
        None,
        ("survey", 3, "E"),
        "unbalanced parentheses",
    ),
    (
        "unknown reference",
        expr_form("${agee} > 3"),
        None,
        None,
        ("survey", 3, "D"),
        "${agee} does not refer",
    ),
    (
        "unsupported function",
        expr_form(None, "now() > 3"),
        None,
        None,
        ("survey", 3, "E"),
        "now() is not supported",
    ),
    (
        "pulldata",
        expr_form("pulldata('a', 'b', 'c', 'd') > 3"),
        None,
        None,
        ("survey", 3, "D"),
        "pulldata() reads external CSV files",
    ),
    (
        "bare word",
        expr_form("${age} = yes"),
        None,
        None,
        ("survey", 3, "D"),
        "unexpected word 'yes'",
    ),
    (
        "empty reference",
        expr_form("${} = 1"),
        None,
        None,
        ("survey", 3, "D"),
        "not a valid field reference",
    ),
    (
        "conditional required",
        [["type", "name", "label", "required"], ["text", "a", "A", "${b} = 1"]],
        None,
        None,
        ("survey", 2, "D"),
        "required must be yes or no",
    ),
    (
        "required on a note",
        [["type", "name", "label", "required"], ["note", "a", "A", "yes"]],
        None,
        None,
        ("survey", 2, "D"),
        "'required' cannot be used on a note",
    ),
    (
        "calculation with unknown field",
        [["type", "name", "label", "calculation"], ["calculate", "a", None, "${b} + 1"]],
        None,
        None,
        ("survey", 2, "D"),
        "${b} does not refer to any field",
    ),
    (
        "choice filter on an unknown column",
        [["type", "name", "label", "choice_filter"], ["select_one yn", "a", "A", "x = 1"]],
        YN,
        None,
        ("survey", 2, "D"),
        "'x' is not a column of the choices sheet",
    ),
    (
        "media column",
        [["type", "name", "label", "media::image"], ["note", "a", "A", "pic.png"]],
        None,
        None,
        ("survey", 2, "D"),
        "images, audio and video are not supported",
    ),
    (
        "repeated header",
        [["type", "name", "label", "label"], ["text", "a", "A", "B"]],
        None,
        None,
        ("survey", 1, "D"),
        "is repeated",
    ),
    (
        "no type column",
        [["name", "label"], ["a", "A"]],
        None,
        None,
        ("survey", 1, None),
        "no 'type' column",
    ),
    (
        "duplicate choice",
        simple_survey(["select_one yn", "a", "A"]),
        [*YN, ["yn", "yes", "Yes again"]],
        None,
        ("choices", 4, "B"),
        "appears twice",
    ),
    (
        "choice without name",
        simple_survey(["select_one yn", "a", "A"]),
        [*YN, ["yn", None, "Maybe"]],
        None,
        ("choices", 4, "B"),
        "no name",
    ),
    (
        "choice without list name",
        simple_survey(["select_one yn", "a", "A"]),
        [*YN, [None, "maybe", "Maybe"]],
        None,
        ("choices", 4, "A"),
        "list_name is empty",
    ),
    (
        "choices sheet without name column",
        simple_survey(["select_one yn", "a", "A"]),
        [["list_name", "label"], ["yn", "Yes"]],
        None,
        ("choices", 1, None),
        "no 'name' column",
    ),
    (
        "translated setting",
        simple_survey(["text", "a", "A"]),
        None,
        [["form_title::English"], ["T"]],
        ("settings", 2, "A"),
        "cannot be translated",
    ),
    (
        "unknown default language",
        [["type", "name", f"label::{EN}"], ["text", "a", "A"]],
        None,
        [["form_title", "default_language"], ["T", FR]],
        ("settings", 2, "B"),
        "not one of the form's languages",
    ),
    (
        "piped reference to unknown field",
        simple_survey(["text", "a", "A"], ["note", "n", "You said ${b}"]),
        None,
        None,
        ("survey", 3, "C"),
        "${b} in the text",
    ),
    (
        "choice name with spaces",
        simple_survey(["select_multiple yn", "a", "A"]),
        [*YN, ["yn", "not sure", "Not sure"]],
        None,
        ("choices", 4, "B"),
        "contains spaces",
    ),
    (
        "translated name column",
        [["type", "name", "name::English (en)", "label"], ["text", "a", "x", "A"]],
        None,
        None,
        ("survey", 2, "C"),
        "cannot be translated",
    ),
]


@pytest.mark.parametrize(
    ("survey", "choices", "settings", "where", "text"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_problem_is_located(
    tmp_path: Path,
    survey: Rows | None,
    choices: Rows | None,
    settings: Rows | None,
    where: tuple[str | None, int | None, str | None],
    text: str,
) -> None:
    extra: dict[str, Rows] | None = {"notes": [["anything"]]} if survey is None else None
    path = write_form(tmp_path / "form.xlsx", survey, choices, settings, extra)
    problems = problems_of(path)
    located = [p for p in problems if (p.sheet, p.row, p.column) == where]
    assert located, f"no problem at {where}: {[str(p) for p in problems]}"
    assert any(text in p.message for p in located), [str(p) for p in problems]


def test_every_problem_is_listed_not_just_the_first(tmp_path: Path) -> None:
    survey: Rows = [
        ["type", "name", "label", "relevant"],
        ["txt", "a", "A", None],
        ["text", "b", "B", "${nowhere} = 1"],
        ["select_one missing", "c", "C", None],
        ["text", "b", "Again", None],
        ["calculate", "d", "D", None],  # no calculation
    ]
    problems = problems_of(write_form(tmp_path / "bad.xlsx", survey, YN))
    assert [(p.row, p.column) for p in problems] == [
        (2, "A"),
        (3, "D"),
        (4, "A"),
        (5, "B"),
        (6, "A"),
    ]


def test_nothing_is_partially_imported(tmp_path: Path) -> None:
    """One unsupported row rejects the whole form."""
    survey = simple_survey(*[["text", f"q{i}", f"Q{i}"] for i in range(20)], ["geopoint", "g", "G"])
    problems = problems_of(write_form(tmp_path / "bad.xlsx", survey))
    assert len(problems) == 1 and problems[0].row == 22


def test_problems_are_printed_with_sheet_row_column(tmp_path: Path) -> None:
    problems = problems_of(write_form(tmp_path / "bad.xlsx", simple_survey(["txt", "a", "A"])))
    assert str(problems[0]) == "survey, row 2, column A: unknown type 'txt'"


def xlsx_bytes(tmp_path: Path) -> bytes:
    return full_form(tmp_path / "ok.xlsx").read_bytes()


def zip_without_workbook() -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


def damaged_sheet(tmp_path: Path) -> bytes:
    import io

    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(tmp_path)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet1"):
                data = data[: len(data) // 2]
            archive.writestr(item, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "text"),
    [
        pytest.param(lambda tmp: b"", "empty", id="empty"),
        pytest.param(lambda tmp: bytes(range(256)) * 40, "not an .xlsx", id="random bytes"),
        pytest.param(lambda tmp: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF", id="pdf"),
        pytest.param(
            lambda tmp: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".xls", id="xls"
        ),
        pytest.param(lambda tmp: zip_without_workbook(), "zip file but not", id="zip"),
        pytest.param(lambda tmp: xlsx_bytes(tmp)[:1500], "damaged", id="truncated"),
        pytest.param(damaged_sheet, "cannot be read", id="damaged sheet xml"),
        pytest.param(lambda tmp: b"type,name,label\ntext,a,A\n", "not an .xlsx", id="csv"),
    ],
)
def test_garbage_gives_a_file_problem(tmp_path: Path, make: object, text: str) -> None:
    data = make(tmp_path)  # type: ignore[operator]
    problems = problems_of(data)
    assert problems[0].sheet is None and text in problems[0].message, problems


def test_paths_that_are_not_files(tmp_path: Path) -> None:
    assert "does not exist" in problems_of(tmp_path / "missing.xlsx")[0].message
    assert "directory" in problems_of(tmp_path)[0].message


def test_pyxform_messages_are_located(tmp_path: Path) -> None:
    from peerlearn.surveys.xlsform.sheets import load_sheets

    sheets, _ = load_sheets(xlsx_bytes(tmp_path))
    problem = locate(
        "[row : 4] On the 'survey' sheet, the 'relevant' column has an invalid value.", sheets
    )
    assert (problem.sheet, problem.row, problem.column) == ("survey", 4, "I")
    assert problem.message.startswith("pyxform: On the 'survey' sheet")
    assert locate("Something odd happened", sheets).sheet is None


def test_pyxform_check_locates_its_own_error(tmp_path: Path) -> None:
    """pyxform is run on the same cells; its complaint keeps its sheet, row and column."""
    from peerlearn.surveys.xlsform.pyxform_check import pyxform_problems
    from peerlearn.surveys.xlsform.sheets import load_sheets

    survey = simple_survey(["text", "a", "A"], ["text", "b", "Hello ${nobody}"])
    sheets, _ = load_sheets(write_form(tmp_path / "p.xlsx", survey).read_bytes())
    [problem] = pyxform_problems(sheets)
    assert (problem.sheet, problem.row, problem.column) == ("survey", 3, "C")
    assert "nobody" in problem.message


def test_pyxform_accepts_what_the_reader_accepts(tmp_path: Path) -> None:
    from peerlearn.surveys.xlsform.pyxform_check import pyxform_problems
    from peerlearn.surveys.xlsform.sheets import load_sheets

    sheets, _ = load_sheets(xlsx_bytes(tmp_path))
    assert pyxform_problems(sheets) == []


def test_mutated_workbooks_never_raise_anything_else(tmp_path: Path) -> None:
    """Seeded byte-flipping of a valid workbook: always an Instrument or XLSFormInvalid."""
    import random

    good = xlsx_bytes(tmp_path)
    rng = random.Random(5)
    outcomes = set()
    for _ in range(250):
        data = bytearray(good)
        for _ in range(rng.randint(1, 12)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            read_xlsform(bytes(data))
            outcomes.add("read")
        except XLSFormInvalid as err:
            assert err.problems
            outcomes.add("invalid")
    assert "invalid" in outcomes


def test_names_the_answer_page_posts_are_reserved(tmp_path):
    from peerlearn.surveys.xlsform import XLSFormInvalid, read_xlsform
    from tests.surveys import simple_survey, write_form

    path = write_form(tmp_path / "f.xlsx", simple_survey(["text", "action", "What next?"]))
    try:
        read_xlsform(path)
    except XLSFormInvalid as err:
        assert [(p.sheet, p.row, p.column) for p in err.problems] == [("survey", 2, "B")]
        assert "reserved" in err.problems[0].message
    else:
        raise AssertionError("a question named 'action' was accepted")
