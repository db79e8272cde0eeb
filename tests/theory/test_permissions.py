"""A permission test for every theory-of-change page, with every persona.

Facilitators of the programme write; cohort facilitators and evaluators
read everything; participants and observers read the approved map only when
the programme shares it, and nothing else.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.theory import urls as theory_urls
from peerlearn.theory.models import TheoryOfChange
from peerlearn.theory.services import approve, theory_for
from tests.programmes.test_permissions import MEMBERS, PERSONAS, expect, request_as

READERS = {"facilitator", "module_facilitator", "evaluator"}


def url(name, args=lambda w: [], query=""):
    return lambda w: reverse(f"theory:{name}", args=[w.programme.slug, *args(w)]) + query


def _shared(w):
    theory = theory_for(w.programme)
    TheoryOfChange.objects.filter(pk=theory.pk).update(shared_with_participants=True)
    return []


def _approved(w):
    approve(theory_for(w.programme).revisions.get(number=1), w.users["facilitator"])
    return []


CASES = [
    ("theory:map", url("map"), "get", expect(READERS)),
    ("theory:map shared", url("map", _shared), "get", expect(MEMBERS)),
    ("theory:as_of", url("as_of", query="?date=2026-01-01"), "get", expect(READERS)),
    ("theory:as_of shared", url("as_of", _shared), "get", expect(READERS)),
    ("theory:edit", url("edit"), "get", expect({"facilitator"})),
    ("theory:propose", url("propose"), "post", expect({"facilitator"}, ok=302)),
    ("theory:share", url("share"), "post", expect({"facilitator"}, ok=302)),
    ("theory:evidence", url("evidence"), "get", expect({"facilitator"})),
    ("theory:history", url("history"), "get", expect(READERS)),
    ("theory:revision", url("revision", lambda w: [1]), "get", expect(READERS)),
    ("theory:approve", url("approve", lambda w: [1]), "post", expect({"facilitator"}, ok=302)),
    (
        "theory:approve already approved",
        url("approve", lambda w: _approved(w) + [1]),
        "post",
        expect({"facilitator"}, ok=302),
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "url", "method", "expected"), CASES, ids=[c[0] for c in CASES])
def test_view_permissions(world, login, persona, name, url, method, expected):
    request_as(world, login, persona, name, url, method, expected)


def test_other_programmes_theory_is_invisible(world, login):
    theory_for(world.other_programme)
    client = login(world.users["facilitator"])
    response = client.get(reverse("theory:revision", args=[world.other_programme.slug, 1]))
    assert response.status_code == 404


def test_every_theory_url_has_a_permission_row():
    """A new theory page without a row in CASES fails here."""
    covered = {name.split(" ")[0] for name, *_ in CASES}
    declared = {f"{theory_urls.app_name}:{p.name}" for p in theory_urls.urlpatterns}
    missing = declared - covered
    assert not missing, f"no permission test for {sorted(missing)}"
