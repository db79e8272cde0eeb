"""The built-in instruments: valid, trilingual, up to date, and on topic."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyxform.xls2xform import convert

from peerlearn.surveys.cli import main
from peerlearn.surveys.instruments import BUILT_IN, DIRECTORY, path
from peerlearn.surveys.instruments.build import DEFINITIONS, build, stale
from peerlearn.surveys.xlsform import Group, Instrument, Question, read_xlsform

LANGUAGES = {"en", "es", "fr"}


def load(name: str) -> Instrument:
    return read_xlsform(path(name))


def by_name(inst: Instrument) -> dict[str, Question | Group]:
    return {i.name: i for i in inst.walk()}


@pytest.mark.parametrize("name", list(BUILT_IN))
def test_passes_survey_check(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["survey", "check", str(path(name))]) == 0
    assert '"questions"' in capsys.readouterr().out


@pytest.mark.parametrize("name", list(BUILT_IN))
def test_pyxform_converts_it_without_warnings(name: str) -> None:
    result = convert(str(path(name)))
    assert result.warnings == []
    assert "<h:title>" in result.xform


@pytest.mark.parametrize("name", list(BUILT_IN))
def test_every_text_in_english_spanish_and_french(name: str) -> None:
    inst = load(name)
    assert set(inst.languages) == LANGUAGES and inst.default_language == "en"
    assert inst.title and inst.form_id.startswith("peerlearn_")
    for item in inst.walk():
        assert set(item.label) == LANGUAGES, item.name
        if isinstance(item, Question):
            for text in (item.hint, item.constraint_message):
                assert not text or set(text) == LANGUAGES, item.name
    for choice_list in inst.choice_lists.values():
        for choice in choice_list.choices:
            assert set(choice.label) == LANGUAGES, (choice_list.name, choice.name)


def test_shipped_workbooks_match_their_definitions() -> None:
    assert stale() == [], "run python -m peerlearn.surveys.instruments.build"
    assert {p.stem for p in DIRECTORY.glob("*.xlsx")} == set(BUILT_IN) == set(DEFINITIONS)


def test_build_writes_all_then_nothing(tmp_path: Path) -> None:
    assert len(build(tmp_path)) == len(BUILT_IN)
    assert build(tmp_path) == []


def test_intake_asks_three_challenges_and_expectations() -> None:
    fields = by_name(load("intake"))
    for n in (1, 2, 3):
        question = fields[f"challenge_{n}"]
        assert isinstance(question, Question) and question.required
    assert isinstance(fields["learning_expectations"], Question)


def test_pulse_is_short_and_on_one_screen() -> None:
    inst = load("pulse")
    assert len(inst.questions()) <= 6
    assert isinstance(inst.items[0], Group) and inst.items[0].appearance == "field-list"


def test_partnership_health_covers_six_dimensions_as_likert() -> None:
    fields = by_name(load("partnership_health"))
    for name in ("trust", "openness", "mutual_interest", "challenge", "two_way", "power_balance"):
        question = fields[name]
        assert isinstance(question, Question) and question.type == "select_one"
        assert question.list_name == "agree5"


def test_capabilities_at_two_levels() -> None:
    inst = load("capabilities")
    fields = by_name(inst)
    for prefix in ("me", "org"):
        for key in ("commit", "deliver", "relate", "balance", "adapt"):
            assert isinstance(fields[f"{prefix}_{key}"], Question)


def test_followup_covers_sustained_contact() -> None:
    fields = by_name(load("followup_3m"))
    for name in (
        "which_peers",
        "how_often",
        "joint_task",
        "benefits",
        "shared_with",
        "shared_what",
    ):
        assert name in fields


def test_end_review_compares_objectives() -> None:
    fields = by_name(load("end_review"))
    assert all(f"objective_{n}_met" in fields for n in (1, 2, 3))


def test_peer_contact_serves_participants_and_control_group() -> None:
    inst = load("peer_contact")
    groups = [c.name for c in inst.choice_lists["respondent"].choices]
    assert groups == ["participant", "colleague"]
    fields = by_name(inst)
    for name in ("peer_definition", "peers", "lasting", "frequency", "shared_task", "gained"):
        assert name in fields


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs Java")
@pytest.mark.parametrize("name", list(BUILT_IN))
def test_odk_validate_accepts_it(name: str) -> None:
    """ODK Validate (JavaRosa, shipped with pyxform) loads the form as Collect would."""
    assert convert(str(path(name)), validate=True).xform
