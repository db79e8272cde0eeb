"""Trust: k-suppression in exports, k locked once answered, differencing,
control group, audit events, anonymous rows that join back to nobody, zip bombs.

Each test here is a regression test of the "trust" issue (items 3, 6 and 7 of
the surveys part); see docs/privacy.md, "Surveys: anonymity, k and exports".

The pulse and follow-up here are the versions before the "who did you learn
from" repeat (``make_survey(..., previous=True)``): their CSV export is one
table; a form with a repeat exports a zip of linked tables (tests/surveys/test_repeats.py).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from peerlearn.audit.models import AuditEvent
from peerlearn.people.models import Person
from peerlearn.surveys import answering, publication, sending
from peerlearn.surveys.analysis import summarise_by_group
from peerlearn.surveys.exports import SUPPRESSED, export_plan, export_rows
from peerlearn.surveys.models import Instrument, Invitation, InvitationLink, Response, Survey
from peerlearn.surveys.xlsform import XLSFormInvalid, read_xlsform
from tests.concurrency import at_once
from tests.surveys import full_form
from tests.surveys.conftest import make_survey
from tests.surveys.test_results_pages import respond

PULSE = {"useful": "5", "heard": "4", "will_try": "yes", "what_try": "A stand-up"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def url(name: str, survey: Survey, *args: object) -> str:
    return reverse(f"surveys:{name}", args=[survey.programme.slug, survey.pk, *args])


def newcomer(label: str, **fields) -> Person:
    return Person.objects.create(name=f"Respondent {label}", email=f"{label}@example.net", **fields)


def answer(
    survey: Survey,
    label: str,
    *,
    language: str = "en",
    audience: str = "participant",
    when=None,
    answers: dict | None = None,
) -> Invitation:
    """A new person invited to ``survey`` who answers through the real submit path."""
    invitation = Invitation.objects.create(survey=survey, person=newcomer(label), audience=audience)
    done = answering.submit(invitation, answers or PULSE, language, now=when)
    assert done.ok
    return invitation


def csv_rows(response) -> list[dict[str, str]]:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


# ---------------------------------------------------------------- exports and k


@pytest.mark.parametrize("anonymity", ["anonymous", "pseudonymous"])
@pytest.mark.parametrize("persona", ["facilitator", "evaluator"])
def test_export_holds_no_lone_control_person_and_no_lone_french_speaker(
    world, login, anonymity, persona
):
    """The issue's case: k=5, five participants (one in French), one control person."""
    survey = make_survey(world, "pulse", previous=True, anonymity=anonymity)
    for i in range(5):
        answer(survey, f"p{i}", language="fr" if i == 0 else "en")
    answer(survey, "control", audience="control")
    client = login(world.users[persona])
    book = load_workbook(io.BytesIO(b"".join(client.get(url("export", survey, "xlsx")))))
    sheet = [list(row) for row in book["responses"].iter_rows(values_only=True)]
    group, language = sheet[0].index("_group"), sheet[0].index("_language")
    assert len(sheet) == 6
    assert not {"Control group", "fr"} & {cell for row in sheet[1:] for cell in row}
    assert Counter(row[group] for row in sheet[1:]) == {"Participant": 5}
    assert len({row[language] for row in sheet[1:]}) == 1
    rows = csv_rows(client.get(url("export", survey, "csv")))
    assert len(rows) == 5
    assert not any(row["_group"] == "Control group" for row in rows)
    assert not any(row["_language"] == "fr" for row in rows)
    languages = Counter(row["_language"] for row in rows)
    assert all(n >= 5 for n in languages.values()), languages
    results = client.get(url("results", survey))
    breakdown = results.context["breakdown"]
    assert breakdown is not None and not breakdown.any_shown


def test_export_with_fewer_than_k_responses_has_no_rows(world, login):
    survey = make_survey(world, "pulse", previous=True)
    for i in range(4):
        answer(survey, f"p{i}")
    response = login(world.users["facilitator"]).get(url("export", survey, "csv"))
    assert csv_rows(response) == []
    assert response["X-Peerlearn-Suppressed"] == "fewer than 5 responses"


