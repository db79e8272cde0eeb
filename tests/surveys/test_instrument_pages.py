"""Instrument pages: import through the page, built-ins, preview, export, settings.

Uploads are real .xlsx workbooks written with openpyxl; every refusal is also
checked in the database (nothing stored).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from peerlearn.surveys.instruments import BUILT_IN
from peerlearn.surveys.library import import_xlsform, install_builtin
from peerlearn.surveys.models import Instrument, Invitation, Response
from peerlearn.surveys.xlsform import read_xlsform, to_dict
from tests.surveys import full_form, simple_survey, write_form
from tests.surveys.conftest import make_survey
from tests.surveys.test_library import MALFORMED, SETTINGS, malformed, small_form

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def url(name: str, *args: object) -> str:
    return reverse(f"surveys:{name}", args=args)


def upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type=XLSX)


@pytest.fixture
def facilitator(world, login):
    return login(world.users["facilitator"])


def post_import(client, world, path: Path, anonymity: str = "pseudonymous", name=None):
    return client.post(
        url("instrument_import", world.programme.slug),
        {"file": upload(path, name), "anonymity": anonymity},
    )


def problem_rows(body: str) -> list[tuple[str, str, str, str]]:
    """The (sheet, row, column, message) cells of the problems table, as text."""
    rows = []
    for row in re.findall(r'<tr class="problem">(.*?)</tr>', body, re.S):
        cells = [
            html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        rows.append((cells[0], cells[1], cells[2], cells[3]))
    return rows


# ---------------------------------------------------------------- import


def test_import_shows_the_detail_page(world, facilitator, tmp_path):
    response = post_import(facilitator, world, full_form(tmp_path / "full.xlsx"), "identified")
    instrument = Instrument.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("instrument", world.programme.slug, instrument.pk)
    page = facilitator.get(response["Location"]).content.decode()
    assert "Full form" in page and "full_form" in page and "2024061201" in page
    assert "imported with 7 questions" in page
    assert instrument.anonymity == "identified"
    assert instrument.created_by == world.people["facilitator"]
    assert instrument.source_filename == "full.xlsx"


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_form_lists_the_problem_and_stores_nothing(world, facilitator, tmp_path, case):
    sheet, row, column, text = MALFORMED[case][2]
    response = post_import(facilitator, world, malformed(tmp_path, case))
    assert response.status_code == 400
    rows = problem_rows(response.content.decode())
    expected = (sheet, str(row) if row else "—", column or "—")
    assert any(r[:3] == expected and text in r[3] for r in rows), rows
    assert "Nothing was imported" in response.content.decode()
    assert Instrument.objects.count() == 0


def test_every_problem_is_listed(world, facilitator, tmp_path):
    survey = [
        ["type", "name", "label", "relevant"],
        ["txt", "a", "A", None],
        ["text", "b", "B", None],
        ["integer", "b", "C", None],
        ["text", "c", "D", "${b} >>> 1"],
        ["select_one nolist", "d", "E", None],
    ]
    form = write_form(tmp_path / "many.xlsx", survey, None, SETTINGS)
    with pytest.raises(Exception) as raised:
        read_xlsform(form)
    expected = raised.value.problems  # type: ignore[attr-defined]
    assert len(expected) >= 4
    response = post_import(facilitator, world, form)
    assert response.status_code == 400
    rows = problem_rows(response.content.decode())
    assert len(rows) == len(expected)
    assert {(p.sheet, str(p.row), p.column) for p in expected} == {r[:3] for r in rows}
    assert Instrument.objects.count() == 0


def test_pdf_renamed_xlsx_is_refused(world, facilitator, tmp_path):
    fake = tmp_path / "form.xlsx"
    fake.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n")
    response = post_import(facilitator, world, fake)
    assert response.status_code == 400
    rows = problem_rows(response.content.decode())
    assert rows == [("whole file", "—", "—", "this is a PDF, not an .xlsx XLSForm workbook")]
    assert Instrument.objects.count() == 0


def test_file_not_named_xlsx_is_refused(world, facilitator, tmp_path):
    response = post_import(facilitator, world, small_form(tmp_path), name="form.csv")
    assert response.status_code == 400
    assert "Choose an .xlsx workbook" in response.content.decode()
    assert Instrument.objects.count() == 0


def test_too_big_file_is_refused(world, facilitator, tmp_path, settings):
    form = full_form(tmp_path / "full.xlsx")
    settings.ROSTER_MAX_BYTES = form.stat().st_size - 1
    response = post_import(facilitator, world, form)
    assert response.status_code == 400
    assert "larger than the limit" in response.content.decode()
    assert Instrument.objects.count() == 0
    settings.ROSTER_MAX_BYTES = form.stat().st_size
    assert post_import(facilitator, world, form).status_code == 302


def test_missing_file_is_a_form_error(world, facilitator):
    response = facilitator.post(url("instrument_import", world.programme.slug), {})
    assert response.status_code == 400
    assert Instrument.objects.count() == 0


def test_duplicate_form_and_version_is_explained(world, facilitator, tmp_path):
    form = small_form(tmp_path)
    assert post_import(facilitator, world, form).status_code == 302
    first = Instrument.objects.get()
    response = post_import(facilitator, world, form, "anonymous")
    body = response.content.decode()
    assert response.status_code == 400
    assert "same form id and version" in body and "Change the version" in body
    assert url("instrument", world.programme.slug, first.pk) in body  # links the existing one
    assert list(Instrument.objects.all()) == [first]
    assert post_import(facilitator, world, small_form(tmp_path, version="2")).status_code == 302


# ---------------------------------------------------------------- built-ins


@pytest.mark.parametrize("name", list(BUILT_IN))
def test_install_each_builtin_through_the_button(world, facilitator, name):
    listing = url("instruments", world.programme.slug)
    button = f'<input type="hidden" name="name" value="{name}">'
    assert button in facilitator.get(listing).content.decode()
    response = facilitator.post(url("instrument_install", world.programme.slug), {"name": name})
    instrument = Instrument.objects.get(programme=world.programme, builtin=name)
    assert response["Location"] == url("instrument", world.programme.slug, instrument.pk)
    assert "added to this programme" in facilitator.get(response["Location"]).content.decode()
    body = facilitator.get(listing).content.decode()
    assert button not in body  # marked as installed instead of offered again
    card = body.split(f'id="builtin-{name}"')[1].split("</div>")[0]
    assert "In this programme" in card
    again = facilitator.post(url("instrument_install", world.programme.slug), {"name": name})
    assert again["Location"] == response["Location"]
    assert Instrument.objects.count() == 1


def test_unknown_builtin_is_a_400(world, facilitator):
    response = facilitator.post(url("instrument_install", world.programme.slug), {"name": "nope"})
    assert response.status_code == 400
    assert "no built-in instrument called “nope”" in response.content.decode()
    assert Instrument.objects.count() == 0


def test_builtin_already_uploaded_as_a_file_is_explained(world, facilitator):
    from peerlearn.surveys.instruments import path

    uploaded = import_xlsform(world.programme, path("pulse").read_bytes(), filename="pulse.xlsx")
    response = facilitator.post(url("instrument_install", world.programme.slug), {"name": "pulse"})
    assert response.status_code == 400
    assert "same form id and version" in response.content.decode()
    assert list(Instrument.objects.all()) == [uploaded]


def test_list_shows_all_builtins_and_counts(world, facilitator):
    survey = make_survey(world, "pulse")
    body = facilitator.get(url("instruments", world.programme.slug)).content.decode()
    for name in BUILT_IN:
        assert f'id="builtin-{name}"' in body
    assert body.count("Add to this programme") == len(BUILT_IN) - 1
    row = body.split(url("instrument", world.programme.slug, survey.instrument.pk))[1]
    row = row.split("</tr>")[0]
    cells = [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]
    questions = str(len(survey.instrument.form.questions()))
    assert cells[-2:] == [questions, "1"]  # questions, surveys using it
    assert "Anonymous" in cells[0] and "en" in cells[1] and "es" in cells[1]


# ---------------------------------------------------------------- preview


def test_preview_in_spanish_shows_spanish_labels(world, facilitator):
    pulse = install_builtin(world.programme, "pulse")
    address = url("instrument", world.programme.slug, pulse.pk)
    spanish = facilitator.get(address, {"lang": "es"}).content.decode()
    english = facilitator.get(address, {"lang": "en"}).content.decode()
    assert html.unescape(spanish).count("Hoy avancé en mi propio desafío.") == 1
    assert "Muy de acuerdo" in spanish and "Strongly agree" not in spanish
    assert "Today helped me with my own challenge." in english and "Muy de acuerdo" not in english
    # An unknown language falls back to the form's default instead of failing.
    assert "Strongly agree" in facilitator.get(address, {"lang": "xx"}).content.decode()


def test_preview_shows_every_question_with_its_rules(world, facilitator, tmp_path):
    instrument = import_xlsform(world.programme, full_form(tmp_path / "f.xlsx").read_bytes())
    body = facilitator.get(
        url("instrument", world.programme.slug, instrument.pk), {"lang": "es"}
    ).content.decode()
    text = html.unescape(body)
    for item in instrument.form.walk():
        assert f">{item.name}<" in body, item.name
    assert "Su cargo" in text  # Spanish hint
    assert "${years} > 0" in text and "string-length(.) <= 80" in text
    assert "select_multiple" in text and "Presupuesto" in text and "Ninguno" in text
    assert "not translated" in text  # constraint messages exist in English only
    assert 'id="q-role"' in body
    role = body.split('id="q-role"')[1].split("</tr>")[0]
    assert ">yes<" in role  # required


def test_labels_are_escaped_in_the_preview(world, facilitator, tmp_path):
    survey = simple_survey(["text", "a", "<script>alert('x')</script>"])
    form = write_form(tmp_path / "x.xlsx", survey, None, SETTINGS)
    instrument = import_xlsform(world.programme, form.read_bytes())
    body = facilitator.get(url("instrument", world.programme.slug, instrument.pk)).content
    assert b"<script>alert" not in body and b"&lt;script&gt;alert" in body


def test_detail_lists_surveys_using_it(world, facilitator):
    survey = make_survey(world, "pulse", title="Pulse after day one")
    body = facilitator.get(
        url("instrument", world.programme.slug, survey.instrument.pk)
    ).content.decode()
    assert "Pulse after day one" in body and "Ten-day event" in body


# ---------------------------------------------------------------- export


def test_export_reimports_to_the_same_definition(world, facilitator, tmp_path):
    assert post_import(facilitator, world, full_form(tmp_path / "full.xlsx")).status_code == 302
    imported = Instrument.objects.get()
    response = facilitator.get(url("instrument_export", world.programme.slug, imported.pk))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert 'filename="full_form-2024061201.xlsx"' in response["Content-Disposition"]
    exported = tmp_path / "exported.xlsx"
    exported.write_bytes(response.content)
    again = import_xlsform(world.other_programme, exported.read_bytes())
    assert again.definition == imported.definition
    assert to_dict(read_xlsform(exported)) == to_dict(read_xlsform(tmp_path / "full.xlsx"))
    # Back into the same programme it is the same form and version: refused, clearly.
    refused = post_import(facilitator, world, exported)
    assert refused.status_code == 400 and "same form id and version" in refused.content.decode()


@pytest.mark.parametrize("name", list(BUILT_IN))
def test_export_of_each_builtin_round_trips(world, login, name):
    instrument = install_builtin(world.programme, name)
    reader = login(world.users["evaluator"])  # readers may download too
    response = reader.get(url("instrument_export", world.programme.slug, instrument.pk))
    assert response.status_code == 200
    assert to_dict(read_xlsform(response.content)) == instrument.definition


# ---------------------------------------------------------------- settings


def settings_post(client, world, instrument, **changes):
    data = {
        "title": instrument.title,
        "anonymity": instrument.anonymity,
        "min_respondents": instrument.min_respondents,
        **changes,
    }
    return client.post(url("instrument_settings", world.programme.slug, instrument.pk), data)


def test_settings_change_anonymity_before_anyone_answers(world, facilitator):
    survey = make_survey(world, "pulse")  # scheduled, but nobody has answered
    instrument = survey.instrument
    response = settings_post(
        facilitator, world, instrument, title="Day pulse", anonymity="identified", min_respondents=7
    )
    assert response.status_code == 302
    instrument.refresh_from_db()
    assert (instrument.title, instrument.anonymity, instrument.min_respondents) == (
        "Day pulse",
        "identified",
        7,
    )


def _respond(survey) -> Response:
    return Response.objects.create(
        survey=survey, answers={"useful": "4"}, submitted_at=timezone.now()
    )


@pytest.mark.parametrize("new_level", ["identified", "pseudonymous"])
def test_anonymity_is_fixed_once_a_response_exists(world, facilitator, new_level):
    survey = make_survey(world, "pulse")  # the pulse starts anonymous
    _respond(survey)
    instrument = survey.instrument
    response = settings_post(facilitator, world, instrument, anonymity=new_level, title="X")
    assert response.status_code == 400
    assert "what was promised" in response.content.decode()
    instrument.refresh_from_db()
    assert instrument.anonymity == "anonymous" and instrument.title != "X"
    # Title and k still change; the anonymity stays as it is.
    ok = settings_post(facilitator, world, instrument, title="Renamed", min_respondents=9)
    assert ok.status_code == 302
    instrument.refresh_from_db()
    assert (instrument.title, instrument.anonymity, instrument.min_respondents) == (
        "Renamed",
        "anonymous",
        9,
    )


def test_stricter_anonymity_is_also_refused_after_responses(world, facilitator):
    survey = make_survey(world, "intake")  # the intake starts identified
    _respond(survey)
    response = settings_post(facilitator, world, survey.instrument, anonymity="anonymous")
    assert response.status_code == 400
    survey.instrument.refresh_from_db()
    assert survey.instrument.anonymity == "identified"


def test_anonymity_is_fixed_once_someone_started_answering(world, facilitator):
    survey = make_survey(world, "pulse")
    Invitation.objects.create(
        survey=survey,
        person=world.people["participant"],
        started_at=timezone.now(),
        draft={"useful": "5"},
        draft_saved_at=timezone.now(),
    )
    response = settings_post(facilitator, world, survey.instrument, anonymity="identified")
    assert response.status_code == 400
    survey.instrument.refresh_from_db()
    assert survey.instrument.anonymity == "anonymous"
    detail = facilitator.get(url("instrument", world.programme.slug, survey.instrument.pk))
    assert "fixed: people have answered" in detail.content.decode()


def test_responses_to_another_instrument_do_not_lock(world, facilitator):
    _respond(make_survey(world, "intake"))
    pulse = install_builtin(world.programme, "pulse")
    assert settings_post(facilitator, world, pulse, anonymity="pseudonymous").status_code == 302


@pytest.mark.parametrize(
    ("k", "accepted"), [(1, False), (2, True), (100, True), (101, False), ("", False)]
)
def test_min_respondents_bounds(world, facilitator, k, accepted):
    pulse = install_builtin(world.programme, "pulse")
    before = pulse.min_respondents
    response = settings_post(facilitator, world, pulse, min_respondents=k)
    assert response.status_code == (302 if accepted else 400)
    pulse.refresh_from_db()
    assert pulse.min_respondents == (k if accepted else before)


def test_settings_form_shows_current_values(world, facilitator):
    pulse = install_builtin(world.programme, "pulse")
    body = facilitator.get(url("instrument_settings", world.programme.slug, pulse.pk))
    text = body.content.decode()
    assert 'value="Session pulse"' in text
    checked = re.findall(r'<input type="radio" name="anonymity" value="(\w+)"[^>]*checked', text)
    assert checked == ["anonymous"]
    assert 'id="anonymity-locked"' not in text


# ---------------------------------------------------------------- who sees what


def test_evaluators_see_no_edit_buttons(world, login):
    pulse = install_builtin(world.programme, "pulse")
    listing = url("instruments", world.programme.slug)
    detail = url("instrument", world.programme.slug, pulse.pk)
    for persona in ("evaluator", "module_facilitator"):
        client = login(world.users[persona])
        body = client.get(listing).content.decode() + client.get(detail).content.decode()
        assert 'id="import-link"' not in body and "Add to this programme" not in body
        assert 'id="settings-link"' not in body
        assert 'id="export-link"' in body  # reading includes the download
    client = login(world.users["facilitator"])
    body = client.get(listing).content.decode() + client.get(detail).content.decode()
    assert 'id="import-link"' in body and "Add to this programme" in body
    assert 'id="settings-link"' in body


def test_evaluator_cannot_change_settings(world, login):
    pulse = install_builtin(world.programme, "pulse")
    response = settings_post(login(world.users["evaluator"]), world, pulse, title="Hacked")
    assert response.status_code == 403
    pulse.refresh_from_db()
    assert pulse.title == "Session pulse"


# ---------------------------------------------------------------- in a real browser


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_install_preview_and_bad_import(world, live_server, page, tmp_path):
    """On a phone and a desktop: add the pulse, preview it in Spanish, see a bad file's problems."""
    from tests.conftest import PASSWORD

    page.goto(live_server.url + "/")
    page.fill("input[name=username]", "facilitator@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.goto(live_server.url + url("instruments", world.programme.slug))
    page.click("#builtin-pulse button:has-text('Add to this programme')")
    assert page.locator("h1").inner_text() == "Session pulse"
    page.select_option("#lang", "es")
    page.click("#preview-language button")
    assert page.locator("#q-useful").inner_text().startswith("Hoy avancé en mi propio desafío.")
    assert not _overflows(page)
    page.goto(live_server.url + url("instrument_import", world.programme.slug))
    page.set_input_files("input[name=file]", str(malformed(tmp_path, "unknown type")))
    page.click("button:has-text('Import')")
    assert "unknown type 'txt'" in page.locator("#problems").inner_text()
    assert not _overflows(page)
    assert Instrument.objects.count() == 1


def _overflows(page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"))
