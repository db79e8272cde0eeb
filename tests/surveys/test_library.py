"""Putting instruments into a programme: JSON round trip, import, built-ins, CLI import.

Every test writes or reads real .xlsx workbooks and stores into the real test
database; "nothing stored" is checked by counting rows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from peerlearn.cli import main as peerlearn
from peerlearn.surveys.instruments import BUILT_IN, path
from peerlearn.surveys.library import (
    BUILT_IN_ANONYMITY,
    DuplicateInstrument,
    import_xlsform,
    install_builtin,
)
from peerlearn.surveys.models import Instrument
from peerlearn.surveys.xlsform import XLSFormInvalid, from_dict, read_xlsform, to_dict
from tests.surveys import full_form, simple_survey, write_form

SETTINGS = [["form_title", "form_id", "version"], ["Small form", "small_form", "1"]]
CHOICES = [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]]

#: Malformed workbooks: (survey sheet, choices sheet) and the problem expected
#: as (sheet, row, column, part of the message).
MALFORMED = {
    "missing survey sheet": (None, CHOICES, ("survey", None, None, "no 'survey' sheet")),
    "duplicate names": (
        simple_survey(["text", "a", "A"], ["integer", "a", "B"]),
        None,
        ("survey", 3, "B", "name 'a' is already used on row 2"),
    ),
    "unknown type": (
        simple_survey(["text", "a", "A"], ["txt", "b", "B"]),
        None,
        ("survey", 3, "A", "unknown type 'txt'"),
    ),
    "bad choice list reference": (
        simple_survey(["select_one nolist", "a", "A"]),
        CHOICES,
        ("survey", 2, "A", "choice list 'nolist'"),
    ),
    "bad expression": (
        [
            ["type", "name", "label", "relevant"],
            ["integer", "a", "A", None],
            ["text", "b", "B", "${a} >>> 3"],
        ],
        None,
        ("survey", 3, "D", "unexpected '>'"),
    ),
}


def malformed(tmp_path: Path, case: str) -> Path:
    survey, choices, _ = MALFORMED[case]
    return write_form(tmp_path / "bad.xlsx", survey, choices, SETTINGS)


def small_form(tmp_path: Path, version: str = "1") -> Path:
    settings = [["form_title", "form_id", "version"], ["Small form", "small_form", version]]
    survey = simple_survey(["select_one yn", "ok", "All right?"], ["text", "why", "Why?"])
    return write_form(tmp_path / f"small-{version}.xlsx", survey, CHOICES, settings)


# ---------------------------------------------------------------- JSON round trip


@pytest.mark.parametrize("name", list(BUILT_IN))
def test_builtin_round_trips_through_json(name):
    form = read_xlsform(path(name))
    data = json.loads(json.dumps(to_dict(form)))  # as the JSONField stores it
    assert from_dict(data) == form
    assert to_dict(from_dict(data)) == to_dict(form)
    assert form.questions(), "a built-in without questions would be useless"


def test_full_form_round_trips_through_json(tmp_path):
    form = read_xlsform(full_form(tmp_path / "full.xlsx"))
    data = json.loads(json.dumps(to_dict(form)))
    rebuilt = from_dict(data)
    assert rebuilt == form
    assert set(rebuilt.languages) == {"en", "es", "fr"}
    trust = rebuilt.find("trust")
    assert trust is not None and trust.label["es"] == "Confianza" and trust.appearance == "likert"


# ---------------------------------------------------------------- import_xlsform


def test_import_stores_definition_and_workbook_bytes(world, tmp_path):
    data = full_form(tmp_path / "full.xlsx").read_bytes()
    stored = import_xlsform(
        world.programme,
        data,
        filename="full.xlsx",
        anonymity="anonymous",
        created_by=world.people["facilitator"],
    )
    instrument = Instrument.objects.get(pk=stored.pk)  # read back from the database
    assert bytes(instrument.source_xlsx) == data
    assert instrument.definition == to_dict(read_xlsform(data))
    assert instrument.form == read_xlsform(data)
    assert (instrument.title, instrument.form_id, instrument.version) == (
        "Full form",
        "full_form",
        "2024061201",
    )
    assert instrument.anonymity == "anonymous" and instrument.source_filename == "full.xlsx"
    assert instrument.created_by == world.people["facilitator"]
    assert len(instrument.form.questions()) == 7


def test_duplicate_form_and_version_is_refused_and_nothing_stored(world, tmp_path):
    first = import_xlsform(world.programme, small_form(tmp_path).read_bytes())
    with pytest.raises(DuplicateInstrument, match="small_form"):
        import_xlsform(world.programme, small_form(tmp_path).read_bytes(), anonymity="identified")
    assert list(Instrument.objects.all()) == [first]
    assert Instrument.objects.get().anonymity == "pseudonymous"
    # A new version, or the same form in another programme, is welcome.
    import_xlsform(world.programme, small_form(tmp_path, version="2").read_bytes())
    import_xlsform(world.other_programme, small_form(tmp_path).read_bytes())
    assert Instrument.objects.count() == 3


@pytest.mark.parametrize("case", list(MALFORMED))
def test_invalid_form_stores_nothing(world, tmp_path, case):
    sheet, row, column, text = MALFORMED[case][2]
    with pytest.raises(XLSFormInvalid) as raised:
        import_xlsform(world.programme, malformed(tmp_path, case).read_bytes())
    located = [(p.sheet, p.row, p.column) for p in raised.value.problems if text in p.message]
    assert located == [(sheet, row, column)], raised.value.problems
    assert not Instrument.objects.exists()


def test_form_without_form_id_takes_its_id_from_the_file_name(world, tmp_path):
    """As pyxform does: the file's name without extension."""
    form = write_form(
        tmp_path / "noid.xlsx", simple_survey(["text", "a", "A"]), None, [["form_title"], ["T"]]
    )
    stored = import_xlsform(world.programme, form.read_bytes(), filename="Baseline 2024.xlsx")
    assert (stored.form_id, stored.title) == ("Baseline_2024", "T")


