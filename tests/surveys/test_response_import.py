"""Importing answers from KoboToolbox and ODK exports: real CSV and XLSX files, real database."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peerlearn.audit.models import AuditEvent
from peerlearn.surveys.imports import ImportFileError, preview_import, read_export
from peerlearn.surveys.models import Invitation, Response, ResponseImport, Survey
from peerlearn.surveys.publication import published
from tests.surveys.conftest import make_survey

#: A Kobo "XML values" export of followup_3m: group/question headers, _uuid, meta columns.
KOBO_HEADER = [
    "start",
    "end",
    "in_contact",
    "contact/which_peers",
    "contact/how_often",
    "contact/joint_task",
    "contact/joint_task_what",
    "benefits",
    "back_home/shared",
    "back_home/shared_with",
    "back_home/shared_what",
    "meta/instanceID",
    "_id",
    "_uuid",
    "_submission_time",
    "_submitted_by",
    "__version__",
]


def kobo_row(uuid: str, **answers: str) -> dict[str, str]:
    row = {
        "start": "2024-06-01T09:00:00",
        "end": "2024-06-01T09:10:00",
        "in_contact": "yes",
        "contact/which_peers": "Ana and Luis",
        "contact/how_often": "monthly",
        "contact/joint_task": "no",
        "benefits": "advice contacts",
        "back_home/shared": "no",
        "meta/instanceID": f"uuid:{uuid}",
        "_id": "17",
        "_uuid": uuid,
        "_submission_time": "2024-06-01T09:10:42",
        "_submitted_by": "enumerator7",
        "__version__": "vAbC",
    }
    row.update(answers)
    return row


def csv_bytes(header: list[str], rows: list[dict[str, str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, delimiter=delimiter, extrasaction="raise")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode()


def xlsx_bytes(header: list[str], rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def followup(world, anonymity: str = "pseudonymous", **fields) -> Survey:
    survey = make_survey(world, "followup_3m", anonymity=anonymity, **fields)
    survey.instrument.min_respondents = 2
    survey.instrument.save(update_fields=["min_respondents"])
    return survey


def upload(client, world, survey: Survey, data: bytes, name: str = "export.csv"):
    url = reverse("surveys:response_import", args=[world.programme.slug, survey.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, data)}, follow=True)


def confirm(client, world, survey: Survey):
    pending = ResponseImport.objects.filter(survey=survey, applied_at__isnull=True).latest("pk")
    url = reverse(
        "surveys:response_import_preview", args=[world.programme.slug, survey.pk, pending.pk]
    )
    return client.post(url, follow=True)


# ------------------------------------------------------------------ reading and mapping


def test_kobo_csv_with_group_paths_and_codes_is_read_and_typed(world):
    survey = followup(world)
    data = csv_bytes(KOBO_HEADER, [kobo_row("a1"), kobo_row("a2", **{"in_contact": "no"})])
    preview = preview_import(survey, data, "followup.csv")
    assert preview.is_valid, preview.problems
    first, second = preview.rows
    assert first.answers["benefits"] == ["advice", "contacts"]
    assert first.answers["how_often"] == "monthly"
    assert "which_peers" not in second.answers  # not relevant when not in contact
    assert "_submitted_by" in preview.columns.ignored and "start" in preview.columns.ignored


def test_labels_in_another_language_and_split_columns_are_read(world):
    survey = followup(world)
    header = ["in_contact", "which_peers", "how_often", "joint_task", "shared"]
    header += ["benefits/advice", "benefits/documents", "benefits/none", "_uuid"]
    row = ["Sí", "Ana", "About once a month", "No", "No", "1", "0", "0", "u-1"]
    preview = preview_import(survey, xlsx_bytes(header, [row]), "labels.xlsx")
    assert preview.is_valid, preview.problems
    answers = preview.rows[0].answers
    assert answers["in_contact"] == "yes" and answers["how_often"] == "monthly"
    assert answers["benefits"] == ["advice"]


def test_labels_joined_by_spaces_are_read_as_labels(world):
    survey = followup(world)
    row = kobo_row("a1", **{"benefits": "Advice on a problem Work done together"})
    preview = preview_import(survey, csv_bytes(KOBO_HEADER, [row]), "x.csv")
    assert preview.is_valid, preview.problems
    assert preview.rows[0].answers["benefits"] == ["advice", "joint_work"]


def test_semicolon_csv_from_excel_is_read(world):
    survey = followup(world)
    data = csv_bytes(KOBO_HEADER, [kobo_row("a1")], delimiter=";")
    assert preview_import(survey, data, "x.csv").is_valid


# ------------------------------------------------------------------ bad input


def test_unknown_column_and_wrong_choice_are_reported_by_row_and_column(world):
    survey = followup(world)
    header = [*KOBO_HEADER, "district"]
    rows = [
        {**kobo_row("a1"), "district": "North"},
        {**kobo_row("a2", **{"contact/how_often": "daily"}), "district": ""},
        {**kobo_row("a3", **{"benefits": "advice fame"}), "district": ""},
    ]
    preview = preview_import(survey, csv_bytes(header, rows), "x.csv")
    found = {(p.row, p.column) for p in preview.problems}
    assert (1, "district") in found
    assert not preview.is_valid


def test_wrong_choice_codes_name_their_row_and_column(world):
    survey = followup(world)
    rows = [
        kobo_row("a1"),
        kobo_row("a2", **{"contact/how_often": "daily"}),
        kobo_row("a3", **{"benefits": "advice fame"}),
    ]
    preview = preview_import(survey, csv_bytes(KOBO_HEADER, rows), "x.csv")
    found = {(p.row, p.column): p.message for p in preview.problems}
    assert "daily" in found[(3, "contact/how_often")]
    assert "fame" in found[(4, "benefits")]
    assert len(preview.problems) == 2


def test_required_missing_bad_number_and_bad_split_flag(world):
    survey = make_survey(world, "peer_contact", anonymity="pseudonymous")
    header = ["respondent", "peers", "contact/lasting", "contact/frequency"]
    header += ["contact/shared_task", "contact/gained/ideas", "_uuid"]
    rows = [
        ["participant", "three", "", "", "", "", "u1"],
        ["participant", "2", "1", "weekly", "no", "maybe", "u2"],
        ["", "0", "", "", "", "", "u3"],
    ]
    preview = preview_import(survey, xlsx_bytes(header, rows), "x.xlsx")
    found = {(p.row, p.column) for p in preview.problems}
    assert (2, "peers") in found  # not a number
    assert (3, "contact/gained/ideas") in found  # neither 1 nor 0
    assert (4, "respondent") in found  # required and missing


def test_an_export_of_another_form_is_refused_on_each_row(world):
    survey = followup(world)
    header = [*KOBO_HEADER, "_xform_id_string"]
    rows = [{**kobo_row("a1"), "_xform_id_string": "someone_elses_form"}]
    preview = preview_import(survey, csv_bytes(header, rows), "x.csv")
    assert [(p.row, p.column) for p in preview.problems] == [(2, "_xform_id_string")]
    assert "someone_elses_form" in preview.problems[0].message


def test_a_different_form_version_is_refused(world):
    survey = followup(world)
    header = [*KOBO_HEADER, "FormVersion"]
    rows = [{**kobo_row("a1"), "FormVersion": "2099"}]
    preview = preview_import(survey, csv_bytes(header, rows), "x.csv")
    assert [(p.row, p.column) for p in preview.problems] == [(2, "FormVersion")]


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"", "x.csv", "empty"),
        (b"   \r\n", "x.csv", "empty"),
        (b"in_contact,_uuid\r\n", "x.csv", "no answers"),
        (b"%PDF-1.4 hello", "x.pdf", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "x.xls", "old-format"),
        (b"in_contact\r\nyes\r\n", "x.xlsx", "not one"),
    ],
)
def test_unreadable_files_get_a_clear_message(data, name, words):
    with pytest.raises(ImportFileError) as caught:
        read_export(data, name)
    assert words in caught.value.message


def test_oversized_file_is_refused_before_reading(settings):
    settings.SURVEY_IMPORT_MAX_BYTES = 100
    with pytest.raises(ImportFileError) as caught:
        read_export(b"in_contact\r\n" + b"yes\r\n" * 50, "x.csv")
    assert "too large" in caught.value.message


def test_zip_bomb_is_refused_by_the_unpacked_size_guard():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    with pytest.raises(ImportFileError) as caught:
        read_export(out.getvalue(), "bomb.xlsx")
    assert "unpacked" in caught.value.message


def test_bad_file_through_the_page_stores_nothing(world, login):
    survey = followup(world)
    client = login(world.users["facilitator"])
    header = [*KOBO_HEADER, "district"]
    data = csv_bytes(header, [{**kobo_row("a1"), "district": "x"}])
    page = upload(client, world, survey, data)
    assert page.status_code == 400 and b"district" in page.content
    assert not ResponseImport.objects.filter(survey=survey).exists()  # the file is not kept
    assert not Response.objects.filter(survey=survey).exists()
    empty = upload(client, world, survey, b"", "empty.csv")
    assert empty.status_code == 400 and b"empty" in empty.content
    assert not Response.objects.filter(survey=survey).exists()


def test_one_bad_row_stores_none_of_the_good_ones(world, login):
    survey = followup(world)
    client = login(world.users["facilitator"])
    rows = [kobo_row("a1"), kobo_row("a2"), kobo_row("a3", in_contact="perhaps")]
    page = upload(client, world, survey, csv_bytes(KOBO_HEADER, rows))
    assert b"perhaps" in page.content and b"Import these answers" not in page.content
    assert Response.objects.filter(survey=survey).count() == 0


# ------------------------------------------------------------------ storing


def test_confirmed_import_stores_rows_skips_duplicates_and_is_audited(world, login):
    survey = followup(world)
    client = login(world.users["facilitator"])
    data = csv_bytes(KOBO_HEADER, [kobo_row("a1"), kobo_row("a2"), kobo_row("a1")])
    preview = upload(client, world, survey, data)
    assert b"2 responses will be imported" in preview.content
    confirm(client, world, survey)
    assert Response.objects.filter(survey=survey).count() == 2
    event = AuditEvent.objects.filter(action="survey.import").get()
    assert event.detail["imported"] == 2 and event.detail["duplicates"] == 1
    # The same export again (ODK's spelling of the id only): everything is skipped.
    odk = [{"in_contact": "yes", "which_peers": "x", "how_often": "weekly", "joint_task": "no"}]
    odk[0].update({"benefits": "none", "shared": "no", "meta-instanceID": "uuid:A1"})
    again = csv_bytes([*odk[0]], odk)
    page = upload(client, world, survey, again)
    assert b"1 row is skipped" in page.content
    confirm(client, world, survey)
    assert Response.objects.filter(survey=survey).count() == 2
    assert AuditEvent.objects.filter(action="survey.import").latest("pk").detail["skipped"] == 1
    assert not ResponseImport.objects.filter(survey=survey).exclude(data=b"").exists()


def test_confirming_twice_imports_once(world, login):
    survey = followup(world)
    client = login(world.users["facilitator"])
    upload(client, world, survey, csv_bytes(KOBO_HEADER, [kobo_row("a1"), kobo_row("a2")]))
    pending = ResponseImport.objects.get(survey=survey)
    url = reverse(
        "surveys:response_import_preview", args=[world.programme.slug, survey.pk, pending.pk]
    )
    client.post(url)
    client.post(url)
    assert Response.objects.filter(survey=survey).count() == 2


def test_imported_rows_wait_for_a_batch_of_k(world, login):
    survey = followup(world)  # k = 2
    client = login(world.users["facilitator"])
    upload(client, world, survey, csv_bytes(KOBO_HEADER, [kobo_row(f"u{i}") for i in range(3)]))
    confirm(client, world, survey)
    assert Response.objects.filter(survey=survey).count() == 3
    assert published(survey).count() == 2  # one batch of two; the third waits


def test_pseudonymous_import_keeps_the_hour_and_no_identity(world):
    survey = followup(world)
    header = [*KOBO_HEADER, "_email"]
    rows = [
        {**kobo_row("a1"), "_email": "participant@example.org"},
        {**kobo_row("a2"), "_email": ""},
    ]
    preview = preview_import(survey, csv_bytes(header, rows), "x.csv")
    assert preview.is_valid, preview.problems
    from peerlearn.surveys.imports import apply_import

    apply_import(preview)
    stored = Response.objects.filter(survey=survey).order_by("pk").first()
    assert stored is not None
    assert stored.person_id is None and stored.pseudonym == ""
    assert stored.submitted_at is not None
    assert (stored.submitted_at.minute, stored.submitted_at.second) == (0, 0)
    assert "participant@example.org" not in str(stored.answers)


def test_anonymous_import_keeps_no_identity_time_or_language(world):
    survey = followup(world, anonymity="anonymous")
    header = [*KOBO_HEADER, "_email", "_language"]
    rows = [{**kobo_row(f"u{i}"), "_email": "peer@example.org", "_language": "es"} for i in (1, 2)]
    preview = preview_import(survey, csv_bytes(header, rows), "x.csv")
    assert preview.is_valid, preview.problems
    from peerlearn.surveys.imports import apply_import

    apply_import(preview)
    for row in Response.objects.filter(survey=survey):
        assert row.person_id is None and row.pseudonym == ""
        assert row.submitted_at is None and row.language == ""
        assert row.imported_key and "u1" not in row.imported_key


def test_identified_import_needs_an_email_column(world):
    survey = followup(world, anonymity="identified")
    preview = preview_import(survey, csv_bytes(KOBO_HEADER, [kobo_row("a1")]), "x.csv")
    assert [p.row for p in preview.problems] == [None]
    assert "e-mail" in preview.problems[0].message


def test_identified_import_matches_people_the_survey_asks(world):
    survey = followup(world, anonymity="identified")
    header = [*KOBO_HEADER, "_email"]
    rows = [
        {**kobo_row("a1"), "_email": "Participant@example.org"},
        {**kobo_row("a2"), "_email": "outsider@example.org"},  # not asked by this survey
    ]
    preview = preview_import(survey, csv_bytes(header, rows), "x.csv")
    assert [(p.row, p.column) for p in preview.problems] == [(3, "_email")]
    preview = preview_import(survey, csv_bytes(header, rows[:1]), "x.csv")
    from peerlearn.surveys.imports import apply_import

    Invitation.objects.create(survey=survey, person=world.people["participant"])
    apply_import(preview)
    stored = Response.objects.get(survey=survey)
    assert stored.person == world.people["participant"]
    assert stored.submitted_at is not None and stored.submitted_at.second == 42
    invitation = Invitation.objects.get(survey=survey, person=world.people["participant"])
    assert invitation.submitted_at is not None
    # Importing the same person again (another submission id) is skipped, not doubled.
    again = [{**kobo_row("b1"), "_email": "participant@example.org"}]
    preview = preview_import(survey, csv_bytes(header, again), "x.csv")
    assert preview.already_answered == 1 and not preview.rows


def test_an_upload_never_confirmed_is_forgotten_after_the_retention_days(world, login, settings):
    from datetime import timedelta

    from django.utils import timezone

    survey = followup(world)
    old = ResponseImport.objects.create(survey=survey, filename="old.csv", data=b"x")
    ResponseImport.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=settings.ROSTER_UPLOAD_DAYS + 1)
    )
    recent = ResponseImport.objects.create(survey=survey, filename="new.csv", data=b"x")
    upload(
        login(world.users["facilitator"]), world, survey, csv_bytes(KOBO_HEADER, [kobo_row("a")])
    )
    remaining = set(ResponseImport.objects.values_list("pk", flat=True))
    assert old.pk not in remaining and recent.pk in remaining


def test_a_preview_overtaken_by_another_import_stores_nothing(world):
    """Two uploads of the same submissions confirmed at once: the second stores none."""
    from peerlearn.surveys.imports import ImportRace, apply_import

    survey = followup(world)
    first = preview_import(survey, csv_bytes(KOBO_HEADER, [kobo_row("a1")]), "x.csv")
    second = preview_import(
        survey, csv_bytes(KOBO_HEADER, [kobo_row("new"), kobo_row("a1")]), "x.csv"
    )
    assert len(second.rows) == 2  # computed before the first was stored
    apply_import(first)
    with pytest.raises(ImportRace):
        apply_import(second)
    assert Response.objects.filter(survey=survey).count() == 1


def test_header_problems_name_the_header_row_and_the_column(world):
    survey = followup(world)
    data = b"\r\nin_contact,contact/how_often,how_often,favourite_colour,_uuid\r\nno,,,,u1\r\n"
    preview = preview_import(survey, data, "x.csv")
    found = {(p.row, p.column) for p in preview.problems}
    assert found == {(2, "how_often"), (2, "favourite_colour")}


def dated_survey(world) -> Survey:
    """A form of our own with a date, a decimal and a group, imported like any XLSForm."""
    from datetime import timedelta

    from django.utils import timezone
    from openpyxl import Workbook

    from peerlearn.surveys.library import import_xlsform

    book = Workbook()
    survey_sheet = book.active
    survey_sheet.title = "survey"
    for row in (
        ["type", "name", "label", "required"],
        ["begin_group", "visit", "Visit", ""],
        ["date", "visited_on", "Day of the visit", "yes"],
        ["decimal", "hours", "Hours spent", ""],
        ["end_group", "", "", ""],
    ):
        survey_sheet.append(row)
    settings_sheet = book.create_sheet("settings")
    settings_sheet.append(["form_title", "form_id", "version"])
    settings_sheet.append(["Visits", "visits", "2024061201"])
    out = io.BytesIO()
    book.save(out)
    instrument = import_xlsform(world.programme, out.getvalue(), filename="visits.xlsx")
    return Survey.objects.create(
        instrument=instrument,
        programme=world.programme,
        cohort=world.event,
        title="Visits",
        opens_at=timezone.now() - timedelta(days=1),
    )


def test_bad_dates_numbers_and_times_name_their_cells(world):
    from datetime import datetime

    survey = dated_survey(world)
    header = ["visit/visited_on", "visit/hours", "_submission_time", "_uuid"]
    rows = [
        [datetime(2024, 6, 30), 2.5, "2024-06-30T10:15:00", "u1"],  # real XLSX cells
        ["30/06/2024", "two", "yesterday", "u2"],
        ["2024-02-30", "1,5", "", "u3"],
    ]
    preview = preview_import(survey, xlsx_bytes(header, rows), "visits.xlsx")
    found = {(p.row, p.column) for p in preview.problems}
    assert found == {
        (3, "visit/visited_on"),
        (3, "visit/hours"),
        (3, "_submission_time"),
        (4, "visit/visited_on"),
    }
    good = preview_import(survey, xlsx_bytes(header, rows[:1]), "visits.xlsx")
    assert good.rows[0].answers == {"visited_on": "2024-06-30", "hours": 2.5}


def test_peerlearns_own_exports_import_back_into_another_survey(world, login):
    """Labels or codes, names or paths, with 0/1 columns: every shape we write we read."""
    from tests.surveys.test_exports import body_of, export_url
    from tests.surveys.test_exports_kobo import followups

    # the follow-up before its "learned" repeat: its CSV export is one table (a zip after)
    source = make_survey(world, "followup_3m", previous=True)
    source.instrument.min_respondents = 1
    source.instrument.save(update_fields=["min_respondents"])
    followups(source, 3)
    client = login(world.users["facilitator"])

    def canonical(answers: dict) -> str:  # PostgreSQL's JSONB orders keys its own way
        return json.dumps(answers, sort_keys=True)

    for query in ("?values=labels", "?values=codes&headers=paths&split=1", "?split=1"):
        target = make_survey(world, "followup_3m", previous=True, title=f"Later {query}")
        data = body_of(client.get(export_url(source, query=query)))
        preview = preview_import(target, data, "export.csv")
        assert preview.is_valid, (query, preview.problems)
        stored = sorted(
            Response.objects.filter(survey=source).values_list("answers", flat=True), key=canonical
        )
        assert sorted((row.answers for row in preview.rows), key=canonical) == stored
