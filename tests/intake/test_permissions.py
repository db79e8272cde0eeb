"""A permission test for every intake and topic view, with every persona (as in tests/site)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.intake import curation
from tests.programmes.test_permissions import MEMBERS, PERSONAS, expect, request_as


def _with_baseline(world):
    curation.save_baseline(curation.propose_draft(world.programme, None), None)
    return world


def _slug(name, *extra):
    return lambda w: reverse(name, args=[w.programme.slug, *extra])


def _person(name):
    return lambda w: reverse(name, args=[w.programme.slug, w.people["peer"].pk])


# (name, url builder, method, expected statuses); the default intake is private.
CASES = [
    ("intake:status", _slug("intake:status"), "get", expect({"facilitator", "evaluator"})),
    ("intake:settings", _slug("intake:settings"), "post", expect({"facilitator"}, ok=302)),
    ("intake:invite", _slug("intake:invite"), "post", expect({"facilitator"}, ok=302)),
    ("intake:remind", _slug("intake:remind"), "post", expect({"facilitator"}, ok=302)),
    # The person themselves and facilitators (tests/roster/test_person_detail_privacy.py).
    ("intake:person", _person("intake:person"), "get", expect({"facilitator", "peer"})),
    ("intake:on_behalf", _person("intake:on_behalf"), "get", expect({"facilitator"})),
    ("intake:topics", _slug("intake:topics"), "get", expect(MEMBERS)),
    ("intake:topics_print", _slug("intake:topics_print"), "get", expect(MEMBERS)),
    ("intake:topics_curate", _slug("intake:topics_curate"), "get", expect({"facilitator"})),
    (
        "intake:topics_propose",
        _slug("intake:topics_propose"),
        "post",
        expect({"facilitator"}, ok=302),
    ),
    (
        "intake:topics_export csv",
        lambda w: reverse("intake:topics_export", args=[_with_baseline(w).programme.slug, "csv"]),
        "get",
        expect({"facilitator", "evaluator"}),
    ),
    (
        "intake:topics_export xlsx",
        lambda w: reverse("intake:topics_export", args=[_with_baseline(w).programme.slug, "xlsx"]),
        "get",
        expect({"facilitator", "evaluator"}),
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "url", "method", "expected"), CASES, ids=[c[0] for c in CASES])
def test_view_permissions(world, login, persona, name, url, method, expected):
    request_as(world, login, persona, name, url, method, expected)


def test_answer_link_is_public_but_needs_a_token(client, db):
    """``intake:answer`` needs no sign-in; the token is the key (see test_intake.py)."""
    assert client.get(reverse("intake:answer", args=["nope"])).status_code == 404


def test_every_view_has_a_permission_case():
    """A new page without a row in CASES fails here."""
    from peerlearn.intake import urls

    covered = {name.split(" ")[0] for name, *_ in CASES} | {"intake:answer"}
    for pattern in urls.urlpatterns:
        assert f"{urls.app_name}:{pattern.name}" in covered, pattern.name


def test_evaluator_sees_person_answers_when_not_private(world, login):
    from peerlearn.intake.models import IntakeSettings

    IntakeSettings.objects.create(programme=world.programme, is_private=False)
    client = login(world.users["evaluator"])
    assert client.get(_person("intake:person")(world)).status_code == 200
    assert client.get(_person("intake:on_behalf")(world)).status_code == 403