def test_lone_language_is_replaced_by_the_marker_and_so_is_its_complement(world, login):
    survey = make_survey(world, "pulse", previous=True, anonymity="pseudonymous")
    for i in range(10):
        answer(survey, f"p{i}", language="fr" if i < 5 else "es" if i == 5 else "en")
    response = login(world.users["facilitator"]).get(url("export", survey, "csv"))
    languages = Counter(row["_language"] for row in csv_rows(response))
    # es (1) alone would be recoverable; en (4) goes with it; fr (5) stays.
    assert languages == {"fr": 5, SUPPRESSED: 5}
    assert "_language" in response["X-Peerlearn-Suppressed"]


def test_an_export_keeps_to_the_batches_published_when_it_began(world):
    """Masking is decided on the rows counted first; a batch published while the
    file is written must not slip in unmasked."""
    survey = make_survey(world, "pulse", previous=True, anonymity="pseudonymous")
    for i in range(5):
        answer(survey, f"p{i}")
    plan = export_plan(survey)
    for i in range(5):
        answer(survey, f"later{i}", language="fr" if i == 0 else "en")
    rows = list(export_rows(plan))
    assert len(rows) == plan.responses == 5
    assert len(list(export_rows(export_plan(survey)))) == 10


def settings_url(instrument: Instrument) -> str:
    return reverse("surveys:instrument_settings", args=[instrument.programme.slug, instrument.pk])


def post_settings(client, instrument: Instrument, **changes):
    data = {
        "title": instrument.title,
        "anonymity": instrument.anonymity,
        "min_respondents": instrument.min_respondents,
        **changes,
    }
    return client.post(settings_url(instrument), data)


def test_k_cannot_be_lowered_once_anyone_answered_but_can_be_raised(world, login):
    survey = make_survey(world, "pulse", previous=True)
    instrument = survey.instrument
    answer(survey, "first")
    client = login(world.users["facilitator"])
    refused = post_settings(client, instrument, min_respondents=2)
    assert refused.status_code == 400
    assert "cannot be lowered below 5" in refused.content.decode()
    instrument.refresh_from_db()
    assert instrument.min_respondents == 5
    assert not AuditEvent.objects.filter(action="survey.k_changed").exists()
    assert post_settings(client, instrument, min_respondents=8).status_code == 302
    instrument.refresh_from_db()
    assert instrument.min_respondents == 8
    event = AuditEvent.objects.get(action="survey.k_changed")
    assert event.detail == {"old": 5, "new": 8} and event.programme == world.programme
    assert event.actor == world.users["facilitator"]
    assert post_settings(client, instrument, min_respondents=6).status_code == 400


def test_k_can_be_lowered_before_anyone_answers_and_anonymity_change_is_audited(world, login):
    survey = make_survey(world, "pulse", previous=True)
    instrument = survey.instrument
    client = login(world.users["facilitator"])
    response = post_settings(client, instrument, min_respondents=3, anonymity="pseudonymous")
    assert response.status_code == 302
    k_event = AuditEvent.objects.get(action="survey.k_changed")
    assert k_event.detail == {"old": 5, "new": 3}
    level = AuditEvent.objects.get(action="survey.anonymity_changed")
    assert level.detail == {"old": "anonymous", "new": "pseudonymous"}


def test_every_export_is_audited_with_format_and_row_count(world, login):
    survey = make_survey(world, "pulse", previous=True)
    for i in range(6):
        answer(survey, f"p{i}")
    client = login(world.users["evaluator"])
    client.get(url("export", survey, "csv"))
    client.get(url("export", survey, "xlsx") + "?values=codes")
    events = AuditEvent.objects.filter(action="survey.export").order_by("pk")
    assert [(e.detail["format"], e.detail["rows"], e.detail["values"]) for e in events] == [
        ("csv", 5, "labels"),
        ("xlsx", 5, "codes"),
    ]
    assert all(
        e.actor == world.users["evaluator"] and e.target_id == str(survey.pk) for e in events
    )


# ---------------------------------------------------------------- differencing


def snapshot(client, survey: Survey) -> tuple[object, object, bytes]:
    page = client.get(url("results", survey))
    export = client.get(url("export", survey, "csv"))
    return page.context["summary"], page.context["breakdown"], b"".join(export.streaming_content)


