"""A permission test for every instrument page, with every persona.

Facilitators of the programme import, install and edit instruments;
facilitators of any cohort (here the module's) and evaluators read them;
participants and observers get 403, outsiders 404, anonymous visitors are sent
to sign in.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.surveys import urls as survey_urls
from peerlearn.surveys.library import install_builtin
from peerlearn.surveys.models import Instrument
from tests.programmes.test_permissions import PERSONAS, expect

READERS = {"facilitator", "module_facilitator", "evaluator"}
OWNED = {
    "instruments",
    "instrument_install",
    "instrument_import",
    "instrument",
    "instrument_settings",
    "instrument_export",
}


def url(name: str, *args: object) -> str:
    return reverse(f"surveys:{name}", args=args)


def _pulse(w) -> int:
    return install_builtin(w.programme, "pulse").pk


CASES = [
    ("surveys:instruments", lambda w: url("instruments", w.programme.slug), "get", expect(READERS)),
    (
        "surveys:instrument_install",
        lambda w: url("instrument_install", w.programme.slug),
        "post",
        expect({"facilitator"}, ok=302),
    ),
    (
        "surveys:instrument_import",
        lambda w: url("instrument_import", w.programme.slug),
        "get",
        expect({"facilitator"}),
    ),
    (
        "surveys:instrument_import post",
        lambda w: url("instrument_import", w.programme.slug),
        "post",
        # An empty upload: the facilitator gets the form back with an error.
        expect({"facilitator"}, ok=400),
    ),
    (
        "surveys:instrument",
        lambda w: url("instrument", w.programme.slug, _pulse(w)),
        "get",
        expect(READERS),
    ),
    (
        "surveys:instrument_settings",
        lambda w: url("instrument_settings", w.programme.slug, _pulse(w)),
        "get",
        expect({"facilitator"}),
    ),
    (
        "surveys:instrument_settings post",
        lambda w: url("instrument_settings", w.programme.slug, _pulse(w)),
        "post",
        expect({"facilitator"}, ok=400),  # nothing posted: the form says what is missing
    ),
    (
        "surveys:instrument_export",
        lambda w: url("instrument_export", w.programme.slug, _pulse(w)),
        "get",
        expect(READERS),
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "url", "method", "expected"), CASES, ids=[c[0] for c in CASES])
def test_view_permissions(world, login, persona, name, url, method, expected):
    client = login(None if persona == "anonymous" else world.users[persona])
    target = url(world)
    if name == "surveys:instrument_install":
        response = client.post(target, {"name": "pulse"})
    else:
        response = getattr(client, method)(target)
    assert response.status_code == expected[persona], f"{name} as {persona}"
    if response.status_code == 302 and persona == "anonymous":
        assert reverse("accounts:login") in response["Location"]


def test_every_instrument_view_has_a_permission_case():
    """A new instrument page without a row in CASES fails here."""
    covered = {name.split(" ")[0] for name, *_ in CASES}
    names = {pattern.name for pattern in survey_urls.urlpatterns}
    assert names >= OWNED, OWNED - names
    for name in OWNED:
        assert f"surveys:{name}" in covered, name


def test_install_refused_to_non_facilitators_stores_nothing(world, login):
    for persona in ("evaluator", "module_facilitator", "participant", "outsider"):
        client = login(world.users[persona])
        client.post(url("instrument_install", world.programme.slug), {"name": "pulse"})
    assert not Instrument.objects.exists()


@pytest.mark.parametrize(
    "name", ["instrument", "instrument_settings", "instrument_export"], ids=lambda n: n
)
def test_instrument_of_another_programme_is_404(world, login, name):
    elsewhere = install_builtin(world.other_programme, "pulse")
    client = login(world.users["facilitator"])
    assert client.get(url(name, world.programme.slug, elsewhere.pk)).status_code == 404
    # Its own facilitator reaches it under its own programme only.
    outsider = login(world.users["outsider"])
    assert outsider.get(url(name, world.other_programme.slug, elsewhere.pk)).status_code == 200
    assert outsider.get(url(name, world.programme.slug, elsewhere.pk)).status_code == 404


def test_install_by_get_is_not_allowed(world, login):
    response = login(world.users["facilitator"]).get(
        url("instrument_install", world.programme.slug)
    )
    assert response.status_code == 405
    assert not Instrument.objects.exists()
