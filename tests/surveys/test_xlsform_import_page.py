"""The web import gives the verdict ``survey check`` and ``survey import`` give (issue 10)."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from peerlearn.surveys.cli import main
from peerlearn.surveys.models import Instrument
from tests.surveys import simple_survey, write_form
from tests.surveys.test_instrument_pages import facilitator, post_import, problem_rows

__all__ = ["facilitator"]  # the signed-in facilitator fixture

KOBO_STYLE = [
    ["type", "name", "label:English", "label:Español", "hint:English", "notes"],
    ["start", "start", None, None, None, None],
    ["select one from yn", "agree", "Agree?", "¿De acuerdo?", "Pick one", "for Q3"],
    ["select_one yn or_other", "why", "Why?", "¿Por qué?", None, None],
]
YN = [["list_name", "name", "label:English"], ["yn", "yes", "Yes"], ["yn", "no", "No"]]
SETTINGS = [["form_title", "instance_name", "submission_url"], ["Kobo", "x", "https://kc.example"]]


def test_web_import_of_a_kobo_style_form_without_form_id(world, facilitator, tmp_path: Path):
    path = write_form(tmp_path / "kobo form.xlsx", KOBO_STYLE, YN, SETTINGS)
    response = post_import(facilitator, world, path, name="kobo form.xlsx")
    assert response.status_code == 302
    instrument = Instrument.objects.get()
    assert instrument.form_id == "kobo_form"
    assert [q.name for q in instrument.form.questions()] == ["agree", "why", "why_other"]
    page = html.unescape(facilitator.get(response["Location"]).content.decode())
    assert "4 things in the workbook change nothing in peerlearn and were ignored:" in page
    assert (
        "settings, column C: setting 'submission_url' changes nothing in peerlearn: ignored" in page
    )


def test_check_import_and_web_page_agree_on_a_refusal(
    world, facilitator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    path = write_form(
        tmp_path / "geo.xlsx", simple_survey(["text", "a", "A"], ["geopoint", "where", "Where?"])
    )
    assert main(["survey", "check", str(path), "--format", "json"]) == 1
    checked = json.loads(capsys.readouterr().out)["problems"]
    assert main(["survey", "import", str(path), "--programme", world.programme.slug]) == 1
    imported = capsys.readouterr().out.strip().splitlines()
    web = problem_rows(post_import(facilitator, world, path).content.decode())
    assert len(checked) == len(imported) == len(web) == 1
    assert checked[0]["message"] in imported[0] and web[0][3] == checked[0]["message"]
    assert (web[0][1], web[0][2]) == ("3", "A")
    assert not Instrument.objects.exists()


def test_check_and_import_agree_on_a_form_without_settings(
    world, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """``check`` used to accept what ``import`` refused (no form_id)."""
    path = write_form(tmp_path / "plain.xlsx", simple_survey(["text", "a", "A"]))
    assert main(["survey", "check", str(path)]) == 0
    checked = json.loads(capsys.readouterr().out)
    assert main(["survey", "import", str(path), "--programme", world.programme.slug]) == 0
    imported = json.loads(capsys.readouterr().out)
    assert checked["form_id"] == imported["form_id"] == "plain"
    assert checked["questions"] == imported["questions"] == 1


def test_detail_page_shows_calculations_and_choice_filters(world, facilitator, tmp_path: Path):
    survey = [
        ["type", "name", "label", "calculation", "choice_filter"],
        ["select_one c", "a", "A", None, None],
        ["select_one c", "b", "B", None, "region = ${a}"],
        ["calculate", "score", None, "${a} + 1", None],
    ]
    choices = [["list_name", "name", "label", "region"], ["c", "x", "X", "x"]]
    path = write_form(tmp_path / "calc.xlsx", survey, choices)
    response = post_import(facilitator, world, path)
    page = html.unescape(facilitator.get(response["Location"]).content.decode())
    assert "calculated (not asked)<br><code>${a} + 1</code>" in page
    assert "Choices shown when: <code>region = ${a}</code>" in page