@pytest.mark.parametrize("anonymity", ["anonymous", "pseudonymous"])
def test_one_more_response_changes_no_figure_and_no_export(world, login, anonymity):
    survey = make_survey(world, "pulse", previous=True, anonymity=anonymity)
    for i in range(7):
        answer(survey, f"p{i}", answers={**PULSE, "heard": str(1 + i % 5)})
    control = Invitation.objects.create(
        survey=survey, person=newcomer("control"), audience="control"
    )
    client = login(world.users["facilitator"])
    before = snapshot(client, survey)
    answer(survey, "late", answers={**PULSE, "useful": "1", "what_try": "Something unique"})
    after = snapshot(client, survey)
    assert before == after
    assert answering.submit(control, {**PULSE, "useful": "2"}, "en").ok
    assert snapshot(client, survey) == before, "a control answer alone changes nothing either"
    for i in range(2):
        answer(survey, f"more{i}")
    summary, _breakdown, _export = snapshot(client, survey)
    assert summary.responses == 10, "the second batch of five is published at once"


def test_identified_instruments_publish_every_response_at_once(world, login):
    survey = make_survey(world, "pulse", previous=True, anonymity="identified")
    for i in range(6):
        answer(survey, f"p{i}")
    page = login(world.users["facilitator"]).get(url("results", survey))
    assert page.context["summary"].responses == 6


# ---------------------------------------------------------------- control group


def post_control(client, survey: Survey, addresses: str):
    return client.post(url("survey_control", survey), {"addresses": addresses}, follow=True)


def test_control_address_answer_is_the_same_whether_or_not_it_exists_elsewhere(world, login):
    """A cohort facilitator learns nothing about who is in the network."""
    known = world.people["outsider"]  # facilitates another programme
    first = make_survey(world, "peer_contact", cohort=world.module, title="Module A")
    second = make_survey(world, "peer_contact", cohort=world.module, title="Module A")
    client = login(world.users["module_facilitator"])
    with_known = post_control(client, first, known.email).content.decode()
    with_unknown = post_control(client, second, "nobody.yet@example.com").content.decode()

    def neutral(page: str, address: str, survey: Survey) -> str:
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
        return page.replace(address, "ADDRESS").replace(f"/{survey.pk}/", "/N/")

    assert neutral(with_known, known.email, first) == neutral(
        with_unknown, "nobody.yet@example.com", second
    )
    assert known.name not in with_known
    assert "1 person added to the control group." in with_unknown
    assert Invitation.objects.filter(survey=second, person__email="nobody.yet@example.com").exists()
    assert known.name not in client.get(url("survey_control", first)).content.decode()


@pytest.mark.parametrize(
    "key", ["participant", "facilitator", "module_facilitator", "evaluator", "observer"]
)
def test_members_of_the_programme_cannot_stand_in_as_controls(world, login, key):
    survey = make_survey(world, "peer_contact")
    response = post_control(login(world.users["facilitator"]), survey, world.people[key].email)
    assert response.status_code == 200
    assert "has a role in this programme" in response.content.decode()
    assert not Invitation.objects.filter(survey=survey).exists()
    assert not AuditEvent.objects.filter(action="survey.control_added").exists()


def test_a_control_person_is_added_once_and_audited(world, login):
    survey = make_survey(world, "peer_contact")
    client = login(world.users["facilitator"])
    post_control(client, survey, "a@example.com; A@Example.com, b@example.com")
    again = post_control(client, survey, "a@example.com").content.decode()
    assert "1 person was already asked" in again
    control = Invitation.objects.filter(survey=survey, audience="control")
    assert control.count() == 2
    events = AuditEvent.objects.filter(action="survey.control_added")
    assert [e.detail["count"] for e in events] == [2]
    assert sorted(events[0].detail["people"]) == sorted(control.values_list("person", flat=True))


def test_control_respondents_answer_only_through_their_own_link(world, login):
    """Nothing lets the facilitator answer for a control person: no link is ever shown."""
    survey = make_survey(world, "peer_contact")
    client = login(world.users["facilitator"])
    post_control(client, survey, "c@example.com")
    sending.send_due(survey)
    from django.core import mail

    token_url = next(m.body for m in mail.outbox if m.to == ["c@example.com"])
    path = token_url.split("/s/")[1].split()[0]
    for name in ("survey", "survey_control"):
        assert path not in client.get(url(name, survey)).content.decode()


# ---------------------------------------------------------------- stored rows


