"""Survey answers to exchanges: the built-in repeat "who did you learn from, and what?".

Real XLSForm-built surveys (the shipped pulse and follow-ups), answered
through the real answer page: each repeat instance of an identified response
becomes one exchange when the answers are submitted (a task after the
commit); pseudonymous and anonymous answers never do; re-running the task or
the facilitator's "import from survey" adds nothing.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from peerlearn.audit.models import AuditEvent
from peerlearn.mel.from_surveys import Skipped, answer_sets, exchanges_from_responses
from peerlearn.mel.models import Exchange
from peerlearn.mel.tasks import exchanges_from_response
from peerlearn.surveys.instruments import path
from peerlearn.surveys.library import import_xlsform, install_builtin
from peerlearn.surveys.models import Invitation, Response
from peerlearn.surveys.xlsform import read_xlsform
from tests.surveys.conftest import make_survey

PULSE = {"useful": "4", "heard": "5", "will_try": "no", "action": "submit"}


def _link(survey, person) -> str:
    invitation, _ = Invitation.objects.get_or_create(survey=survey, person=person)
    return reverse("surveys:answer", args=[survey.pk, invitation.issue_link()])


def _instances(*rows: dict[str, str]) -> dict[str, str]:
    """The answer page's fields for repeat instances (``learned[0].learned_from``...)."""
    posted = {"learned": str(len(rows))}
    for index, row in enumerate(rows):
        posted.update({f"learned[{index}].{name}": value for name, value in row.items()})
    return posted


def _answer(client, survey, person, posted, capture):
    client.logout()
    with capture(execute=True) as callbacks:
        reply = client.post(_link(survey, person), posted)
    assert reply.status_code == 200, reply.content.decode()[:2000]
    return Response.objects.get(survey=survey, person=person), callbacks


def test_built_ins_ask_the_item_as_a_repeat_with_raised_versions():
    for name, version in (("pulse", "2"), ("followup_3m", "3"), ("followup_6m", "3")):
        form = read_xlsform(path(name))
        assert form.version == version
        (repeat,) = [r for r in form.repeats() if r.name == "learned"]
        inner = [q.name for q in repeat.form(form).questions()]
        assert inner == ["learned_from", "learned_what", "learned_kind", "learned_applied"]
        kinds = [c.name for c in form.choice_lists["exchange_kind"].choices]
        assert kinds == ["advice", "tool", "visit", "joint_task", "contact"]


def test_each_instance_of_an_identified_pulse_becomes_an_exchange_on_submit(
    world, client, django_capture_on_commit_callbacks
):
    survey = make_survey(world, "pulse", anonymity="identified")
    assert survey.instrument.version == "2"
    posted = PULSE | _instances(
        {
            "learned_from": "PEER@example.org",
            "learned_what": "Their costing template",
            "learned_kind": "tool",
            "learned_applied": "yes",
        },
        {"learned_from": "Facilitator Person", "learned_what": "How to chair a hard meeting"},
        {"learned_from": "", "learned_what": ""},  # left blank: not stored, not mapped
    )
    response, callbacks = _answer(
        client, survey, world.people["participant"], posted, django_capture_on_commit_callbacks
    )
    assert len(response.answers["learned"]) == 2 and len(callbacks) == 1
    rows = Exchange.objects.filter(response=response).order_by("response_item")
    assert [(e.giver.name, e.kind, e.applied, e.response_item) for e in rows] == [
        ("Peer Person", "tool", "yes", 1),
        ("Facilitator Person", "advice", "unknown", 2),
    ]
    first = rows[0]
    assert first.receiver == world.people["participant"] and first.source == "survey"
    assert first.recorded_by == world.people["participant"]
    assert first.when == timezone.localdate(response.submitted_at)
    assert first.learned == "Their costing template"
    # the named person is asked to confirm, as for any exchange
    client.force_login(world.users["peer"])
    assert (
        "Their costing template"
        in client.get(reverse("mel:mine", args=["reform-leaders"])).content.decode()
    )

    # the task again, then the manual import: nothing new
    again = exchanges_from_response.enqueue(response.pk).return_value
    assert again == {"created": [], "skipped": {"already_mapped": 2}}
    assert exchanges_from_responses([response]).skipped == [
        Skipped(response.pk, 1, "already_mapped"),
        Skipped(response.pk, 2, "already_mapped"),
    ]
    assert Exchange.objects.count() == 2


