"""XLSForm as people really write it (issue 10): spellings pyxform accepts.

Every test writes a real .xlsx with openpyxl and reads it with
:func:`read_xlsform`; where pyxform matters, the same file goes through pyxform.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyxform.xls2xform import convert

from peerlearn.surveys.cli import main
from peerlearn.surveys.xlsform import NO_LANGUAGE, XLSFormInvalid, read_xlsform
from tests.surveys import Rows, simple_survey, write_form

YN: Rows = [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]]


def problems_of(path: Path) -> list[str]:
    with pytest.raises(XLSFormInvalid) as raised:
        read_xlsform(path)
    return [str(p) for p in raised.value.problems]


# ------------------------------------------------------------------ languages


@pytest.mark.parametrize(
    ("header", "hint"),
    [
        ("label:English", "hint:English"),
        ("label:english", "hint"),
        ("label::English", "hint::English"),
    ],
)
def test_language_written_without_code_is_english(tmp_path: Path, header: str, hint: str) -> None:
    """As pyxform: a single colon splits only in a sheet with no ``::`` at all."""
    if hint == "hint":
        hint = "hint:english"
    survey = [["type", "name", header, hint], ["text", "a", "Your name", "Full name"]]
    form = read_xlsform(write_form(tmp_path / "f.xlsx", survey))
    question = form.questions()[0]
    assert question.label == {"en": "Your name"}
    assert question.hint == {"en": "Full name"}
    assert list(form.languages) == ["en"]


def test_spanish_and_french_names_map_to_their_codes(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label::English", "label::Español", "label::Français", "label::Kiswahili"],
        ["text", "a", "Name", "Nombre", "Nom", "Jina"],
    ]
    form = read_xlsform(write_form(tmp_path / "f.xlsx", survey))
    assert form.questions()[0].label == {
        "en": "Name",
        "es": "Nombre",
        "fr": "Nom",
        "Kiswahili": "Jina",
    }
    assert form.languages == {
        "en": "English",
        "es": "Español",
        "fr": "Français",
        "Kiswahili": "Kiswahili",
    }


def test_plain_label_mixed_with_a_coded_language(tmp_path: Path) -> None:
    survey = [["type", "name", "label", "label::English (en)"], ["text", "a", "Name", "Name (en)"]]
    form = read_xlsform(write_form(tmp_path / "f.xlsx", survey))
    assert form.questions()[0].label == {NO_LANGUAGE: "Name", "en": "Name (en)"}


def test_single_colon_bind_columns_are_the_columns_they_name(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "bind:relevant", "bind:jr:constraintMsg", "bind:constraint"],
        ["integer", "age", "Age", None, "Too old", ". < 120"],
        ["text", "why", "Why?", "${age} > 18", None, None],
    ]
    form = read_xlsform(write_form(tmp_path / "f.xlsx", survey))
    age, why = form.questions()
    assert (age.constraint, age.constraint_message) == (". < 120", {NO_LANGUAGE: "Too old"})
    assert why.relevant == "${age} > 18"


# ------------------------------------------------------------------ select spellings


@pytest.mark.parametrize(
    ("spelled", "kind"),
    [
        ("select one from yn", "select_one"),
        ("select all that apply from yn", "select_multiple"),
        ("select one yn", "select_one"),
        ("select all that apply yn", "select_multiple"),
    ],
)
def test_legacy_select_spellings(tmp_path: Path, spelled: str, kind: str) -> None:
    form = read_xlsform(write_form(tmp_path / "f.xlsx", simple_survey([spelled, "a", "A"]), YN))
    question = form.questions()[0]
    assert (question.type, question.list_name) == (kind, "yn")


@pytest.mark.parametrize(
    "spelled", ["select_one yn or_other", "select one from yn or specify other"]
)
def test_or_other_adds_an_other_choice_and_a_text_question(tmp_path: Path, spelled: str) -> None:
    path = write_form(tmp_path / "f.xlsx", simple_survey([spelled, "a", "A"]), YN)
    form = read_xlsform(path)
    select, other = form.questions()
    assert [c.name for c in form.choice_lists[select.list_name or ""].choices] == [
        "yes",
        "no",
        "other",
    ]
    assert (other.type, other.name, other.relevant) == (
        "text",
        "a_other",
        "selected(${a}, 'other')",
    )
    assert [c.name for c in form.choice_lists["yn"].choices] == ["yes", "no"]  # list untouched
    # as many answerable questions as pyxform's form has
    pyx = convert(xlsform=str(path), warnings=[])._pyxform or {}
    assert [c["name"] for c in pyx["children"] if c["type"] != "group"][:2] == ["a", "a_other"]


# ------------------------------------------------------------------ settings and ids


def test_settings_that_change_nothing_are_ignored_and_listed(tmp_path: Path) -> None:
    settings = [
        ["form_title", "form_id", "instance_name", "xml_root", "public_key", "submission_url"],
        ["T", "t", "concat(${a})", "data", "MIIBIjAN", "https://example.org/submission"],
    ]
    path = write_form(tmp_path / "f.xlsx", simple_survey(["text", "a", "A"]), None, settings)
    form = read_xlsform(path)
    assert form.form_id == "t"
    assert len(form.ignored) == 4
    assert "settings, column F: setting 'submission_url' changes nothing in peerlearn: ignored" in (
        form.ignored
    )


def test_comment_columns_on_the_survey_sheet_are_ignored_and_listed(tmp_path: Path) -> None:
    survey = [["type", "name", "label", "notes for translators"], ["text", "a", "A", "short"]]
    form = read_xlsform(write_form(tmp_path / "f.xlsx", survey))
    assert form.ignored == [
        "survey, column D: column 'notes for translators' changes nothing in peerlearn: ignored"
    ]


def test_metadata_rows_are_ignored_and_listed(tmp_path: Path) -> None:
    survey = simple_survey(["start", "start", None], ["text", "a", "A"], ["deviceid", "d", None])
    form = read_xlsform(write_form(tmp_path / "f.xlsx", survey))
    assert [q.name for q in form.questions()] == ["a"]
    assert len(form.ignored) == 2 and "metadata 'start' ignored" in form.ignored[0]


def test_no_settings_sheet_takes_the_id_from_the_file_name(tmp_path: Path) -> None:
    form = read_xlsform(
        write_form(tmp_path / "Baseline survey.xlsx", simple_survey(["text", "a", "A"]))
    )
    assert form.form_id == "Baseline_survey"
    bytes_form = read_xlsform((tmp_path / "Baseline survey.xlsx").read_bytes(), filename="x.xlsx")
    assert bytes_form.form_id == "x"


def test_check_and_import_give_one_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``survey check`` used to accept a form without form_id that import refused."""
    path = write_form(
        tmp_path / "no_id.xlsx", simple_survey(["text", "a", "A"]), None, [["form_title"], ["T"]]
    )
    assert main(["survey", "check", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["form_id"] == "no_id"


# ------------------------------------------------------------------ columns now accepted


def test_calculate_default_read_only_messages_and_appearance(tmp_path: Path) -> None:
    survey = [
        [
            "type",
            "name",
            "label",
            "calculation",
            "default",
            "read_only",
            "required",
            "required_message",
            "appearance",
            "trigger",
        ],
        ["integer", "a", "A", None, "3", None, "yes", "Give A", "minimal", None],
        ["integer", "b", "B", None, None, None, None, None, None, None],
        ["calculate", "total", None, "${a} + ${b}", None, None, None, None, None, "${a}"],
        ["text", "shown", "Total so far", "${total}", None, "yes", None, None, None, None],
        ["note", "n", "Your total is ${total}", None, None, None, None, None, None, None],
    ]
    form = read_xlsform(write_form(tmp_path / "f.xlsx", survey))
    a = form.find("a")
    assert a is not None and (a.default, a.required_message, a.appearance) == (
        "3",
        {NO_LANGUAGE: "Give A"},
        "minimal",
    )
    assert [q.name for q in form.questions()] == [
        "a",
        "b",
    ]  # calculate and read-only take no answer
    assert [q.name for q in form.calculation_order()] == ["total", "shown"]


def test_choice_filter_and_extra_choice_columns(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "choice_filter"],
        ["select_one country", "country", "Country", None],
        ["select_one ministry", "ministry", "Ministry", "country = ${country}"],
    ]
    choices = [
        ["list_name", "name", "label", "country"],
        ["country", "ke", "Kenya", None],
        ["country", "pe", "Peru", None],
        ["ministry", "health_ke", "Health", "ke"],
        ["ministry", "health_pe", "Salud", "pe"],
    ]
    form = read_xlsform(write_form(tmp_path / "f.xlsx", survey, choices))
    ministry = form.find("ministry")
    assert ministry is not None and ministry.choice_filter == "country = ${country}"
    assert form.choice_lists["ministry"].choices[0].extra == {"country": "ke"}


# ------------------------------------------------------------------ unsupported, one line each


@pytest.mark.parametrize(
    ("spelled", "expected"),
    [
        (
            "geopoint",
            "survey, row 3, column A: type 'geopoint' is not supported by peerlearn: "
            "ask for the place as text",
        ),
        (
            "image",
            "survey, row 3, column A: type 'image' is not supported by peerlearn: remove the row",
        ),
        (
            "audio",
            "survey, row 3, column A: type 'audio' is not supported by peerlearn: remove the row",
        ),
        (
            "barcode",
            "survey, row 3, column A: type 'barcode' is not supported by peerlearn: "
            "ask for the code as text",
        ),
        (
            "select_one_external yn",
            "survey, row 3, column A: type 'select_one_external yn': "
            "choices from a file or external choices",
        ),
        (
            "select_one_from_file places.csv",
            "survey, row 3, column A: type 'select_one_from_file places.csv': choices from a file",
        ),
        (
            "begin loop over yn",
            "survey, row 3, column A: type 'begin loop over yn': loops are not supported",
        ),
    ],
)
def test_unsupported_type_is_one_line_naming_type_row_and_remedy(
    tmp_path: Path, spelled: str, expected: str
) -> None:
    rows = [["text", "a", "A"], [spelled, "x", "X"], ["text", "b", "B"]]
    if spelled.startswith("begin loop"):
        rows.append(["end loop", None, None])
    problems = problems_of(write_form(tmp_path / "f.xlsx", simple_survey(*rows), YN))
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_pulldata_is_refused_for_what_it_is(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "calculation"],
        ["calculate", "c", None, "pulldata('f', 'a', 'b', 'c')"],
    ]
    problems = problems_of(write_form(tmp_path / "f.xlsx", survey))
    assert problems == [
        "survey, row 2, column D: pulldata() reads external CSV files, "
        "which peerlearn does not have (at character 1)"
    ]


