"""A permission test for every survey scheduling page, with every persona.

Facilitators of the programme manage every survey; a cohort's facilitator
manages that cohort's surveys; evaluators read lists and progress but cannot
change anything; participants and observers get 403; outsiders 404.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.surveys import urls as survey_urls
from peerlearn.surveys.models import Survey
from tests.programmes.test_permissions import PERSONAS, expect, request_as
from tests.surveys.conftest import make_survey

READERS = {"facilitator", "evaluator"}
SCHEDULERS = {"facilitator", "module_facilitator"}
MINE = [
    "surveys",
    "survey_new",
    "survey",
    "survey_edit",
    "survey_send",
    "survey_control",
    "survey_cancel",
]


def _event(w) -> Survey:
    return make_survey(w, "pulse")


def _module(w) -> Survey:
    return make_survey(w, "pulse", cohort=w.module, title="Module pulse")


def _elsewhere(w) -> Survey:
    """A survey of the other programme, reached under this programme's address."""
    from peerlearn.surveys.library import install_builtin

    instrument = install_builtin(w.other_programme, "pulse")
    return make_survey(w, "pulse", instrument=instrument, programme=w.other_programme, cohort=None)


def url(name, w, *args):
    return reverse(f"surveys:{name}", args=[w.programme.slug, *args])


CASES = [
    ("surveys:surveys", lambda w: url("surveys", w), "get", expect(READERS | SCHEDULERS)),
    ("surveys:survey_new", lambda w: url("survey_new", w), "get", expect(SCHEDULERS)),
    (
        "surveys:survey_new post",
        lambda w: url("survey_new", w),
        "post",
        expect(SCHEDULERS),  # an empty form comes back with errors
    ),
    ("surveys:survey", lambda w: url("survey", w, _event(w).pk), "get", expect(READERS)),
    (
        "surveys:survey module",
        lambda w: url("survey", w, _module(w).pk),
        "get",
        expect(READERS | {"module_facilitator"}),
    ),
    (
        "surveys:survey of another programme",
        lambda w: url("survey", w, _elsewhere(w).pk),
        "get",
        expect(READERS | {"module_facilitator"}, ok=404),
    ),
    (
        "surveys:survey_edit",
        lambda w: url("survey_edit", w, _event(w).pk),
        "get",
        expect({"facilitator"}),
    ),
    (
        "surveys:survey_edit module",
        lambda w: url("survey_edit", w, _module(w).pk),
        "get",
        expect(SCHEDULERS),
    ),
    (
        "surveys:survey_edit of another programme",
        lambda w: url("survey_edit", w, _elsewhere(w).pk),
        "get",
        expect(SCHEDULERS, ok=404),
    ),
    (
        "surveys:survey_send",
        lambda w: url("survey_send", w, _event(w).pk),
        "post",
        expect({"facilitator"}, ok=302),
    ),
    (
        "surveys:survey_send module",
        lambda w: url("survey_send", w, _module(w).pk),
        "post",
        expect(SCHEDULERS, ok=302),
    ),
    (
        "surveys:survey_control",
        lambda w: url("survey_control", w, _event(w).pk),
        "get",
        expect({"facilitator"}),
    ),
    (
        "surveys:survey_control module",
        lambda w: url("survey_control", w, _module(w).pk),
        "get",
        expect(SCHEDULERS),
    ),
    (
        "surveys:survey_control post",
        lambda w: url("survey_control", w, _event(w).pk),
        "post",
        expect({"facilitator"}),  # an empty form comes back with errors
    ),
    (
        "surveys:survey_cancel",
        lambda w: url("survey_cancel", w, _event(w).pk),
        "post",
        expect({"facilitator"}, ok=302),
    ),
    (
        "surveys:survey_cancel module",
        lambda w: url("survey_cancel", w, _module(w).pk),
        "post",
        expect(SCHEDULERS, ok=302),
    ),
    (
        "surveys:survey_cancel of another programme",
        lambda w: url("survey_cancel", w, _elsewhere(w).pk),
        "post",
        expect(SCHEDULERS, ok=404),
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "url", "method", "expected"), CASES, ids=[c[0] for c in CASES])
def test_view_permissions(world, login, persona, name, url, method, expected):
    request_as(world, login, persona, name, url, method, expected)


def test_every_scheduling_view_has_a_permission_case():
    covered = {name.split(" ")[0] for name, *_ in CASES}
    names = {p.name for p in survey_urls.urlpatterns}
    for name in MINE:
        assert name in names, f"{name} is not a url name any more"
        assert f"surveys:{name}" in covered, name


@pytest.mark.parametrize("name", ["survey_send", "survey_cancel", "survey_control", "survey_edit"])
def test_evaluator_reads_but_cannot_post(world, login, name):
    survey = _event(world)
    client = login(world.users["evaluator"])
    assert client.get(url("survey", world, survey.pk)).status_code == 200
    data = {"addresses": "outsider@example.org", "title": "Changed"}
    assert client.post(url(name, world, survey.pk), data).status_code == 403
    survey.refresh_from_db()
    assert survey.cancelled_at is None and survey.title != "Changed"
    assert not survey.invitations.exists()


def test_evaluator_cannot_schedule(world, login):
    client = login(world.users["evaluator"])
    assert client.post(url("survey_new", world), {"title": "x"}).status_code == 403
    assert not Survey.objects.exists()


def test_send_and_cancel_refuse_get(world, login):
    survey = _event(world)
    client = login(world.users["facilitator"])
    for name in ("survey_send", "survey_cancel"):
        assert client.get(url(name, world, survey.pk)).status_code == 405
