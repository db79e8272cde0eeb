"""``peerlearn survey import-responses``: the web import's service and verdicts
on the command line (the line in docs/surveys.md is run by tests/site/test_doc_commands.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from peerlearn.audit.models import AuditEvent
from peerlearn.cli import main as peerlearn
from peerlearn.surveys.models import Response
from tests.surveys.conftest import make_survey

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "pulse_answers_kobo.csv"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = peerlearn(["survey", "import-responses", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.django_db(transaction=True)
def test_the_documented_example_imports_every_row_once(world, capsys):
    survey = make_survey(world, "pulse")
    args = ("--programme", world.programme.slug, "--survey", str(survey.pk), str(EXAMPLE))
    code, out, _err = run(capsys, *args)
    assert code == 0, out
    assert json.loads(out) == {
        "survey": survey.pk,
        "imported": 3,
        "skipped": 0,
        "duplicates": 0,
        "already_answered": 0,
        "without_id": 0,
    }
    assert Response.objects.filter(survey=survey).count() == 3
    assert AuditEvent.objects.filter(action="survey.import").count() == 1
    # the same file again: the submissions are recognised, nothing is stored twice
    code, out, _err = run(capsys, *args)
    assert code == 0 and json.loads(out)["duplicates"] == 3
    assert Response.objects.filter(survey=survey).count() == 3


@pytest.mark.django_db(transaction=True)
def test_problems_are_printed_by_row_and_column_and_nothing_is_stored(world, capsys, tmp_path):
    survey = make_survey(world, "pulse")
    bad = tmp_path / "bad.csv"
    bad.write_text("_uuid,useful,heard,will_try\nu1,4,5,yes\nu2,9,5,maybe\n", encoding="utf-8")
    code, out, err = run(
        capsys, "--programme", world.programme.slug, "--survey", str(survey.pk), str(bad)
    )
    assert code == 1
    lines = out.splitlines()
    assert any(line.startswith("row 3, column useful: ") for line in lines), out
    assert any(line.startswith("row 3, column will_try: ") for line in lines), out
    assert "nothing imported" in err
    assert Response.objects.filter(survey=survey).count() == 0


@pytest.mark.django_db(transaction=True)
def test_unknown_programme_survey_or_file_exit_2(world, capsys, tmp_path):
    survey = make_survey(world, "pulse")
    slug = world.programme.slug
    assert run(capsys, "--programme", "nope", "--survey", str(survey.pk), str(EXAMPLE))[0] == 2
    code, _out, err = run(capsys, "--programme", slug, "--survey", "99999", str(EXAMPLE))
    assert code == 2 and f"{survey.pk} (" in err
    missing = str(tmp_path / "missing.csv")
    assert run(capsys, "--programme", slug, "--survey", str(survey.pk), missing)[0] == 2
    not_a_sheet = tmp_path / "photo.csv"
    not_a_sheet.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    code, out, _err = run(capsys, "--programme", slug, "--survey", str(survey.pk), str(not_a_sheet))
    assert code == 1 and "PNG" in out
