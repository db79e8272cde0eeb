"""Who may read results, comparisons, exports and codebooks: every persona, every view.

The survey's facilitators (of the programme, or of the survey's cohort) and
the programme's evaluators read them; other members get 403; outsiders 404;
anonymous visitors are sent to sign in.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from peerlearn.surveys.library import install_builtin
from peerlearn.surveys.models import Survey
from tests.programmes.test_permissions import PERSONAS, expect, request_as
from tests.surveys.conftest import make_survey
from tests.surveys.test_results_pages import respond

READERS = {"facilitator", "evaluator"}
COHORT_READERS = READERS | {"module_facilitator"}  # a survey of the module


def _event(w) -> Survey:
    survey = make_survey(w, "pulse")
    for _ in range(5):
        respond(survey, {"useful": "4", "stuck": "Private text"})
    return survey


def _module(w) -> Survey:
    return make_survey(w, "pulse", cohort=w.module, title="Module pulse")


def _url(name, w, survey, *rest):
    return reverse(f"surveys:{name}", args=[w.programme.slug, survey.pk, *rest])


def _compare(w, a, b):
    return reverse("surveys:compare", args=[w.programme.slug]) + f"?a={a.pk}&b={b.pk}"


CASES = [
    ("surveys:results", lambda w: _url("results", w, _event(w)), "get", expect(READERS)),
    (
        "surveys:results module",
        lambda w: _url("results", w, _module(w)),
        "get",
        expect(COHORT_READERS),
    ),
    (
        "surveys:compare picker",
        lambda w: reverse("surveys:compare", args=[w.programme.slug]),
        "get",
        expect(COHORT_READERS),
    ),
    (
        "surveys:compare",
        lambda w: _compare(w, _event(w), make_survey(w, "pulse", title="Later")),
        "get",
        expect(READERS),
    ),
    (
        "surveys:compare module",
        lambda w: _compare(w, _module(w), make_survey(w, "pulse", cohort=w.module)),
        "get",
        expect(COHORT_READERS),
    ),
    ("surveys:export csv", lambda w: _url("export", w, _event(w), "csv"), "get", expect(READERS)),
    (
        "surveys:export xlsx",
        lambda w: _url("export", w, _event(w), "xlsx"),
        "get",
        expect(READERS),
    ),
    (
        "surveys:export module",
        lambda w: _url("export", w, _module(w), "csv"),
        "get",
        expect(COHORT_READERS),
    ),
    (
        "surveys:export_statistical sav",
        lambda w: _url("export_statistical", w, _event(w), "sav"),
        "get",
        expect(READERS),
    ),
    (
        "surveys:export_statistical dta module",
        lambda w: _url("export_statistical", w, _module(w), "dta"),
        "get",
        expect(COHORT_READERS),
    ),
    (
        "surveys:codebook csv",
        lambda w: _url("codebook", w, _event(w), "csv"),
        "get",
        expect(READERS),
    ),
    (
        "surveys:codebook xlsx",
        lambda w: _url("codebook", w, _event(w), "xlsx"),
        "get",
        expect(READERS),
    ),
]

OWNED = {
    "surveys:results",
    "surveys:compare",
    "surveys:export",
    "surveys:export_statistical",
    "surveys:codebook",
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "url", "method", "expected"), CASES, ids=[c[0] for c in CASES])
def test_view_permissions(world, login, persona, name, url, method, expected):
    response = request_as(world, login, persona, name, url, method, expected)
    if response.status_code != 200:
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"Private text" not in content


def test_every_results_view_has_a_permission_case():
    """A results or export url without a row in CASES fails here."""
    from peerlearn.surveys import urls

    covered = {name.split(" ")[0] for name, *_ in CASES}
    assert covered == OWNED
    for pattern in urls.urlpatterns:
        callback = pattern.callback
        if callback.__module__ == "peerlearn.surveys.views_results":
            assert f"{urls.app_name}:{pattern.name}" in covered, pattern.name


@pytest.mark.parametrize(
    ("name", "rest"),
    [("results", ()), ("export", ("csv",)), ("export", ("xlsx",)), ("codebook", ("csv",))],
)
def test_a_survey_of_another_programme_is_404(world, login, name, rest):
    theirs = Survey.objects.create(
        instrument=install_builtin(world.other_programme, "pulse"),
        programme=world.other_programme,
        title="Elsewhere",
        opens_at=timezone.now(),
    )
    for persona in ("facilitator", "evaluator"):
        url = reverse(f"surveys:{name}", args=[world.programme.slug, theirs.pk, *rest])
        assert login(world.users[persona]).get(url).status_code == 404
    # ... and its own facilitator, the outsider, cannot reach it through our programme
    url = reverse(f"surveys:{name}", args=[world.programme.slug, theirs.pk, *rest])
    assert login(world.users["outsider"]).get(url).status_code == 404


def test_k_suppression_applies_to_facilitators_and_evaluators_alike(world, login):
    survey = make_survey(world, "pulse")
    for _ in range(4):
        respond(survey, {"stuck": "Private text"})
    for persona in READERS:
        client = login(world.users[persona])
        page = client.get(_url("results", world, survey))
        assert page.status_code == 200 and b"Private text" not in page.content
        export = client.get(_url("export", world, survey, "csv"))
        assert b"Private text" not in b"".join(export.streaming_content)
        assert export["X-Peerlearn-Suppressed"] == "fewer than 5 responses"
