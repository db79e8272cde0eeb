"""A permission test for every page of the delivery app, with every persona.

Plenary sessions are seen by everyone in the cohort and programme-wide
members; a group's session by its members and the cohort's facilitators
only (outsiders and those who may not see it: 404).  Planning, moving,
cancelling and attendance: facilitators of the session's cohort.  Formats:
programme facilitators edit, cohort facilitators read.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.delivery.models import CalendarFeed
from peerlearn.delivery.urls import urlpatterns
from tests.delivery.conftest import group_a_session, module_session, plenary, troika
from tests.programmes.test_permissions import MEMBERS, PERSONAS, expect, request_as

MANAGERS = {"facilitator"}
COHORT_MANAGERS = {"facilitator", "module_facilitator"}
# Plenary of the event: the event's members and programme-wide members.
EVENT = {"facilitator", "participant", "peer", "module_facilitator", "evaluator", "observer"}
GROUP_A = {"facilitator", "participant"}


def url(name, w, *args):
    return reverse(f"delivery:{name}", args=[w.programme.slug, *args])


def hidden(allowed: set[str], *, ok: int = 200) -> dict[str, int]:
    """Members who may not see the session get 404, like outsiders."""
    table = expect(allowed, ok=ok)
    return {k: (404 if v == 403 else v) for k, v in table.items()}


def managed(managers: set[str], *, module_facilitator: int = 403, ok: int = 200) -> dict[str, int]:
    """Members who manage no cohort: 403; the module's facilitator, a manager of
    another cohort: 403 when they may see the session, 404 when not."""
    table = expect(managers, ok=ok)
    if "module_facilitator" not in managers:
        table["module_facilitator"] = module_facilitator
    return table


CASES = [
    ("delivery:sessions", lambda w: url("sessions", w), "get", expect(MEMBERS)),
    ("delivery:session_new", lambda w: url("session_new", w), "get", expect(COHORT_MANAGERS)),
    ("delivery:session_new post", lambda w: url("session_new", w), "post", expect(COHORT_MANAGERS)),
    ("delivery:session", lambda w: url("session", w, plenary(w).pk), "get", hidden(EVENT)),
    (
        "delivery:session of group A",
        lambda w: url("session", w, group_a_session(w).pk),
        "get",
        hidden(GROUP_A),
    ),
    (
        "delivery:session of the module",
        lambda w: url("session", w, module_session(w).pk),
        "get",
        hidden({"facilitator", "module_facilitator", "evaluator", "observer"}),
    ),
    (
        "delivery:session_edit",
        lambda w: url("session_edit", w, plenary(w).pk),
        "get",
        managed(MANAGERS),
    ),
    (
        "delivery:session_edit module",
        lambda w: url("session_edit", w, module_session(w).pk),
        "get",
        managed(COHORT_MANAGERS),
    ),
    (
        "delivery:session_cancel",
        lambda w: url("session_cancel", w, plenary(w).pk),
        "post",
        managed(MANAGERS, ok=302),
    ),
    (
        "delivery:session_rsvp",
        lambda w: url("session_rsvp", w, plenary(w).pk),
        "post",
        hidden(EVENT, ok=302),
    ),
    (
        "delivery:session_rsvp group A",
        lambda w: url("session_rsvp", w, group_a_session(w).pk),
        "post",
        hidden(GROUP_A, ok=302),
    ),
    (
        "delivery:session_attendance",
        lambda w: url("session_attendance", w, group_a_session(w).pk),
        "get",
        managed(MANAGERS, module_facilitator=404),
    ),
    (
        "delivery:session_ics",
        lambda w: url("session_ics", w, group_a_session(w).pk),
        "get",
        hidden(GROUP_A),
    ),
    ("delivery:formats", lambda w: url("formats", w), "get", expect(COHORT_MANAGERS)),
    (
        "delivery:formats post",
        lambda w: url("formats", w),
        "post",
        expect(MANAGERS, ok=302) | {"module_facilitator": 403},
    ),
    (
        "delivery:format_edit",
        lambda w: url("format_edit", w, troika(w).pk),
        "get",
        expect(MANAGERS),
    ),
    (
        "delivery:my_calendar",
        lambda w: reverse("delivery:my_calendar"),
        "get",
        {p: (302 if p == "anonymous" else 200) for p in PERSONAS},
    ),
]

# The feed needs no sign-in: its token is the key (tests/delivery/test_pages.py).
OWNED = {"delivery:feed"}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "url", "method", "expected"), CASES, ids=[c[0] for c in CASES])
def test_delivery_permissions(world, login, persona, name, url, method, expected):
    request_as(world, login, persona, name, url, method, expected)


def test_every_delivery_url_has_a_permission_row():
    declared = {f"delivery:{pattern.name}" for pattern in urlpatterns}
    covered = {case[0].split(" ")[0] for case in CASES} | OWNED
    missing = declared - covered
    assert not missing, f"no permission test for {sorted(missing)}"


def test_feed_serves_anyone_with_the_live_token_and_nobody_else(world, client):
    token = CalendarFeed.issue(world.people["participant"])
    assert client.get(reverse("delivery:feed", args=[token])).status_code == 200
    assert client.get(reverse("delivery:feed", args=[token + "x"])).status_code == 404
