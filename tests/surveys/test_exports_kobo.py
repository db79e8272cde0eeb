"""Exports in Kobo's shapes (group/question headers, 0/1 choice columns) and as SPSS/Stata files.

SPSS and Stata files are read back with pyreadstat: variable labels, value
labels and values, and the same k-suppression and breakdown masking as CSV.

The pulse and follow-up here are the versions before the "who did you learn
from" repeat (``make_survey(..., previous=True)``): their CSV export is one
table; a form with a repeat exports a zip of linked tables (tests/surveys/test_repeats.py).
"""

from __future__ import annotations

import os
import tempfile

import pyreadstat
from django.urls import reverse

from peerlearn.audit.models import AuditEvent
from peerlearn.surveys.exports import SUPPRESSED, statistical_names
from tests.surveys.conftest import make_survey
from tests.surveys.test_exports import body_of, export_url, read_csv
from tests.surveys.test_results_pages import respond


def followups(survey, count=5, **extra):
    for i in range(count):
        respond(
            survey,
            {
                "in_contact": "yes",
                "which_peers": f"Peer {i}",
                "how_often": "monthly" if i % 2 else "weekly",
                "joint_task": "no",
                "benefits": ["advice", "contacts"] if i % 2 else ["none"],
                "shared": "no",
            },
            **extra,
        )


def stats_url(survey, fmt, query=""):
    args = [survey.programme.slug, survey.pk, fmt]
    return reverse("surveys:export_statistical", args=args) + query


def read_back(response, fmt, data: bytes | None = None):
    """The file as pyreadstat reads it (a data frame and its metadata)."""
    with tempfile.NamedTemporaryFile(suffix=f".{fmt}", delete=False) as handle:
        handle.write(body_of(response) if data is None else data)
    try:
        reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
        return reader(handle.name)
    finally:
        os.unlink(handle.name)


def test_paths_headers_and_split_choice_columns_like_kobo(world, login):
    survey = make_survey(world, "followup_3m", previous=True)
    followups(survey)
    client = login(world.users["facilitator"])
    rows = read_csv(client.get(export_url(survey, query="?values=codes&headers=paths&split=1")))
    header = rows[0]
    assert "contact/how_often" in header and "back_home/shared" in header
    assert "how_often" not in header
    at = header.index("benefits")
    assert header[at + 1 : at + 4] == ["benefits/advice", "benefits/documents", "benefits/contacts"]
    by_name = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    chosen = [r for r in by_name if r["benefits"] == "advice contacts"]
    assert chosen and all(r["benefits/advice"] == "1" and r["benefits/none"] == "0" for r in chosen)
    # Default export is unchanged: names only, no split columns.
    plain = read_csv(client.get(export_url(survey)))[0]
    assert "how_often" in plain and "benefits/advice" not in plain


def test_split_columns_stay_blank_for_a_question_answered_by_fewer_than_k(world, login):
    survey = make_survey(world, "followup_3m", previous=True)
    followups(survey, 4)
    respond(survey, {"in_contact": "no", "shared": "no"})  # 5 responses, 4 answered benefits
    client = login(world.users["facilitator"])
    rows = read_csv(client.get(export_url(survey, query="?split=1&values=codes")))
    header = rows[0]
    split = [i for i, name in enumerate(header) if name.startswith("benefits")]
    assert len(split) == 7  # the joined column and six choices
    assert all(row[i] == "" for row in rows[1:] for i in split)


def test_wrong_export_options_are_refused(world, login):
    survey = make_survey(world, "followup_3m", previous=True)
    client = login(world.users["facilitator"])
    assert client.get(export_url(survey, query="?headers=labels")).status_code == 400
    assert client.get(export_url(survey, query="?split=yes")).status_code == 400


