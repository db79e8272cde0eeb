"""Answering forms that use calculate, choice_filter, default, read_only,
required_message, appearance and ``${field}`` in labels (issue 10).

Each instrument is a real .xlsx written with openpyxl and imported; answers go
through the personal link as a phone would post them (no JavaScript: "save and
continue" re-renders the page), and through the autosave reply the script uses.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from peerlearn.surveys.library import import_xlsform
from peerlearn.surveys.models import Invitation, Response, Survey
from tests.surveys import Rows, write_form

AGREE: Rows = [["list_name", "name", "label"]] + [
    ["agree", str(i), f"Level {i}"] for i in range(1, 6)
]


def open_survey(world, tmp_path: Path, survey: Rows, choices: Rows | None = None) -> Survey:
    path = write_form(
        tmp_path / "form.xlsx", survey, choices, [["form_title", "form_id"], ["T", "t"]]
    )
    instrument = import_xlsform(world.programme, path.read_bytes(), anonymity="identified")
    return Survey.objects.create(
        instrument=instrument,
        programme=world.programme,
        cohort=world.event,
        title="Check",
        opens_at=timezone.now() - timedelta(hours=1),
    )


def link(survey: Survey, person) -> str:
    invitation, _ = Invitation.objects.get_or_create(survey=survey, person=person)
    return reverse("surveys:answer", args=[survey.pk, invitation.issue_link()])


def test_calculated_score_is_stored_with_the_response(world, client, tmp_path):
    survey = open_survey(
        world,
        tmp_path,
        [
            ["type", "name", "label", "calculation", "appearance"],
            ["select_one agree", "q1", "Q1", None, "likert"],
            ["select_one agree", "q2", "Q2", None, "likert"],
            ["calculate", "score", None, "${q1} + ${q2}", None],
            ["calculate", "band", None, "if(${score} >= 8, 'high', 'low')", None],
        ],
        AGREE,
    )
    url = link(survey, world.people["participant"])
    assert client.post(url, {"q1": "4", "q2": "5", "action": "submit"}).status_code == 200
    answers = Response.objects.get().answers
    assert (answers["score"], answers["band"]) == (9, "high")


def cascading(world, tmp_path) -> Survey:
    return open_survey(
        world,
        tmp_path,
        [
            ["type", "name", "label", "choice_filter", "appearance"],
            ["select_one country", "country", "Country", None, None],
            ["select_one ministry", "ministry", "Ministry", "country = ${country}", "minimal"],
        ],
        [
            ["list_name", "name", "label", "country"],
            ["country", "ke", "Kenya", None],
            ["country", "pe", "Peru", None],
            ["ministry", "health_ke", "Ministry of Health (Kenya)", "ke"],
            ["ministry", "health_pe", "Ministerio de Salud (Perú)", "pe"],
        ],
    )


def test_cascading_select_without_javascript(world, client, tmp_path):
    url = link(cascading(world, tmp_path), world.people["participant"])
    saved = client.post(url, {"country": "pe", "action": "save"}, follow=True)
    html = saved.content.decode()
    assert '<select id="in-ministry" name="ministry"' in html  # appearance minimal
    assert 'value="health_pe" data-choice="ministry">' in html
    assert 'value="health_ke" data-choice="ministry" hidden disabled>' in html
    refused = client.post(url, {"country": "pe", "ministry": "health_ke", "action": "submit"})
    assert (
        refused.status_code == 400
        and "Choose only among the options shown." in refused.content.decode()
    )
    assert not Response.objects.exists()
    client.post(url, {"country": "pe", "ministry": "health_pe", "action": "submit"})
    assert Response.objects.get().answers == {"country": "pe", "ministry": "health_pe"}


def test_autosave_reply_tells_the_script_which_choices_to_offer(world, client, tmp_path):
    url = link(cascading(world, tmp_path), world.people["participant"])
    reply = client.post(url + "save/", {"country": "ke"}).json()
    assert reply["choices"] == {"ministry": ["health_ke"]}


def test_default_read_only_required_message_and_piped_note(world, client, tmp_path):
    survey = open_survey(
        world,
        tmp_path,
        [
            [
                "type",
                "name",
                "label",
                "default",
                "read_only",
                "calculation",
                "required",
                "required_message",
            ],
            [
                "integer",
                "people",
                "How many people?",
                "12",
                None,
                None,
                "yes",
                "Say how many, even roughly.",
            ],
            ["text", "unit", "Unit", "team", "yes", None, None, None],
            ["select_one agree", "mood", "Mood", None, None, None, None, None],
            [
                "note",
                "echo",
                "You chose ${mood} for ${people} people",
                None,
                None,
                None,
                None,
                None,
            ],
        ],
        AGREE,
    )
    url = link(survey, world.people["participant"])
    first = client.get(url).content.decode()
    assert 'name="people" value="12"' in first  # default, never saved yet
    assert 'data-text="value-unit">team</p>' in first and ' name="unit"' not in first
    refused = client.post(url, {"people": "", "action": "submit"})
    assert "Say how many, even roughly." in refused.content.decode()
    saved = client.post(
        url, {"people": "7", "mood": "3", "action": "save"}, follow=True
    ).content.decode()
    assert "You chose Level 3 for 7 people" in saved
    reply = client.post(url + "save/", {"people": "8", "mood": "2"}).json()
    assert reply["texts"]["label-echo"] == "You chose Level 2 for 8 people"


def test_cleared_default_stays_cleared_after_a_save(world, client, tmp_path):
    survey = open_survey(
        world,
        tmp_path,
        [
            ["type", "name", "label", "default"],
            ["integer", "people", "How many?", "12"],
            ["text", "t", "T", None],
        ],
    )
    url = link(survey, world.people["participant"])
    page = client.post(
        url, {"people": "", "t": "x", "action": "save"}, follow=True
    ).content.decode()
    assert 'name="people" value=""' in page


@pytest.mark.parametrize("appearance", ["field-list", "multiline", "likert minimal", "quick"])
def test_any_appearance_is_accepted(world, tmp_path, appearance):
    survey = open_survey(
        world,
        tmp_path,
        [["type", "name", "label", "appearance"], ["text", "a", "A", appearance]],
    )
    assert survey.instrument.form.questions()[0].appearance == appearance