def test_follow_up_instances_map_only_for_those_in_contact(
    world, client, django_capture_on_commit_callbacks
):
    survey = make_survey(world, "followup_3m", anonymity="identified")
    contact = {
        "in_contact": "yes",
        "which_peers": "Peer",
        "how_often": "monthly",
        "joint_task": "no",
        "benefits": "advice",
        "shared": "no",
        "action": "submit",
    }
    _answer(
        client,
        survey,
        world.people["participant"],
        contact | _instances({"learned_from": "peer@example.org", "learned_what": "A data audit"}),
        django_capture_on_commit_callbacks,
    )
    # not in contact: the repeat is not relevant, so nothing is stored and nothing maps
    out_of_touch = {"in_contact": "no", "shared": "no", "action": "submit"}
    response, callbacks = _answer(
        client,
        survey,
        world.people["peer"],
        out_of_touch | _instances({"learned_from": "participant@example.org", "learned_what": "x"}),
        django_capture_on_commit_callbacks,
    )
    assert "learned" not in response.answers and callbacks == []
    (exchange,) = Exchange.objects.all()
    assert (exchange.giver, exchange.receiver) == (
        world.people["peer"],
        world.people["participant"],
    )


@pytest.mark.parametrize("anonymity", ["pseudonymous", "anonymous"])
def test_pseudonymous_answers_never_become_named_exchanges(
    world, client, login, django_capture_on_commit_callbacks, anonymity
):
    survey = make_survey(world, "pulse", anonymity=anonymity)
    posted = PULSE | _instances({"learned_from": "peer@example.org", "learned_what": "Budgets"})
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(_link(survey, world.people["participant"]), posted).status_code == 200
    assert not Exchange.objects.exists()
    (response,) = Response.objects.filter(survey=survey)
    assert response.answers["learned"][0]["learned_from"] == "peer@example.org"
    assert exchanges_from_responses([response]).skipped == [
        Skipped(response.pk, 1, "not_identified")
    ]
    # the import page offers nothing to import for it
    page = login(world.users["facilitator"]).get(
        reverse("mel:from_survey", args=[world.programme.slug])
    )
    assert "Not identified: nothing to import" in page.content.decode()
    assert (
        login(world.users["facilitator"])
        .post(reverse("mel:from_survey", args=[world.programme.slug]), {"survey": survey.pk})
        .status_code
        == 302
    )
    assert not Exchange.objects.exists()


def test_refused_answers_come_back_with_a_code_and_write_nothing(world):
    survey = make_survey(world, "pulse", anonymity="identified")

    def submitted(person, *instances, **flat):
        answers = dict(flat)
        if instances:
            answers["learned"] = list(instances)
        return Response.objects.create(
            survey=survey, person=person, answers=answers, submitted_at=timezone.now()
        )

    stranger = submitted(world.people["participant"], {"learned_from": "nobody@example.org"})
    itself = submitted(world.people["peer"], {"learned_from": "Peer  Person"})
    twice = submitted(
        world.people["observer"],
        {"learned_from": "peer@example.org", "learned_kind": "visit"},
        {"learned_from": "peer@example.org", "learned_kind": "visit"},
    )
    flat = submitted(
        world.people["evaluator"], learned_from="peer@example.org", learned_what="Old form"
    )
    # a control-group respondent is not in the programme: never an exchange
    outsider = submitted(world.people["outsider"], {"learned_from": "peer@example.org"})
    result = exchanges_from_responses(Response.objects.filter(survey=survey).order_by("pk"))
    assert result.skipped == [
        Skipped(stranger.pk, 1, "unknown_person"),
        Skipped(itself.pk, 1, "self_loop"),
        Skipped(twice.pk, 2, "duplicate"),
        Skipped(outsider.pk, 1, "outside"),
    ]
    assert sorted(Exchange.objects.values_list("response_id", "response_item")) == [
        (twice.pk, 1),
        (flat.pk, 0),
    ]