def test_spss_file_has_variable_and_value_labels(world, login):
    survey = make_survey(world, "followup_3m", previous=True)
    followups(survey)
    client = login(world.users["facilitator"])
    response = client.get(stats_url(survey, "sav", "?split=1&headers=paths"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    frame, meta = read_back(response, "sav")
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert "contact_how_often" in frame.columns and "v_response" in frame.columns
    assert labels["contact_how_often"] == survey.instrument.form.find("how_often").label["en"]
    values = meta.variable_value_labels["contact_how_often"]
    assert values == {
        1.0: "Every week or more",
        2.0: "About once a month",
        3.0: "Every few months",
        4.0: "Only once",
    }
    assert sorted(frame["contact_how_often"].tolist()) == [1, 1, 1, 2, 2]
    assert meta.variable_value_labels["benefits_advice"] == {0.0: "no", 1.0: "yes"}
    assert "Advice on a problem" in labels["benefits_advice"]
    assert frame["benefits_advice"].tolist().count(1) == 2
    event = AuditEvent.objects.filter(action="survey.export").latest("pk")
    assert event.detail["format"] == "sav" and event.detail["rows"] == 5


def test_stata_file_keeps_numeric_codes_of_likert_lists(world, login):
    survey = make_survey(world, "pulse", previous=True)
    for i in range(5):
        respond(survey, {"useful": str(1 + i % 5), "heard": "4", "will_try": "no"})
    client = login(world.users["evaluator"])
    frame, meta = read_back(client.get(stats_url(survey, "dta")), "dta")
    assert sorted(frame["useful"].tolist()) == [1, 2, 3, 4, 5]
    assert meta.variable_value_labels["useful"][5] == "Strongly agree"
    assert meta.variable_value_labels["will_try"] == {1: "Yes", 2: "No"}
    assert set(frame["will_try"].tolist()) == {2}
    assert "_response" in frame.columns  # Stata accepts a leading underscore


def test_statistical_files_hold_no_rows_below_k(world, login):
    survey = make_survey(world, "pulse", previous=True)
    for _ in range(4):
        respond(survey, {"useful": "4", "heard": "4", "will_try": "no", "stuck": "Private"})
    client = login(world.users["facilitator"])
    for fmt in ("sav", "dta"):
        response = client.get(stats_url(survey, fmt))
        assert response["X-Peerlearn-Suppressed"] == "fewer than 5 responses"
        data = body_of(response)
        assert b"Private" not in data
        frame, _meta = read_back(response, fmt, data)
        assert len(frame) == 0


def test_statistical_files_mask_a_lone_language_like_csv(world, login):
    survey = make_survey(world, "pulse", previous=True)
    for i in range(6):
        language = "fr" if i == 0 else "en"
        respond(survey, {"useful": "4", "heard": "4", "will_try": "no"}, language=language)
    client = login(world.users["facilitator"])
    frame, _meta = read_back(client.get(stats_url(survey, "sav")), "sav")
    assert "fr" not in frame["v_language"].tolist()
    assert set(frame["v_language"].tolist()) == {SUPPRESSED}


def test_statistical_names_are_valid_and_unique():
    header = ["_response", "group/q", "group-q", "1st", "x" * 70]
    assert statistical_names(header, "sav") == [
        "v_response",
        "group_q",
        "group_q_2",
        "v1st",
        "x" * 64,
    ]
    assert statistical_names(header, "dta")[:4] == ["_response", "group_q", "group_q_2", "v1st"]
    assert len(statistical_names(header, "dta")[4]) == 32


def test_codebook_names_the_columns_of_the_same_shape(world, login):
    survey = make_survey(world, "followup_3m", previous=True)
    followups(survey)
    client = login(world.users["facilitator"])
    url = reverse("surveys:codebook", args=[survey.programme.slug, survey.pk, "csv"])
    variables = {row[0] for row in read_csv(client.get(url + "?headers=paths&split=1"))[1:]}
    export_header = read_csv(client.get(export_url(survey, query="?headers=paths&split=1")))[0]
    assert set(export_header) <= variables
    plain = {row[0] for row in read_csv(client.get(url))[1:]}
    assert "how_often" in plain and "contact/how_often" not in plain
