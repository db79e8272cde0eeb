"""Who may import answers from KoboToolbox or ODK: the survey's facilitators only.

Facilitators of the programme import into any survey; a cohort's facilitator
into that cohort's surveys; evaluators (who read results) and every other
member get 403; outsiders 404; anonymous visitors are sent to sign in.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.surveys.models import ResponseImport, Survey
from tests.programmes.test_permissions import PERSONAS, expect, request_as
from tests.surveys.conftest import make_survey

MANAGERS = {"facilitator"}
COHORT_MANAGERS = MANAGERS | {"module_facilitator"}
CSV = b"useful,heard,will_try,_uuid\r\n4,4,no,u-1\r\n"


def _event(w) -> Survey:
    return make_survey(w, "pulse")


def _module(w) -> Survey:
    return make_survey(w, "pulse", cohort=w.module, title="Module pulse")


def _upload_url(w, survey: Survey) -> str:
    return reverse("surveys:response_import", args=[w.programme.slug, survey.pk])


def _preview_url(w, survey: Survey) -> str:
    pending = ResponseImport.objects.create(survey=survey, filename="x.csv", data=CSV)
    return reverse(
        "surveys:response_import_preview", args=[w.programme.slug, survey.pk, pending.pk]
    )


CASES = [
    (
        "surveys:response_import",
        lambda w: _upload_url(w, _event(w)),
        "get",
        expect(MANAGERS),
    ),
    (
        "surveys:response_import post",
        lambda w: _upload_url(w, _event(w)),
        "post",
        expect(MANAGERS, ok=400),  # no file: the form comes back with its error
    ),
    (
        "surveys:response_import module",
        lambda w: _upload_url(w, _module(w)),
        "get",
        expect(COHORT_MANAGERS),
    ),
    (
        "surveys:response_import_preview",
        lambda w: _preview_url(w, _event(w)),
        "get",
        expect(MANAGERS),
    ),
    (
        "surveys:response_import_preview module",
        lambda w: _preview_url(w, _module(w)),
        "get",
        expect(COHORT_MANAGERS),
    ),
    (
        "surveys:response_import_preview post",
        lambda w: _preview_url(w, _event(w)),
        "post",
        expect(MANAGERS, ok=302),  # confirmed: back to the survey
    ),
]

OWNED = {"surveys:response_import", "surveys:response_import_preview"}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "url", "method", "expected"), CASES, ids=[c[0] for c in CASES])
def test_view_permissions(world, login, persona, name, url, method, expected):
    request_as(world, login, persona, name, url, method, expected)
    if method == "post" and name.startswith("surveys:response_import_preview"):
        imported = expected[persona] == 302 and persona != "anonymous"
        assert ResponseImport.objects.filter(applied_at__isnull=False).exists() == imported


def test_an_upload_of_another_survey_is_404(world, login):
    mine, theirs = _event(world), make_survey(world, "pulse", title="Another")
    pending = ResponseImport.objects.create(survey=theirs, filename="x.csv", data=CSV)
    url = reverse(
        "surveys:response_import_preview", args=[world.programme.slug, mine.pk, pending.pk]
    )
    assert login(world.users["facilitator"]).get(url).status_code == 404


def test_every_import_view_has_a_permission_case():
    from peerlearn.surveys import urls

    covered = {name.split(" ")[0] for name, *_ in CASES}
    assert covered == OWNED
    for pattern in urls.urlpatterns:
        if pattern.callback.__module__ == "peerlearn.surveys.views_imports":
            assert f"{urls.app_name}:{pattern.name}" in covered, pattern.name