def test_anonymous_rows_join_back_to_nobody(world):
    """Given only the database rows, join responses to invitations by id order,
    by time and by language: every response stays among at least k people."""
    survey = make_survey(world, "pulse", previous=True, anonymity="anonymous", reminder_days=[1])
    start = timezone.now() - timedelta(days=3)
    people = []
    for i in range(7):
        person = newcomer(f"r{i}", languages=["fr"] if i == 3 else ["en"])
        people.append(Invitation.objects.create(survey=survey, person=person))
    sending.send_due(survey, now=start + timedelta(hours=1))
    sending.send_due(survey, now=start + timedelta(days=1, hours=13))  # the reminder
    for i, invitation in enumerate(people):
        language = "fr" if i == 3 else "es" if i == 6 else "en"
        answers = {**PULSE, "what_try": f"plan of {i}"}
        moment = start + timedelta(days=i // 3, minutes=7 * i)
        assert answering.submit(invitation, answers, language, now=moment).ok
    k = survey.instrument.min_respondents
    responses = list(Response.objects.filter(survey=survey).values())
    invitations = list(Invitation.objects.filter(survey=survey).values())
    links = list(InvitationLink.objects.filter(invitation__survey=survey).values())
    assert len(responses) == 7 and sum(r["batch"] is not None for r in responses) == 5
    assert all(r["submitted_at"] is None and r["language"] == "" for r in responses)
    assert all(r["person_id"] is None and r["pseudonym"] == "" for r in responses)

    def invitation_key(row: dict) -> tuple:
        times = ("created_at", "sent_at", "started_at", "submitted_at", "last_reminded_at")
        link_times = sorted(
            link["created_at"] for link in links if link["invitation_id"] == row["id"]
        )
        return (*(row[name] for name in times), row["reminder_count"], row["language"], *link_times)

    # By time and by language: the response carries neither, so an invitation
    # can only be told apart by its own times and language, and no two differ.
    keys = Counter(invitation_key(row) for row in invitations)
    assert len(keys) == 1, keys
    # By id order: rank i of the responses would be rank i of the invitations
    # in answering order, but that order is one tie of everyone.
    by_id = sorted(responses, key=lambda r: r["id"])
    ranked = sorted(invitations, key=invitation_key)
    for rank, _response in enumerate(by_id):
        candidates = [row for row in ranked if invitation_key(row) == invitation_key(ranked[rank])]
        assert len(candidates) >= k
    # Pending (not yet published) responses would be the last people to answer:
    # nothing tells who they were.
    assert all(row["submitted_at"] == survey.created_at for row in invitations)


def test_published_anonymous_rows_are_rewritten_in_random_order(world):
    """Ids of a published batch do not follow the order people answered in."""
    survey = make_survey(world, "pulse", previous=True, anonymity="anonymous")
    orders = set()
    for attempt in range(6):
        with transaction.atomic():
            sid = transaction.savepoint()
            for i in range(5):
                answer(survey, f"o{attempt}-{i}", answers={**PULSE, "what_try": str(i)})
            rows = Response.objects.filter(survey=survey).order_by("pk")
            orders.add(tuple(r.answers["what_try"] for r in rows))
            transaction.savepoint_rollback(sid)
    assert len(orders) > 1, "six batches all kept the answering order"


# ---------------------------------------------------------------- property


breakdown_rows = st.lists(
    st.tuples(
        st.sampled_from(["participant", "control"]),
        st.sampled_from(["en", "fr", "es", ""]),
        st.integers(min_value=0, max_value=96),
    ),
    max_size=18,
)


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=breakdown_rows,
    k=st.integers(min_value=2, max_value=5),
    anonymity=st.sampled_from(["pseudonymous", "anonymous"]),
    cohort=st.sampled_from(["event", "module", None]),
)
def test_no_exported_row_or_figure_rests_on_fewer_than_k_people(world, rows, k, anonymity, cohort):
    base = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=5)
    sid = transaction.savepoint()
    try:
        survey = make_survey(
            world,
            "pulse",
            previous=True,
            anonymity=anonymity,
            cohort=getattr(world, cohort) if cohort else None,
        )
        Instrument.objects.filter(pk=survey.instrument_id).update(min_respondents=k)
        survey.instrument.min_respondents = k
        for n, (audience, language, hours) in enumerate(rows):
            respond(
                survey,
                {"useful": str(1 + n % 5), "will_try": "no"},
                audience=audience,
                language=language,
                when=base + timedelta(hours=hours),
                published=False,
            )
            publication.release(survey)
        plan = export_plan(survey, values="codes")
        header = plan.header()
        exported = [dict(zip(header, row, strict=True)) for row in export_rows(plan)]
        assert len(exported) == 0 or len(exported) >= k
        combos = Counter((r["_group"], r["_language"], r["_submitted"]) for r in exported)
        assert all(n >= k for n in combos.values()), combos
        groups = Counter(r["_group"] for r in exported)
        assert all(n >= k for n in groups.values()), groups
        answered = Counter(name for r in exported for name in ("useful",) if r[name] is not None)
        assert all(n >= k for n in answered.values())
        shown = list(publication.published(survey).values_list("answers", "audience"))
        summary, groups = summarise_by_group(
            survey.instrument.form, shown, ["participant", "control"], k=k, language="en"
        )
        assert summary.responses is None or summary.responses >= k
        assert all(g.responses >= k for g in groups.groups if g.responses is not None)
    finally:
        transaction.savepoint_rollback(sid)


