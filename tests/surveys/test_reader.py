"""Reading XLSForm workbooks: supported features and multilingual texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from peerlearn.surveys.xlsform import (
    NO_LANGUAGE,
    Group,
    Question,
    XLSFormInvalid,
    read_xlsform,
)
from tests.surveys import EN, ES, FR, full_form, simple_survey, write_form


def test_every_supported_type_is_read(tmp_path: Path) -> None:
    inst = read_xlsform(full_form(tmp_path / "full.xlsx"))
    assert (inst.title, inst.form_id, inst.version) == ("Full form", "full_form", "2024061201")
    by_name = {i.name: i for i in inst.walk()}
    types = {n: i.type for n, i in by_name.items() if isinstance(i, Question)}
    assert types == {
        "intro": "note",
        "role": "text",
        "years": "integer",
        "budget": "decimal",
        "started": "date",
        "trust": "select_one",
        "topics": "select_multiple",
        "other_topic": "text",
        "bye": "note",
    }
    trust = by_name["trust"]
    assert isinstance(trust, Question)
    assert (trust.list_name, trust.required, trust.appearance) == ("agree5", True, "likert")
    assert by_name["budget"].relevant == "${years} > 0"
    role = by_name["role"]
    assert isinstance(role, Question)
    assert role.constraint == "string-length(.) <= 80"
    assert role.constraint_message == {"en": "Too long"}
    assert role.hint == {"en": "Your title", "es": "Su cargo"}
    assert not by_name["budget"].required  # type: ignore[union-attr]


def test_groups_nest_in_form_order(tmp_path: Path) -> None:
    inst = read_xlsform(full_form(tmp_path / "full.xlsx"))
    top = [i.name for i in inst.items]
    assert top == ["intro", "role", "years", "budget", "started", "views", "bye"]
    views = inst.items[5]
    assert isinstance(views, Group)
    assert views.appearance == "field-list" and views.relevant == "${role} != ''"
    assert [c.name for c in views.children] == ["trust", "inner"]
    inner = views.children[1]
    assert isinstance(inner, Group) and [c.name for c in inner.children] == [
        "topics",
        "other_topic",
    ]
    assert len(inst.questions()) == 7


def test_multilingual_labels_in_survey_and_choices(tmp_path: Path) -> None:
    inst = read_xlsform(full_form(tmp_path / "full.xlsx"))
    assert inst.languages == {"en": "English", "es": "Español", "fr": "Français"}
    assert inst.default_language == "en"
    assert inst.items[1].label == {"en": "Role", "es": "Cargo", "fr": "Poste"}
    topics = inst.choice_lists["topics"]
    assert [c.name for c in topics.choices] == ["budget", "hr", "other", "none"]
    assert topics.choices[1].label == {"en": "People", "es": "Personas", "fr": "Personnes"}
    assert [c.name for c in inst.choice_lists["agree5"].choices] == ["1", "2", "3", "4", "5"]


def test_kobo_style_export_is_read(tmp_path: Path) -> None:
    """Kobo writes $kuid/$autoname columns, 'true'/'false' and 'list name'."""
    survey: list[list[object]] = [
        ["type", "name", f"label::{EN}", f"label::{FR}", "required", "$kuid", "$autoname"],
        ["begin_group", "g", "Group", "Groupe", "false", "k1", "g"],
        ["select_one yn", "ok", "OK?", "D'accord ?", "true", "k2", "ok"],
        ["note", "n", "Note", "Note", "false", "k3", "n"],
        ["end_group", None, None, None, None, "k4", None],
    ]
    choices = [
        ["list name", "value", f"label::{EN}", f"label::{FR}", "$kuid"],
        ["yn", "yes", "Yes", "Oui", "c1"],
        ["yn", "no", "No", "Non", "c2"],
    ]
    inst = read_xlsform(write_form(tmp_path / "kobo.xlsx", survey, choices))
    group = inst.items[0]
    assert isinstance(group, Group)
    question = group.children[0]
    assert isinstance(question, Question) and question.required
    assert inst.choice_lists["yn"].choices[1].label == {"en": "No", "fr": "Non"}
    assert inst.languages == {"en": "English", "fr": "Français"}


def test_plain_label_column_has_no_language(tmp_path: Path) -> None:
    path = write_form(
        tmp_path / "plain.xlsx", simple_survey(["text", "q1", "Name?"], ["note", "n", "Hi"])
    )
    inst = read_xlsform(path)
    assert inst.items[0].label == {NO_LANGUAGE: "Name?"}
    assert inst.languages == {NO_LANGUAGE: ""}
    assert inst.title == "" and inst.default_language is None


def test_aliases_of_supported_types(tmp_path: Path) -> None:
    path = write_form(
        tmp_path / "aliases.xlsx",
        simple_survey(["string", "a", "A"], ["int", "b", "B"], ["select one  l", "c", "C"]),
        [["list_name", "name", "label"], ["l", "x", "X"]],
    )
    inst = read_xlsform(path)
    assert [(q.type, q.list_name) for q in inst.questions()] == [
        ("text", None),
        ("integer", None),
        ("select_one", "l"),
    ]


def test_numbers_and_whitespace_in_cells_are_text(tmp_path: Path) -> None:
    path = write_form(
        tmp_path / "nums.xlsx",
        simple_survey(["  select_one  levels ", " q ", "  Level  "]),
        [["list_name", "name", "label"], ["levels", 1, "One"], ["levels", 2.0, "Two"]],
        [["form_title", "version"], ["T", 3]],
    )
    inst = read_xlsform(path)
    assert inst.items[0].name == "q" and inst.items[0].label == {NO_LANGUAGE: "Level"}
    assert [c.name for c in inst.choice_lists["levels"].choices] == ["1", "2"]
    assert inst.version == "3"


def test_reads_bytes_and_str_paths(tmp_path: Path) -> None:
    path = full_form(tmp_path / "full.xlsx")
    assert read_xlsform(path.read_bytes()) == read_xlsform(str(path)) == read_xlsform(path)


def test_unused_choice_lists_are_kept(tmp_path: Path) -> None:
    path = write_form(
        tmp_path / "unused.xlsx",
        simple_survey(["text", "a", "A"]),
        [["list_name", "name", "label"], ["spare", "x", "X"]],
    )
    assert list(read_xlsform(path).choice_lists) == ["spare"]


def test_error_lists_problems_in_message(tmp_path: Path) -> None:
    path = write_form(tmp_path / "bad.xlsx", simple_survey(["txt", "a", "A"]))
    with pytest.raises(XLSFormInvalid) as info:
        read_xlsform(path)
    assert "survey, row 2, column A: unknown type 'txt'" in str(info.value)


def test_translated_form_without_spanish_hint_is_fine(tmp_path: Path) -> None:
    survey = [
        ["type", "name", f"label::{EN}", f"label::{ES}", f"hint::{EN}"],
        ["text", "a", "A", "A es", "Hint"],
    ]
    inst = read_xlsform(write_form(tmp_path / "h.xlsx", survey))
    assert inst.items[0].hint == {"en": "Hint"}  # type: ignore[union-attr]
    assert inst.languages == {"en": "English", "es": "Español"}
    assert FR not in str(inst)


def test_find_and_questions(tmp_path: Path) -> None:
    inst = read_xlsform(full_form(tmp_path / "full.xlsx"))
    topics = inst.find("topics")
    assert topics is not None and topics.type == "select_multiple"
    assert inst.find("views") is None  # a group, not a field
    assert inst.find("nope") is None
    assert "intro" not in [q.name for q in inst.questions()]