def test_answer_sets_read_flat_answers_and_each_filled_instance():
    answers = {"learned": [{"learned_from": "a"}, {"learned_what": "no one named"}, "junk"]}
    assert list(answer_sets(answers)) == [(1, {"learned_from": "a"})]
    assert list(answer_sets({"learned": "not a list"})) == []
    assert list(answer_sets(None)) == []


def test_facilitators_import_again_from_a_survey_they_manage(world, login):
    survey = make_survey(world, "pulse", anonymity="identified")
    # answers that arrived without the task (e.g. imported): the page maps them
    response = Response.objects.bulk_create(
        [
            Response(
                survey=survey,
                person=world.people["participant"],
                answers={"learned": [{"learned_from": "peer@example.org", "learned_what": "x"}]},
                submitted_at=timezone.now(),
            )
        ]
    )[0]
    assert not Exchange.objects.exists()
    url = reverse("mel:from_survey", args=[world.programme.slug])
    client = login(world.users["facilitator"])
    page = client.get(url).content.decode()
    assert f'data-survey="{survey.pk}"' in page and "Import exchanges" in page
    done = client.post(url, {"survey": survey.pk}, follow=True).content.decode()
    assert "1 exchanges recorded" in done
    assert Exchange.objects.get().response_id == response.pk
    again = client.post(url, {"survey": survey.pk}, follow=True).content.decode()
    assert "0 exchanges recorded" in again and "already turned into an exchange" in again
    assert Exchange.objects.count() == 1
    event = AuditEvent.objects.filter(action="exchange.import_survey").latest("pk")
    assert event.detail == {"created": 0, "skipped": {"already_mapped": 1}}
    # the module's facilitator does not manage the event's survey: not listed, not importable
    module = login(world.users["module_facilitator"])
    assert f'data-survey="{survey.pk}"' not in module.get(url).content.decode()
    assert module.post(url, {"survey": survey.pk}).status_code == 404


def test_a_programme_keeps_the_version_it_installed(world, tmp_path):
    """Raising a built-in's version leaves installed copies, and their answers, as they were."""
    installed = install_builtin(world.programme, "pulse")
    older = installed.definition
    older["version"] = "1"
    older["items"] = [i for i in older["items"] if i.get("name") != "learned"]
    type(installed).objects.filter(pk=installed.pk).update(version="1", definition=older)
    Response.objects.create(
        survey=make_survey(world, "pulse"), answers={"useful": "4", "heard": "3", "will_try": "no"}
    )
    again = install_builtin(world.programme, "pulse")
    assert again.pk == installed.pk and again.version == "1"
    assert again.form.repeats() == []
    # the new version comes in beside it, as an import of the shipped workbook
    newer = import_xlsform(world.programme, path("pulse").read_bytes(), anonymity="identified")
    assert newer.version == "2" and newer.form.repeats()


def test_the_item_exports_as_its_own_linked_table(
    world, client, login, django_capture_on_commit_callbacks
):
    import csv
    import io
    import zipfile

    survey = make_survey(world, "pulse", anonymity="identified")
    survey.instrument.min_respondents = 2
    survey.instrument.save(update_fields=["min_respondents"])
    for person, named in (("participant", "peer@example.org"), ("peer", "Participant Person")):
        posted = PULSE | _instances({"learned_from": named, "learned_what": "Costing"})
        _answer(client, survey, world.people[person], posted, django_capture_on_commit_callbacks)
    export = login(world.users["facilitator"]).get(
        reverse("surveys:export", args=[world.programme.slug, survey.pk, "csv"])
    )
    data = b"".join(export.streaming_content) if export.streaming else export.content
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        (table,) = [n for n in archive.namelist() if n.endswith("-learned.csv")]
        rows = list(csv.DictReader(io.StringIO(archive.read(table).decode("utf-8-sig"))))
    assert sorted(r["learned_from"] for r in rows) == ["Participant Person", "peer@example.org"]
    assert Exchange.objects.filter(source="survey").count() == 2