def test_legacy_select_is_not_blamed_on_files_or_the_choices_sheet(tmp_path: Path) -> None:
    """The old code said "choices from files are not supported" and blamed the choices sheet."""
    choices = [
        ["list_name", "name", "label", "region"],
        ["yn", "yes", "Yes", "n"],
        ["yn", "no", "No", "s"],
    ]
    form = read_xlsform(
        write_form(tmp_path / "f.xlsx", simple_survey(["select one from yn", "a", "A"]), choices)
    )
    assert form.questions()[0].list_name == "yn"


def test_new_columns_survive_writing_and_reading_again(tmp_path: Path) -> None:
    from peerlearn.surveys.xlsform import write_xlsform

    survey = [
        [
            "type",
            "name",
            "label",
            "calculation",
            "default",
            "read_only",
            "required",
            "required_message",
            "choice_filter",
        ],
        ["select_one country", "country", "Country", None, "ke", None, "yes", "Pick one", None],
        [
            "select_one ministry",
            "ministry",
            "Ministry",
            None,
            None,
            None,
            None,
            None,
            "country = ${country}",
        ],
        ["calculate", "n", None, "string-length(${country})", None, None, None, None, None],
        ["text", "shown", "Shown", "${n}", None, "yes", None, None, None],
    ]
    choices = [
        ["list_name", "name", "label", "country"],
        ["country", "ke", "Kenya", None],
        ["ministry", "health", "Health", "ke"],
        ["ministry", "health", "Health", "pe"],
    ]
    settings = [["form_title", "form_id", "allow_choice_duplicates"], ["T", "t", "yes"]]
    form = read_xlsform(write_form(tmp_path / "f.xlsx", survey, choices, settings))
    again = read_xlsform(write_xlsform(form), filename="t.xlsx")
    form.ignored, again.ignored = [], []
    assert again == form


def test_entities_are_refused_for_what_they_are(tmp_path: Path) -> None:
    survey = [["type", "name", "label", "save_to"], ["text", "a", "A", "a_property"]]
    extra = {"entities": [["dataset", "label"], ["people", "${a}"]]}
    problems = problems_of(write_form(tmp_path / "f.xlsx", survey, None, None, extra))
    assert problems == [
        "entities: ODK entities are not supported: remove the 'entities' sheet "
        "(peerlearn keeps people in its own roster)"
    ]
