"""Repeat groups: reading, answering one instance at a time, storing, results, exports.

The form is the three-month follow-up the issue names: "which peers did you
keep in contact with, and for each: how often, joint task?".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from peerlearn.surveys.xlsform import XLSFormInvalid, from_dict, read_xlsform, to_dict
from peerlearn.surveys.xlsform.model import Repeat
from tests.surveys import Rows, write_form

FOLLOW_UP: Rows = [
    ["type", "name", "label", "required", "relevant", "calculation", "repeat_count"],
    ["text", "role", "Your role", "yes", None, None, None],
    ["begin_repeat", "peers", "Peers you kept in contact with", None, None, None, None],
    ["text", "peer", "Peer's name", "yes", None, None, None],
    ["select_one often", "often", "How often, with ${peer}?", "yes", None, None, None],
    ["begin_group", "task", "Joint task", None, "${often} != 'never'", None, None],
    ["select_one yn", "joint", "A joint task with ${peer}?", None, None, None, None],
    ["text", "what", "Which task?", None, "${joint} = 'yes'", None, None],
    ["end_group", None, None, None, None, None, None],
    ["calculate", "number", None, None, None, "position(..)", None],
    ["end_repeat", None, None, None, None, None, None],
    ["integer", "hours", "Hours a month on the network", None, None, None, None],
]
FOLLOW_UP_CHOICES: Rows = [
    ["list_name", "name", "label"],
    ["often", "weekly", "Weekly"],
    ["often", "monthly", "Monthly"],
    ["often", "never", "Never"],
    ["yn", "yes", "Yes"],
    ["yn", "no", "No"],
]
SETTINGS: Rows = [["form_title", "form_id"], ["Follow-up", "follow_up"]]


def follow_up(path: Path, survey: Rows = FOLLOW_UP) -> Path:
    return write_form(path / "follow_up.xlsx", survey, FOLLOW_UP_CHOICES, SETTINGS)


def problems(path: Path) -> list[str]:
    with pytest.raises(XLSFormInvalid) as caught:
        read_xlsform(path)
    return [str(p) for p in caught.value.problems]


# ------------------------------------------------------------------ reading


def test_a_repeat_is_read_with_its_group_and_calculation(tmp_path):
    form = read_xlsform(follow_up(tmp_path))
    (repeat,) = form.repeats()
    assert isinstance(repeat, Repeat) and repeat.name == "peers"
    # ordinary questions stay what they were: the repeat's are in its own form
    assert [q.name for q in form.questions()] == ["role", "hours"]
    inner = repeat.form(form)
    assert [q.name for q in inner.questions()] == ["peer", "often", "joint", "what"]
    assert [q.name for q in inner.calculated()] == ["number"]
    assert form.summary()["repeats"] == {"peers": 4}
    assert from_dict(to_dict(form)) == form


def test_repeat_count_is_read_and_checked_against_the_questions_outside(tmp_path):
    survey = [list(row) for row in FOLLOW_UP]
    survey[2][6] = "${hours}"
    form = read_xlsform(follow_up(tmp_path, survey))
    assert form.repeats()[0].count == "${hours}"
    survey[2][6] = "${peer}"
    (message,) = problems(follow_up(tmp_path, survey))
    assert "row 3" in message and "G" in message
    assert "${peer} is inside repeat 'peers'" in message


def test_a_field_inside_a_repeat_cannot_be_used_outside_it(tmp_path):
    survey = [list(row) for row in FOLLOW_UP]
    survey[11][4] = "${often} = 'weekly'"
    (message,) = problems(follow_up(tmp_path, survey))
    assert "row 12" in message and "${often} is inside repeat 'peers'" in message


def test_nested_repeats_are_refused_with_one_clear_line(tmp_path):
    survey = [list(row) for row in FOLLOW_UP]
    survey[7:7] = [
        ["begin_repeat", "meetings", "Meetings", None, None, None, None],
        ["date", "met", "When", None, None, None, None],
        ["end_repeat", None, None, None, None, None, None],
    ]
    found = problems(follow_up(tmp_path, survey))
    assert any("row 8" in m and "repeat 'meetings' is inside repeat 'peers'" in m for m in found), (
        found
    )


def test_an_unclosed_repeat_names_its_row(tmp_path):
    found = problems(follow_up(tmp_path, FOLLOW_UP[:-2]))
    assert any("row 3" in m and "repeat 'peers' is never closed" in m for m in found), found


# ------------------------------------------------------------------ checking


def check(tmp_path: Path, data: dict, survey: Rows = FOLLOW_UP):
    from peerlearn.surveys.answering import check_answers

    return check_answers(read_xlsform(follow_up(tmp_path, survey)), data, "en")


def test_each_instance_is_checked_with_its_own_answers(tmp_path):
    checked = check(
        tmp_path,
        {
            "role": "Mayor",
            "peers": [
                {"peer": "Ana", "often": "never"},
                {"peer": "Ben", "often": "weekly", "joint": "yes", "what": "Budget law"},
                {"often": "monthly"},
                {},
            ],
        },
    )
    # ${often} in a relevance means the same instance's answer
    assert checked.relevant["peers[0].task"] is False
    assert checked.relevant["peers[1].task"] is True and checked.relevant["peers[1].what"]
    # a required question is required in every instance that has answers; an
    # instance left wholly empty is neither checked nor kept
    assert set(checked.errors) == {"peers[2].peer"}
    assert len(checked.typed["peers"]) == 3
    assert checked.typed["peers"][1] == {
        "peer": "Ben",
        "often": "weekly",
        "joint": "yes",
        "what": "Budget law",
        "number": 2,
    }
    assert checked.typed["peers"][0] == {"peer": "Ana", "often": "never", "number": 1}
    assert checked.typed["role"] == "Mayor"


def test_the_page_posts_instances_by_name_and_count(tmp_path):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data.update({"role": "Chair", "peers": "2", "peers[0].peer": "Ana"})
    data.update({"peers[0].often": "weekly", "peers[1].peer": "Ben", "peers[2].peer": "Lost"})
    checked = check(tmp_path, data)
    assert checked.raw["peers"] == [{"peer": "Ana", "often": "weekly"}, {"peer": "Ben"}]
    assert checked.errors == {"peers[1].often": "Please answer this question."}


def test_repeat_count_fixes_the_number_of_instances(tmp_path):
    survey = [list(row) for row in FOLLOW_UP]
    survey[1] = ["integer", "role", "How many peers?", "yes", None, None, None]
    survey[2][6] = "${role}"
    checked = check(tmp_path, {"role": "2", "peers": [{"peer": "A"}, {}, {}, {}]}, survey)
    assert len(checked.raw["peers"]) == 2 and len(checked.instances["peers"]) == 2
    from peerlearn.surveys.answering import change_instances

    form = read_xlsform(follow_up(tmp_path, survey))
    assert change_instances(form, dict(checked.raw), "add:peers") is None


def test_add_and_remove_buttons_change_the_instances(tmp_path):
    from peerlearn.surveys.answering import change_instances

    form = read_xlsform(follow_up(tmp_path))
    raw: dict = {"peers": [{"peer": "A"}, {"peer": "B"}]}
    assert change_instances(form, raw, "add:peers") == "q-peers[2]"
    assert len(raw["peers"]) == 3
    assert change_instances(form, raw, "remove:peers:0") == "q-peers"
    assert raw["peers"] == [{"peer": "B"}, {}]
    assert change_instances(form, raw, "remove:peers:9") is None
    assert change_instances(form, raw, "add:nothing") is None


# ------------------------------------------------------------------ the phone page


def open_survey(world, tmp_path: Path, anonymity: str = "identified", survey: Rows = FOLLOW_UP):
    from datetime import timedelta

    from django.utils import timezone

    from peerlearn.surveys.library import import_xlsform
    from peerlearn.surveys.models import Survey

    instrument = import_xlsform(
        world.programme, follow_up(tmp_path, survey).read_bytes(), anonymity=anonymity
    )
    return Survey.objects.create(
        instrument=instrument,
        programme=world.programme,
        cohort=world.event,
        title="Follow-up",
        opens_at=timezone.now() - timedelta(hours=1),
    )


def link(survey, person) -> str:
    from django.urls import reverse

    from peerlearn.surveys.models import Invitation

    invitation, _ = Invitation.objects.get_or_create(survey=survey, person=person)
    return reverse("surveys:answer", args=[survey.pk, invitation.issue_link()])


@pytest.mark.django_db
def test_add_another_without_javascript_then_submit(world, client, tmp_path):
    from peerlearn.surveys.models import Response

    survey = open_survey(world, tmp_path)
    url = link(survey, world.people["participant"])
    page = client.get(url).content.decode()
    # one instance to start, its fields named by instance, a server-side button
    assert 'name="peers" value="1"' in page and 'name="peers[0].peer"' in page
    assert 'value="add:peers"' in page
    first = {"role": "Chair", "peers": "1", "peers[0].peer": "Ana", "peers[0].often": "weekly"}
    added = client.post(url, {**first, "action": "add:peers"})
    assert added.status_code == 302 and added["Location"].endswith("#q-peers[1]")
    page = client.get(url).content.decode()
    assert 'name="peers" value="2"' in page and 'name="peers[1].peer"' in page
    assert "Ana</textarea>" in page  # what was typed before pressing the button is kept
    # the piped label reads the same instance's answer
    assert "How often, with Ana?" in page
    refused = client.post(
        url, {**first, "peers": "2", "peers[1].often": "never", "action": "submit"}
    )
    assert refused.status_code == 400
    assert "Peers you kept in contact with (2): Peer&#x27;s name" in refused.content.decode()
    done = client.post(
        url,
        {
            **first,
            "peers": "2",
            "peers[0].joint": "yes",
            "peers[0].what": "Joint audit",
            "peers[1].peer": "Ben",
            "peers[1].often": "never",
            "peers[1].joint": "yes",  # the group is not relevant for Ben: not kept
            "hours": "6",
            "action": "submit",
        },
    )
    assert done.status_code == 200
    # the confirmation shows each instance's answers, named by its number
    assert "Peers you kept in contact with (2): Peer&#x27;s name" in done.content.decode()
    answers = Response.objects.get(survey=survey).answers
    # ordinary questions keep their shape; the repeat is a list of instance dicts
    assert answers["role"] == "Chair" and answers["hours"] == 6
    assert answers["peers"] == [
        {"peer": "Ana", "often": "weekly", "joint": "yes", "what": "Joint audit", "number": 1},
        {"peer": "Ben", "often": "never", "number": 2},
    ]


@pytest.mark.django_db
def test_remove_an_instance_without_javascript(world, client, tmp_path):
    survey = open_survey(world, tmp_path)
    url = link(survey, world.people["participant"])
    posted = {"peers": "2", "peers[0].peer": "Ana", "peers[1].peer": "Ben"}
    assert client.post(url, {**posted, "action": "remove:peers:0"}).status_code == 302
    page = client.get(url).content.decode()
    assert 'name="peers" value="1"' in page and "Ben</textarea>" in page
    assert "Ana</textarea>" not in page


@pytest.mark.django_db
def test_autosave_reply_names_instance_fields_as_the_page_does(world, client, tmp_path):
    from django.urls import reverse

    survey = open_survey(world, tmp_path)
    url = link(survey, world.people["participant"])
    token = url.rstrip("/").rsplit("/", 1)[-1]
    save = reverse("surveys:answer_save", args=[survey.pk, token])
    data = {"peers": "2", "peers[0].often": "never", "peers[1].often": "weekly"}
    reply = client.post(save, data).json()
    assert reply["relevant"]["peers[0].task"] is False
    assert reply["relevant"]["peers[1].task"] is True
    assert reply["errors"]["peers[1].peer"]


# ------------------------------------------------------------------ results


def test_repeat_results_count_instances_but_k_counts_respondents(tmp_path):
    from peerlearn.surveys.analysis import summarise_repeats

    form = read_xlsform(follow_up(tmp_path))
    one_busy_person = {
        "role": "A",
        "peers": [{"peer": f"P{i}", "often": "weekly"} for i in range(6)],
    }
    two_more = [
        {"role": "B", "peers": [{"peer": "Q", "often": "monthly", "joint": "yes"}]},
        {"role": "C", "peers": [{"peer": "R", "often": "weekly", "joint": "no"}]},
        {"role": "D"},  # no instance: not a respondent of the repeat
    ]
    # six instances from one person are one respondent: below k=3, nothing shows
    (alone,) = summarise_repeats(form, [one_busy_person, *two_more[2:]], k=3, language="en")
    assert alone.suppressed and alone.questions == [] and alone.instances is None
    (shown,) = summarise_repeats(form, [one_busy_person, *two_more], k=3, language="en")
    assert (shown.respondents, shown.instances) == (3, 8)
    by_name = {q.name: q for q in shown.questions}
    often = by_name["often"]
    assert not often.suppressed and often.answered == 8
    assert {c.name: c.count for c in often.choices} == {"weekly": 7, "monthly": 1, "never": 0}
    # "joint" was answered by two respondents only (k=3): suppressed
    assert by_name["joint"].suppressed and by_name["joint"].answered is None
    assert by_name["peer"].answered == 8 and not by_name["peer"].suppressed


# ------------------------------------------------------------------ exports


def answered_follow_ups(world, tmp_path: Path, anonymity: str = "anonymous"):
    from tests.surveys.test_results_pages import respond

    survey = open_survey(world, tmp_path, anonymity=anonymity)
    for i in range(6):
        peers = [
            {"peer": f"P{i}-{j}", "often": "weekly" if j else "monthly", "number": j + 1}
            for j in range(i % 3)
        ]
        if i == 0:  # one respondent alone answered "what": held back everywhere
            peers = [{"peer": "P0", "often": "weekly", "joint": "yes", "what": "Secret task"}]
        respond(survey, {"role": f"R{i}", "hours": i, **({"peers": peers} if peers else {})})
    return survey


@pytest.mark.django_db
def test_csv_export_is_a_zip_of_linked_tables_like_kobo(world, login, tmp_path):
    import csv
    import io
    import zipfile

    from tests.surveys.test_exports import body_of, export_url

    survey = answered_follow_ups(world, tmp_path)
    client = login(world.users["facilitator"])
    response = client.get(export_url(survey, query="?values=codes"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(body_of(response)))
    main_name, peers_name = sorted(archive.namelist(), key=len)
    assert peers_name.endswith("-peers.csv")

    def rows(name):
        return list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))

    main, peers = rows(main_name), rows(peers_name)
    assert peers[0] == ["_index", "_parent_index", "peer", "often", "joint", "what", "number"]
    roles = {row[0]: row[main[0].index("role")] for row in main[1:]}
    # every instance points at its main row, which has the same respondent's answers
    for row in peers[1:]:
        peer = row[2]
        assert roles[row[1]] == "R" + (peer[1:].split("-")[0] if "-" in peer else "0")
    assert [row[0] for row in peers[1:]] == [str(n) for n in range(1, len(peers))]
    assert len(peers) - 1 == 1 + 1 + 2 + 1 + 2  # instances of respondents 0, 1, 2, 4, 5
    # 'what' was answered by one respondent (< k): blank, and said in the header
    assert "Secret task" not in archive.read(peers_name).decode("utf-8-sig")
    # no name, group, language or date in a repeat row: it joins to the main row only
    assert not {"_group", "_language", "_submitted"} & set(peers[0])


@pytest.mark.django_db
def test_xlsx_export_has_one_sheet_per_repeat(world, login, tmp_path):
    import io

    from openpyxl import load_workbook

    from tests.surveys.test_exports import body_of, export_url

    survey = answered_follow_ups(world, tmp_path, anonymity="identified")
    client = login(world.users["facilitator"])
    book = load_workbook(io.BytesIO(body_of(client.get(export_url(survey, "xlsx")))))
    assert "peers" in book.sheetnames
    sheet = list(book["peers"].values)
    assert sheet[0][:3] == ("_index", "_parent_index", "peer")
    assert len(sheet) == 1 + 7


@pytest.mark.django_db
def test_spss_and_stata_exports_are_one_file_per_table(world, login, tmp_path):
    import io
    import zipfile

    from tests.surveys.test_exports import body_of
    from tests.surveys.test_exports_kobo import read_back, stats_url

    survey = answered_follow_ups(world, tmp_path)
    client = login(world.users["facilitator"])
    for fmt in ("sav", "dta"):
        archive = zipfile.ZipFile(io.BytesIO(body_of(client.get(stats_url(survey, fmt)))))
        names = sorted(archive.namelist(), key=len)
        assert len(names) == 2 and names[1].endswith(f"-peers.{fmt}")
        frame, meta = read_back(None, fmt, archive.read(names[1]))
        assert len(frame) == 7
        often = "often"
        labels = meta.variable_value_labels[often]
        assert set(labels.values()) == {"Weekly", "Monthly", "Never"}
        parents = list(frame["_parent_index" if fmt == "dta" else "v_parent_index"])
        assert parents == sorted(parents) and set(parents) <= {1.0, 2.0, 3.0, 4.0, 5.0, 6.0}
        assert len(set(parents)) == 5  # the five respondents with an instance


def test_the_instrument_download_writes_the_repeat_back(tmp_path):
    from peerlearn.surveys.xlsform import write_xlsform

    survey = [list(row) for row in FOLLOW_UP]
    survey[2][6] = "${hours}"
    form = read_xlsform(follow_up(tmp_path, survey))
    again = read_xlsform(write_xlsform(form), filename="follow_up.xlsx")
    assert again.repeats()[0].count == "${hours}"
    assert to_dict(again)["items"] == to_dict(form)["items"]


# ------------------------------------------------------------------ answers from Kobo


def kobo_export(path: Path, peers_rows: Rows, main_rows: Rows | None = None) -> bytes:
    main = main_rows or [
        ["role", "hours", "_uuid", "_index"],
        ["Chair", 4, "uuid:a1", 1],
        ["Mayor", 2, "uuid:b2", 2],
    ]
    workbook = write_form(path / "kobo.xlsx", None, extra={"Follow-up": main, "peers": peers_rows})
    return workbook.read_bytes()


PEERS_HEADER = ["peers/peer", "peers/often", "peers/task/joint", "_index", "_parent_index"]


@pytest.mark.django_db
def test_kobo_xlsx_with_a_repeat_sheet_is_imported_as_instances(world, tmp_path):
    from peerlearn.surveys.imports import apply_import, preview_import
    from peerlearn.surveys.models import Response

    survey = open_survey(world, tmp_path, anonymity="pseudonymous")
    data = kobo_export(
        tmp_path,
        [
            PEERS_HEADER,
            ["Ana", "Weekly", "yes", 1, 1],
            ["Ben", "never", None, 2, 1],
            ["Cy", "monthly", "no", 3, 2],
        ],
    )
    preview = preview_import(survey, data, "kobo.xlsx")
    assert preview.problems == [] and len(preview.rows) == 2
    assert apply_import(preview) == 2
    stored = {r.answers["role"]: r.answers for r in Response.objects.filter(survey=survey)}
    assert stored["Chair"]["peers"] == [
        {"peer": "Ana", "often": "weekly", "joint": "yes", "number": 1},
        {"peer": "Ben", "often": "never", "number": 2},
    ]
    assert stored["Mayor"]["peers"] == [
        {"peer": "Cy", "often": "monthly", "joint": "no", "number": 1}
    ]


@pytest.mark.django_db
def test_repeat_sheet_problems_name_sheet_row_and_column(world, tmp_path):
    from peerlearn.surveys.imports import preview_import
    from peerlearn.surveys.models import Response

    survey = open_survey(world, tmp_path, anonymity="pseudonymous")
    data = kobo_export(
        tmp_path,
        [
            PEERS_HEADER,
            ["Ana", "daily", None, 1, 1],  # not a choice
            [None, "weekly", None, 2, 2],  # peer is required
        ],
    )
    preview = preview_import(survey, data, "kobo.xlsx")
    found = {(p.row, p.column) for p in preview.problems}
    assert found == {(2, "peers: peers/often"), (3, "peers: peers/peer")}
    orphan = kobo_export(tmp_path, [PEERS_HEADER, ["Dee", "weekly", None, 3, 7]])
    (problem,) = preview_import(survey, orphan, "kobo.xlsx").problems
    assert (problem.row, problem.column) == (2, "peers: _parent_index")
    assert "7" in problem.message
    assert Response.objects.filter(survey=survey).count() == 0


# ------------------------------------------------------------------ anonymity and batches


@pytest.mark.django_db
def test_repeat_rows_come_only_from_published_batches_of_k(world, tmp_path):
    from peerlearn.surveys import publication
    from peerlearn.surveys.exports import export_plan, export_rows, repeat_plans
    from tests.surveys.test_results_pages import respond

    survey = open_survey(world, tmp_path, anonymity="anonymous")
    k = survey.instrument.min_respondents
    for i in range(k + 2):  # one batch of k published; two wait for the next batch
        respond(
            survey,
            {"role": f"R{i}", "peers": [{"peer": f"P{i}", "often": "weekly", "number": 1}]},
            published=False,
            language="",
            when=None,
        )
        publication.release(survey)
    plan = export_plan(survey, values="codes")
    main = list(export_rows(plan))
    (peers,) = repeat_plans(plan)
    rows = list(export_rows(peers))
    assert len(main) == k and len(rows) == k  # the waiting two are in neither table
    parents = {row[0] for row in main}
    assert {row[1] for row in rows} == parents  # each joins to a main row, nothing else
    assert peers.header()[:2] == ["_index", "_parent_index"]
    assert len(peers.header()) == 2 + 5  # answers only: no identity, group, language, date


@pytest.mark.django_db
def test_calculated_fields_are_exported_as_stored_at_submit(world, login, tmp_path):
    import csv
    import io

    from tests.surveys.test_exports import body_of, export_url
    from tests.surveys.test_results_pages import respond

    survey = open_survey(
        world,
        tmp_path,
        anonymity="identified",
        survey=[
            ["type", "name", "label", "required", "relevant", "calculation", "repeat_count"],
            ["integer", "hours", "Hours", None, None, None, None],
            ["calculate", "days", None, None, None, "${hours} div 8", None],
        ],
    )
    for hours in (8, 16, 24, 32, 40):
        # stored values are exported as they are (never recomputed: 99 stays 99)
        respond(survey, {"hours": hours, "days": 99 if hours == 40 else hours // 8})
    client = login(world.users["facilitator"])
    response = client.get(export_url(survey, query="?values=codes"))
    rows = list(csv.reader(io.StringIO(body_of(response).decode("utf-8-sig"))))
    days = [row[rows[0].index("days")] for row in rows[1:]]
    assert sorted(days) == ["1", "2", "3", "4", "99"]


@pytest.mark.django_db
def test_results_page_shows_each_repeat_with_its_own_counts(world, login, tmp_path):
    from django.urls import reverse

    survey = answered_follow_ups(world, tmp_path, anonymity="identified")
    client = login(world.users["facilitator"])
    url = reverse("surveys:results", args=[world.programme.slug, survey.pk])
    page = client.get(url).content.decode()
    assert 'id="repeat-peers"' in page
    assert "7 answers from 5 respondents" in page
