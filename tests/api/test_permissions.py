"""Every API endpoint, with every persona: the pages' rules, as JSON.

Outsiders get 404 (a programme's existence is private), members whose role
may not read a kind of record get 403, a record hidden from the caller is 404
(as on the pages), anonymous callers 401.  A new API address without a row in
CASES fails :func:`test_every_api_url_has_a_permission_row`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peerlearn.api import urls as api_urls
from peerlearn.api.models import ApiToken
from peerlearn.delivery.models import Session
from peerlearn.matching.models import MatchingRun
from tests.api.conftest import token_for
from tests.programmes.test_permissions import MEMBERS, PERSONAS
from tests.surveys.conftest import make_survey

EVERYONE = set(PERSONAS) - {"anonymous"}
READERS = {"facilitator", "module_facilitator", "evaluator"}  # instruments, surveys, runs


def table(allowed, *, hidden=404, ok=200, anonymous=401, outsider=404):
    """``allowed`` get ok; other members ``hidden`` (403 or 404); outsiders 404."""
    out = {}
    for persona in PERSONAS:
        if persona == "anonymous":
            out[persona] = anonymous
        elif persona in allowed:
            out[persona] = ok
        elif persona in MEMBERS:
            out[persona] = hidden
        else:
            out[persona] = outsider
    return out


def u(name, args=lambda w: []):
    return lambda w: reverse(f"api:{name}", args=[w.programme.slug, *args(w)])


def _run(w):
    return MatchingRun.objects.create(cohort=w.event, kind="groups", status="done").pk


def _survey(w):
    return make_survey(w, "pulse").pk


def _instrument(w):
    return make_survey(w, "pulse").instrument_id


def _session(w):
    start = timezone.now() + timedelta(days=3)
    return Session.objects.create(
        programme=w.programme,
        cohort=w.event,
        title="Plenary",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        time_zone="UTC",
    ).pk


def _repeat_survey(w):
    import tempfile
    from pathlib import Path

    from peerlearn.surveys.models import Survey
    from tests.surveys.test_repeats import open_survey

    made = Survey.objects.filter(programme=w.programme, instrument__form_id="follow_up").first()
    return (made or open_survey(w, Path(tempfile.mkdtemp()))).pk


def feed(name, fmt, args):
    return lambda w: reverse(f"api:{name}_{fmt}", args=args(w))


#: Flat feeds: whoever gets a data package (a cohort's facilitator: of that cohort).
PACKAGERS = {"facilitator", "module_facilitator", "evaluator"}
#: A survey of the event: the module's facilitator does not have it (404).
EVENT_SURVEY = table({"facilitator", "evaluator"}, hidden=403) | {"module_facilitator": 404}


def _revocable(w):
    return ApiToken.issue(w.users["facilitator"], "x")[0].pk


NEW_SESSION = {
    "title": "Clinic",
    "day": "2030-03-04",
    "start": "14:00",
    "minutes": 60,
    "time_zone": "Europe/Paris",
    "repeat": "none",
}

# (name, url builder, method, body builder, expected statuses)
CASES = [
    ("api:programmes", lambda w: reverse("api:programmes"), "get", None, table(EVERYONE)),
    ("api:programme", u("programme"), "get", None, table(MEMBERS)),
    ("api:cohorts", u("cohorts"), "get", None, table(MEMBERS)),
    (
        "api:cohorts post",
        u("cohorts"),
        "post",
        lambda w: {"name": "Module two", "kind": "module"},
        table({"facilitator"}, hidden=403, ok=201),
    ),
    ("api:cohort", u("cohort", lambda w: [w.event.pk]), "get", None, table(MEMBERS)),
    ("api:people", u("people"), "get", None, table(MEMBERS)),
    (
        "api:people post",
        u("people"),
        "post",
        lambda w: {"name": "New Peer", "email": "new.peer@example.org", "country": "KE"},
        table({"facilitator"}, hidden=403, ok=201),
    ),
    (
        # The participant did not agree to be contacted: hidden from other
        # participants and observers, as on people:detail.
        "api:person",
        u("person", lambda w: [w.people["participant"].pk]),
        "get",
        None,
        table({"facilitator", "module_facilitator", "evaluator", "participant"}),
    ),
    ("api:organisations", u("organisations"), "get", None, table(MEMBERS)),
    ("api:memberships", u("memberships"), "get", None, table(MEMBERS)),
    ("api:challenges", u("challenges"), "get", None, table(MEMBERS)),
    ("api:intake", u("intake"), "get", None, table({"facilitator", "evaluator"}, hidden=403)),
    ("api:runs", u("runs"), "get", None, table(READERS, hidden=403)),
    (
        # The run is the event's: the module's facilitator reads runs, not this one.
        "api:run",
        u("run", lambda w: [_run(w)]),
        "get",
        None,
        table({"facilitator", "evaluator"}, hidden=404)
        | {"participant": 403, "peer": 403}
        | {"observer": 403},
    ),
    ("api:groups", u("groups"), "get", None, table(MEMBERS)),
    (
        "api:group",
        u("group", lambda w: [w.group_a.pk]),
        "get",
        None,
        table({"facilitator", "participant", "evaluator"}),
    ),
    ("api:pairs", u("pairs"), "get", None, table(MEMBERS)),
    ("api:instruments", u("instruments"), "get", None, table(READERS, hidden=403)),
    (
        "api:instrument",
        u("instrument", lambda w: [_instrument(w)]),
        "get",
        None,
        table(READERS, hidden=403),
    ),
    (
        "api:instrument_xlsform",
        u("instrument_xlsform", lambda w: [_instrument(w)]),
        "get",
        None,
        table(READERS, hidden=403),
    ),
    ("api:surveys", u("surveys"), "get", None, table(READERS, hidden=403)),
    (
        # An event survey: the module's facilitator does not read it.
        "api:survey",
        u("survey", lambda w: [_survey(w)]),
        "get",
        None,
        table({"facilitator", "evaluator"}, hidden=403) | {"module_facilitator": 404},
    ),
    (
        "api:survey_responses",
        u("survey_responses", lambda w: [_survey(w)]),
        "get",
        None,
        table({"facilitator", "evaluator"}, hidden=403) | {"module_facilitator": 404},
    ),
    ("api:sessions", u("sessions"), "get", None, table(MEMBERS)),
    (
        "api:sessions post",
        u("sessions"),
        "post",
        lambda w: {**NEW_SESSION, "cohort": w.module.pk},
        table({"facilitator", "module_facilitator"}, hidden=403, ok=201),
    ),
    (
        # A plenary of the event: its participants and everyone with a
        # programme-wide role (delivery.services.visible_sessions).
        "api:session",
        u("session", lambda w: [_session(w)]),
        "get",
        None,
        table(MEMBERS),
    ),
    ("api:check_ins", u("check_ins"), "get", None, table(MEMBERS)),
    ("api:products", u("products"), "get", None, table(MEMBERS)),
    ("api:objectives", u("objectives"), "get", None, table(MEMBERS)),
    ("api:feeds", lambda w: reverse("api:feeds"), "get", None, table(EVERYONE)),
    *[
        (
            f"api:feed_{fmt}",
            feed("feed", fmt, lambda w: [w.programme.slug, "people"]),
            "get",
            None,
            table(PACKAGERS, hidden=403),
        )
        for fmt in ("csv", "json")
    ],
    (
        "api:feed_metadata",
        lambda w: reverse("api:feed_metadata", args=[w.programme.slug]),
        "get",
        None,
        table(PACKAGERS, hidden=403),
    ),
    *[
        (f"api:survey_feed_{fmt}", feed("survey_feed", fmt, lambda w: [_survey(w)]))
        + ("get", None, EVENT_SURVEY)
        for fmt in ("csv", "json")
    ],
    *[
        (
            f"api:repeat_feed_{fmt}",
            feed("repeat_feed", fmt, lambda w: [_repeat_survey(w), "peers"]),
            "get",
            None,
            EVENT_SURVEY,
        )
        for fmt in ("csv", "json")
    ],
    (
        "api:schema",
        lambda w: reverse("api:schema"),
        "get",
        None,
        table(EVERYONE, anonymous=200) | {"outsider": 200},
    ),
    (
        "api:docs",
        lambda w: reverse("api:docs"),
        "get",
        None,
        table(EVERYONE, anonymous=200) | {"outsider": 200},
    ),
    (
        "api:not_found",
        lambda w: "/api/v1/nothing-here/",
        "get",
        None,
        table(set(), hidden=404) | {"anonymous": 404},
    ),
]

PAGES = [
    ("api:tokens", lambda w: reverse("api:tokens")),
    ("api:token_revoke", lambda w: reverse("api:token_revoke", args=[_revocable(w)])),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("name", "url", "method", "body", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_api_permissions(world, api, persona, name, url, method, body, expected):
    client = api(None if persona == "anonymous" else world.users[persona])
    address = url(world)
    if method == "get":
        response = client.get(address)
    else:
        response = client.post(address, body(world), format="json")
    assert response.status_code == expected[persona], (
        f"{name} as {persona}: {response.content[:300]!r}"
    )
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["status"] == response.status_code
        assert error["code"] and error["message"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_token_pages_need_a_signed_in_user(world, login, persona, name, url):
    client = login(None if persona == "anonymous" else world.users[persona])
    address = url(world)
    response = client.post(address) if name == "api:token_revoke" else client.get(address)
    if persona == "anonymous":
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]
    elif name == "api:token_revoke":
        # Only the facilitator owns the token; everyone else is told it does not exist.
        assert response.status_code == (302 if persona == "facilitator" else 404)
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("persona", sorted(EVERYONE))
def test_a_programme_token_limits_every_endpoint(world, api, persona):
    """A token bound to the other programme makes this one an outsider's (404)."""
    from rest_framework.test import APIClient

    client = APIClient()
    secret = token_for(world.users[persona], programme=world.other_programme)
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    for name, url, method, _body, _expected in CASES:
        if name.startswith("api:programme") or "{" in name or method != "get":
            continue
        address = url(world)
        if f"/programmes/{world.programme.slug}/" in address:
            assert client.get(address).status_code == 404, (name, persona)


def test_every_api_url_has_a_permission_row():
    covered = {name.split(" ")[0] for name, *_ in CASES} | {name for name, _ in PAGES}
    declared = {f"{api_urls.app_name}:{p.name}" for p in _patterns(api_urls.urlpatterns)}
    missing = declared - covered
    assert not missing, f"no permission test for {sorted(missing)}"


def _patterns(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _patterns(pattern.url_patterns)
        elif pattern.name:
            yield pattern