# ---------------------------------------------------------------- zip bombs


def zip_bomb(source: Path, target: Path, padding_mb: int) -> Path:
    """A real workbook whose first sheet gets ``padding_mb`` MB of trailing spaces
    (still well-formed XML), written in 1 MB chunks so memory stays small."""
    chunk = b" " * 1024 * 1024
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as bomb,
    ):
        for info in original.infolist():
            data = original.read(info.filename)
            with bomb.open(info.filename, "w", force_zip64=True) as member:
                member.write(data)
                if info.filename == "xl/worksheets/sheet1.xml":
                    for _ in range(padding_mb):
                        member.write(chunk)
    return target


@pytest.fixture
def bomb(tmp_path) -> Path:
    return zip_bomb(full_form(tmp_path / "form.xlsx"), tmp_path / "bomb.xlsx", padding_mb=200)


def test_zip_bomb_upload_is_refused_before_it_is_unpacked(world, login, bomb):
    assert bomb.stat().st_size < 2 * 1024 * 1024
    client = login(world.users["facilitator"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("bomb.xlsx", bomb.read_bytes(), content_type=XLSX)
    response = client.post(
        reverse("surveys:instrument_import", args=[world.programme.slug]),
        {"file": upload, "anonymity": "anonymous"},
    )
    assert response.status_code == 400
    assert "would unpack to 200 MB" in response.content.decode()
    assert not Instrument.objects.filter(programme=world.programme).exists()


def test_zip_bomb_is_refused_by_the_reader_too(bomb):
    with pytest.raises(XLSFormInvalid, match="zip bomb|unpacks to"):
        read_xlsform(bomb.read_bytes())


def test_unpacked_limit_comes_from_the_setting(world, login, settings, tmp_path):
    form = full_form(tmp_path / "form.xlsx")
    client = login(world.users["facilitator"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    def post():
        upload = SimpleUploadedFile("form.xlsx", form.read_bytes(), content_type=XLSX)
        return client.post(
            reverse("surveys:instrument_import", args=[world.programme.slug]),
            {"file": upload, "anonymity": "anonymous"},
        )

    settings.XLSFORM_MAX_UNPACKED_BYTES = 2000
    refused = post()
    assert refused.status_code == 400 and "would unpack" in refused.content.decode()
    settings.XLSFORM_MAX_UNPACKED_BYTES = 50 * 1024 * 1024
    assert post().status_code == 302


# ---------------------------------------------------------------- concurrency


@pytest.mark.django_db(transaction=True)
def test_batches_stay_whole_when_many_submit_at_once(world):
    """Runs on SQLite and on PostgreSQL (DATABASE_URL): 12 submissions at the
    same instant make two batches of exactly five and leave two waiting."""
    from tests.surveys.test_answering import submit_waiting_for_locks

    survey = make_survey(world, "pulse", previous=True, anonymity="anonymous")
    invitations = [
        Invitation.objects.create(survey=survey, person=newcomer(f"c{i}")) for i in range(12)
    ]
    copies = [
        Invitation.objects.select_related("survey__instrument", "person").get(pk=i.pk)
        for i in invitations
    ]
    outcomes, failures = at_once(
        [lambda mine=mine: submit_waiting_for_locks(mine, PULSE).ok for mine in copies],
        timeout=60,
    )
    assert failures == []
    assert outcomes == [True] * 12, outcomes
    sizes = Counter(Response.objects.filter(survey=survey).values_list("batch", flat=True))
    assert sizes == {1: 5, 2: 5, None: 2}, sizes