def test_not_a_workbook_stores_nothing(world):
    with pytest.raises(XLSFormInvalid, match="PDF"):
        import_xlsform(world.programme, b"%PDF-1.7\n1 0 obj\n")
    assert not Instrument.objects.exists()


# ---------------------------------------------------------------- built-ins


@pytest.mark.parametrize("name", list(BUILT_IN))
def test_install_builtin_is_idempotent(world, name):
    first = install_builtin(world.programme, name)
    again = install_builtin(world.programme, name)
    assert again.pk == first.pk
    assert Instrument.objects.filter(programme=world.programme).count() == 1
    assert first.builtin == name and first.anonymity == BUILT_IN_ANONYMITY[name]
    assert bytes(first.source_xlsx) == path(name).read_bytes()
    assert first.form == read_xlsform(path(name))


def test_install_builtin_unknown_name(world):
    with pytest.raises(KeyError):
        install_builtin(world.programme, "no_such_instrument")
    assert not Instrument.objects.exists()


# ---------------------------------------------------------------- peerlearn survey import


def survey_import(capsys, *args: str) -> tuple[int, str, str]:
    code = peerlearn(["survey", "import", *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def test_cli_import_prints_json_and_stores(world, tmp_path, capsys):
    form = full_form(tmp_path / "full.xlsx")
    code, out, _ = survey_import(
        capsys, str(form), "--programme", "reform-leaders", "--anonymity", "anonymous"
    )
    assert code == 0
    result = json.loads(out)
    instrument = Instrument.objects.get()
    assert result == {
        "instrument": instrument.pk,
        "title": "Full form",
        "form_id": "full_form",
        "questions": 7,
    }
    assert instrument.anonymity == "anonymous" and instrument.source_filename == "full.xlsx"
    assert bytes(instrument.source_xlsx) == form.read_bytes()


def test_cli_import_default_anonymity_is_pseudonymous(world, tmp_path, capsys):
    code, out, _ = survey_import(capsys, str(small_form(tmp_path)), "--programme", "reform-leaders")
    assert code == 0 and json.loads(out)["questions"] == 2
    assert Instrument.objects.get().anonymity == "pseudonymous"


@pytest.mark.parametrize("case", list(MALFORMED))
def test_cli_import_lists_problems_and_stores_nothing(world, tmp_path, capsys, case):
    sheet, row, column, text = MALFORMED[case][2]
    code, out, err = survey_import(
        capsys, str(malformed(tmp_path, case)), "--programme", "reform-leaders"
    )
    assert code == 1
    where = ", ".join(
        [sheet, *([f"row {row}"] if row else []), *([f"column {column}"] if column else [])]
    )
    assert any(line.startswith(where) and text in line for line in out.splitlines()), out
    assert "nothing imported" in err
    assert not Instrument.objects.exists()


def test_cli_import_duplicate(world, tmp_path, capsys):
    form = str(small_form(tmp_path))
    assert survey_import(capsys, form, "--programme", "reform-leaders")[0] == 0
    code, _, err = survey_import(capsys, form, "--programme", "reform-leaders")
    assert code == 1 and "small_form" in err and "version" in err
    assert Instrument.objects.count() == 1


def test_cli_import_unknown_programme_or_file(world, tmp_path, capsys):
    code, _, err = survey_import(capsys, str(small_form(tmp_path)), "--programme", "nowhere")
    assert code == 2 and "no programme 'nowhere'" in err and "reform-leaders" in err
    code, _, err = survey_import(
        capsys, str(tmp_path / "missing.xlsx"), "--programme", "reform-leaders"
    )
    assert code == 2 and "missing.xlsx" in err
    assert not Instrument.objects.exists()


def test_cli_import_pdf_renamed_xlsx(world, tmp_path, capsys):
    fake = tmp_path / "form.xlsx"
    fake.write_bytes(b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\n")
    code, out, _ = survey_import(capsys, str(fake), "--programme", "reform-leaders")
    assert code == 1 and out.startswith("file: this is a PDF")
    assert not Instrument.objects.exists()
