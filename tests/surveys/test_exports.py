"""CSV and XLSX exports and the codebook, read back with ``csv`` and ``openpyxl``.

The pulse and follow-up here are the versions before the "who did you learn
from" repeat (``make_survey(..., previous=True)``): their CSV export is one
table; a form with a repeat exports a zip of linked tables (tests/surveys/test_repeats.py).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from peerlearn.surveys.identity import pseudonym_for
from peerlearn.surveys.models import Response
from tests.surveys.conftest import make_survey
from tests.surveys.test_results_pages import respond

PULSE_QUESTIONS = ["useful", "heard", "will_try", "what_try", "stuck"]


def export_url(survey, fmt="csv", query=""):
    return reverse("surveys:export", args=[survey.programme.slug, survey.pk, fmt]) + query


def codebook_url(survey, fmt="csv", query=""):
    return reverse("surveys:codebook", args=[survey.programme.slug, survey.pk, fmt]) + query


def body_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def read_csv(response) -> list[list[str]]:
    data = body_of(response)
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(response) -> dict[str, list[list[object]]]:
    book = load_workbook(io.BytesIO(body_of(response)))
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
    }


def pulses(survey, count=5, **extra):
    for i in range(count):
        respond(
            survey,
            {
                "useful": "4",
                "heard": str(1 + i % 5),
                "will_try": "yes",
                "what_try": f"Plan {i}",
                "stuck": f"Stuck {i}",
            },
            **extra,
        )


def test_csv_is_streamed_with_labels_by_default_and_codes_on_request(world, login):
    survey = make_survey(world, "pulse", previous=True)
    pulses(survey)
    client = login(world.users["facilitator"])
    response = client.get(export_url(survey))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    rows = read_csv(response)
    assert rows[0] == ["_response", "_group", "_language", "_submitted", *PULSE_QUESTIONS]
    assert [row[0] for row in rows[1:]] == ["1", "2", "3", "4", "5"]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["useful"] == "Agree" and first["will_try"] == "Yes"
    assert first["_group"] == "Participant" and first["_language"] == "en"
    codes = read_csv(client.get(export_url(survey, query="?values=codes")))
    first = dict(zip(codes[0], codes[1], strict=True))
    assert (
        first["useful"] == "4" and first["will_try"] == "yes" and first["_group"] == "participant"
    )
    assert "X-Peerlearn-Suppressed" not in response


def test_labels_in_the_language_asked(world, login):
    survey = make_survey(world, "pulse", previous=True)
    pulses(survey)
    rows = read_csv(login(world.users["facilitator"]).get(export_url(survey, query="?lang=fr")))
    assert rows[1][rows[0].index("useful")] == "Plutôt d'accord"


def test_select_multiple_labels_joined_and_codes_spaced(world, login):
    survey = make_survey(world, "peer_contact")
    for _ in range(5):
        respond(survey, {"respondent": "participant", "peers": 2, "gained": ["ideas", "network"]})
    client = login(world.users["facilitator"])
    labels = read_csv(client.get(export_url(survey)))
    codes = read_csv(client.get(export_url(survey, query="?values=codes")))
    column = labels[0].index("gained")
    form = survey.instrument.form
    label = {c.name: c.label["en"] for c in form.choice_lists["gain"].choices}
    ideas, network = label["ideas"], label["network"]
    assert labels[1][column] == f"{ideas}; {network}"
    assert codes[1][codes[0].index("gained")] == "ideas network"
    # one column per answerable question, in form order (the note is not one)
    names = [q.name for q in form.questions()]
    assert labels[0][-len(names) :] == names and "peer_definition" not in labels[0]


def test_identity_columns_of_an_identified_instrument_by_persona(world, login):
    survey = make_survey(world, "pulse", previous=True, anonymity="identified")
    for key in ("participant", "peer", "module_facilitator", "observer", "evaluator"):
        respond(survey, {"useful": "3"}, person=world.people[key])
    facilitator = read_csv(login(world.users["facilitator"]).get(export_url(survey)))
    assert facilitator[0][:6] == [
        "_response",
        "_name",
        "_email",
        "_group",
        "_language",
        "_submitted",
    ]
    assert "participant@example.org" in {row[2] for row in facilitator[1:]}
    assert "Participant Person" in {row[1] for row in facilitator[1:]}
    # submitted: date and time for identified instruments
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", facilitator[1][5])
    # evaluators see names of identified instruments but no e-mail addresses
    evaluator = read_csv(login(world.users["evaluator"]).get(export_url(survey)))
    assert evaluator[0][:3] == ["_response", "_name", "_group"]
    assert not any("@" in cell for row in evaluator for cell in row)


def test_pseudonymous_exports_codes_never_names_even_if_a_person_was_stored(world, login):
    survey = make_survey(world, "peer_contact", anonymity="pseudonymous")
    for key in ("participant", "peer", "module_facilitator", "observer", "evaluator"):
        person = world.people[key]
        respond(
            survey,
            {"respondent": "participant", "peers": 1},
            person=person,  # should never be stored; exports must ignore it anyway
            pseudonym=pseudonym_for(world.programme.pk, person.pk),
            when=datetime(2024, 6, 12, 15, 0, tzinfo=UTC),
        )
    for persona in ("facilitator", "evaluator"):
        rows = read_csv(login(world.users[persona]).get(export_url(survey)))
        assert rows[0][:5] == ["_response", "_pseudonym", "_group", "_language", "_submitted"]
        text = "\n".join(",".join(row) for row in rows)
        assert "Person" not in text and "@example.org" not in text
        codes = [row[1] for row in rows[1:]]
        assert all(re.fullmatch(r"P-[0-9A-F]{10}", code) for code in codes)
        assert codes == sorted(codes), "rows ordered by code, not by submission time"
        assert {row[4] for row in rows[1:]} == {"2024-06-12"}  # date only


def test_anonymous_exports_no_identity_even_if_one_was_stored(world, login):
    survey = make_survey(world, "pulse", previous=True, anonymity="anonymous")
    for key in ("participant", "peer", "module_facilitator", "observer", "evaluator"):
        respond(survey, {"useful": "3"}, person=world.people[key], pseudonym=f"P-{key[:10]}")
    for persona in ("facilitator", "evaluator"):
        for fmt in ("csv", "xlsx"):
            response = login(world.users[persona]).get(export_url(survey, fmt))
            rows = read_csv(response) if fmt == "csv" else read_xlsx(response)["responses"]
            assert list(rows[0][:4]) == ["_response", "_group", "_language", "_submitted"]
            text = repr(rows)
            assert "Person" not in text and "P-" not in text and "@" not in text


def test_fewer_than_k_responses_give_headers_only_and_a_note(world, login):
    survey = make_survey(world, "pulse", previous=True)
    pulses(survey, count=4)
    client = login(world.users["facilitator"])
    response = client.get(export_url(survey))
    assert response.status_code == 200
    assert response["X-Peerlearn-Suppressed"] == "fewer than 5 responses"
    assert read_csv(response) == [
        ["_response", "_group", "_language", "_submitted", *PULSE_QUESTIONS]
    ]
    response = client.get(export_url(survey, "xlsx"))
    assert response["X-Peerlearn-Suppressed"] == "fewer than 5 responses"
    sheets = read_xlsx(response)
    assert len(sheets["responses"]) == 1
    assert "fewer than 5 responses" in sheets["notes"][0][0]
    pulses(survey, count=1)
    response = client.get(export_url(survey))
    assert "X-Peerlearn-Suppressed" not in response and len(read_csv(response)) == 6


def test_a_question_answered_by_fewer_than_k_is_blank(world, login):
    survey = make_survey(world, "pulse", previous=True)
    for i in range(6):
        respond(survey, {"useful": "4", **({"stuck": f"secret {i}"} if i < 4 else {})})
    response = login(world.users["evaluator"]).get(export_url(survey))
    assert (
        response["X-Peerlearn-Suppressed"] == "fewer than 5 answers: heard will_try what_try stuck"
    )
    rows = read_csv(response)
    column = rows[0].index("stuck")
    assert [row[column] for row in rows[1:]] == [""] * 6
    assert {row[rows[0].index("useful")] for row in rows[1:]} == {"Agree"}
    assert "secret" not in body_of(
        login(world.users["evaluator"]).get(export_url(survey, "xlsx"))
    ).decode("latin-1")


def test_answers_to_questions_that_were_not_relevant_are_blank(world, login):
    survey = make_survey(world, "pulse", previous=True)
    pulses(survey, count=5)
    respond(survey, {"useful": "2", "will_try": "no", "what_try": "left over from an edit"})
    rows = read_csv(login(world.users["facilitator"]).get(export_url(survey)))
    assert "left over from an edit" not in {cell for row in rows for cell in row}


def test_formulas_are_neutralised_in_csv_and_xlsx(world, login):
    survey = make_survey(world, "peer_contact")
    evil = ['=HYPERLINK("http://x")', "+1+1", "-2-3", "@SUM(A1)", "\tTab", "\rCR"]
    for i, text in enumerate(evil):
        respond(
            survey, {"respondent": "participant", "peers": -1 if i == 0 else 2, "example": text}
        )
    client = login(world.users["facilitator"])
    rows = read_csv(client.get(export_url(survey)))
    column = rows[0].index("example")
    assert sorted(row[column] for row in rows[1:]) == sorted("'" + t for t in evil)
    peers = rows[0].index("peers")
    assert "-1" in {row[peers] for row in rows[1:]}  # a number is a number, not text
    book = load_workbook(io.BytesIO(body_of(client.get(export_url(survey, "xlsx")))))
    sheet = book["responses"]
    header = [c.value for c in sheet[1]]
    cells = [row[header.index("example")] for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type == "s" and str(c.value).startswith("'") for c in cells)
    numbers = [row[header.index("peers")].value for row in sheet.iter_rows(min_row=2)]
    assert -1 in numbers and all(isinstance(n, int) for n in numbers)


def test_xlsx_is_a_file_response_with_a_codebook_sheet(world, login):
    survey = make_survey(world, "pulse", previous=True)
    pulses(survey)
    response = login(world.users["facilitator"]).get(export_url(survey, "xlsx", "?values=codes"))
    assert isinstance(response, FileResponse)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheets = read_xlsx(response)
    assert list(sheets) == ["responses", "codebook"]
    assert sheets["responses"][0] == [
        "_response",
        "_group",
        "_language",
        "_submitted",
        *PULSE_QUESTIONS,
    ]
    assert [row[0] for row in sheets["responses"][1:]] == [1, 2, 3, 4, 5]
    assert sheets["responses"][1][4] == "4"
    assert sheets["codebook"][0][:6] == [
        "variable",
        "label",
        "type",
        "required",
        "relevant",
        "constraint",
    ]


def test_codebook_lists_variables_labels_rules_and_codes(world, login):
    survey = make_survey(world, "pulse", previous=True)
    client = login(world.users["facilitator"])
    response = client.get(codebook_url(survey))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert rows[0] == [
        "variable",
        "label",
        "type",
        "required",
        "relevant",
        "constraint",
        "code",
        "code_label",
    ]
    by_variable = {row[0]: row for row in rows[1:] if row[2]}
    assert by_variable["useful"][1] == "Today helped me with my own challenge."
    assert by_variable["useful"][2] == "select_one agree5"
    assert by_variable["what_try"][4] == "${will_try} = 'yes'"
    assert by_variable["_response"][2] == "meta" and "_name" not in by_variable
    codes = [(row[6], row[7]) for row in rows[1:] if row[0] == "useful" and row[6]]
    assert codes[0] == ("1", "Strongly disagree") and len(codes) == 5
    french = read_csv(client.get(codebook_url(survey, query="?lang=fr")))
    assert "Oui" in {row[7] for row in french if row[0] == "will_try"}
    sheets = read_xlsx(client.get(codebook_url(survey, "xlsx")))
    assert sheets["codebook"][0][0] == "variable"
    assert any(row[0] == "useful" and row[6] == "5" for row in sheets["codebook"])


def test_codebook_of_an_identified_instrument_lists_the_identity_columns(world, login):
    survey = make_survey(world, "pulse", previous=True, anonymity="identified")
    rows = read_csv(login(world.users["facilitator"]).get(codebook_url(survey)))
    assert {"_name", "_email"} <= {row[0] for row in rows}


def test_control_group_in_exports(world, login):
    survey = make_survey(world, "pulse", previous=True)
    pulses(survey, count=5)
    pulses(survey, count=5, audience="control")
    rows = read_csv(login(world.users["facilitator"]).get(export_url(survey)))
    assert sorted(row[1] for row in rows[1:]) == ["Control group"] * 5 + ["Participant"] * 5


def test_groups_under_k_are_suppressed_in_exports_together(world, login):
    survey = make_survey(world, "pulse", previous=True)
    pulses(survey, count=3)
    pulses(survey, count=3, audience="control")
    response = login(world.users["facilitator"]).get(export_url(survey))
    rows = read_csv(response)
    assert [row[1] for row in rows[1:]] == ["[suppressed]"] * 6
    assert "_group" in response["X-Peerlearn-Suppressed"]


def test_bad_values_parameter_is_400(world, login):
    survey = make_survey(world, "pulse", previous=True)
    response = login(world.users["facilitator"]).get(export_url(survey, query="?values=both"))
    assert response.status_code == 400


def test_export_streams_more_than_one_chunk(world, login):
    survey = make_survey(world, "pulse", previous=True)
    now = timezone.now()
    Response.objects.bulk_create(
        Response(
            survey=survey,
            answers={"useful": str(1 + i % 5), "will_try": "no", "stuck": f"s{i}"},
            submitted_at=now,
            batch=0,
        )
        for i in range(4500)
    )
    response = login(world.users["facilitator"]).get(export_url(survey, query="?values=codes"))
    chunks = list(response.streaming_content)
    assert len(chunks) > 3  # BOM + header, then batches: never one big string
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    assert len(rows) == 4501
    assert [row[0] for row in rows[1:4]] == ["1", "2", "3"] and rows[-1][0] == "4500"
    useful = rows[0].index("useful")
    assert sorted({row[useful] for row in rows[1:]}) == ["1", "2", "3", "4", "5"]
