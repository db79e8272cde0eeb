"""A permission test for every objectives view, with every persona.

A person's objectives: the person and the facilitators of the programme or of
the person's cohort (others get 404: an objective's existence is private).
A group's: its members and facilitators. Aggregates: facilitators and
evaluators. Authorisations and risks: facilitators and evaluators read, the
programme's facilitators change; a letter and a signed copy also reach the
holder. Outsiders 404, anonymous visitors are sent to sign in.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.objectives.urls import urlpatterns
from tests.objectives.conftest import (
    PNG,
    authorisation,
    objective,
    open_rating,
    outcome,
    risk,
)
from tests.programmes.test_permissions import PERSONAS, expect, request_as

PARTICIPANTS = {"participant", "peer", "module_facilitator"}
FACILITATORS = {"facilitator", "module_facilitator"}
READERS = {"facilitator", "evaluator"}


def url(name, w, *args):
    return reverse(f"objectives:{name}", args=[w.programme.slug, *args])


def holder_only(*, facilitator: int = 403, ok: int = 200):
    """The participant's own objective: they open it, the facilitator reads but may not
    write (``facilitator``), everyone else in the programme gets 404."""
    table = expect({"participant"}, member=404, ok=ok)
    table["facilitator"] = facilitator
    return table


def _rate(w):
    open_rating(w)
    return url("rate", w, objective(w).pk)


def _signed(w):
    a = authorisation(w, signed_copy=PNG, signed_copy_type="image/png", signed_copy_name="s.png")
    return url("signed_download", w, a.pk)


CASES = [
    ("objectives:mine", lambda w: url("mine", w), "get", expect(PARTICIPANTS)),
    ("objectives:edit", lambda w: url("edit", w, objective(w).pk), "get", holder_only()),
    (
        "objectives:edit group",
        lambda w: url("edit", w, objective(w, group=w.group_a).pk),
        "get",
        holder_only(),
    ),
    ("objectives:rate", _rate, "get", holder_only()),
    (
        "objectives:review",
        lambda w: url("review", w, objective(w).pk),
        "post",
        {**holder_only(facilitator=302), "participant": 403},
    ),
    ("objectives:overview", lambda w: url("overview", w), "get", expect(FACILITATORS)),
    ("objectives:settings", lambda w: url("settings", w), "post", expect({"facilitator"}, ok=302)),
    ("objectives:lock", lambda w: url("lock", w), "post", expect({"facilitator"}, ok=302)),
    ("objectives:summary", lambda w: url("summary", w), "get", expect(READERS)),
    ("objectives:outcomes", lambda w: url("outcomes", w), "get", expect(READERS | PARTICIPANTS)),
    (
        "objectives:outcome_review",
        lambda w: url("outcome_review", w, outcome(w).pk),
        "get",
        expect({"facilitator"}),
    ),
    (
        "objectives:authorisations",
        lambda w: url("authorisations", w),
        "get",
        expect(READERS | FACILITATORS),
    ),
    (
        "objectives:authorisation_group",
        lambda w: url("authorisation_group", w, w.group_a.pk),
        "get",
        expect({"facilitator"}),
    ),
    (
        "objectives:authorisation_person",
        lambda w: url("authorisation_person", w, w.people["peer"].pk),
        "get",
        expect({"facilitator"}),
    ),
    (
        "objectives:authorisation",
        lambda w: url("authorisation", w, authorisation(w).pk),
        "get",
        expect({"facilitator"}),
    ),
    (
        "objectives:letter docx",
        lambda w: url("letter", w, authorisation(w).pk, "docx"),
        "get",
        expect({"facilitator", "participant"}, member=404),
    ),
    (
        "objectives:letter pdf",
        lambda w: url("letter", w, authorisation(w).pk, "pdf"),
        "get",
        expect({"facilitator", "participant"}, member=404),
    ),
    (
        "objectives:signed_upload",
        lambda w: url("signed_upload", w, authorisation(w).pk),
        "post",
        expect({"facilitator"}, ok=302),
    ),
    (
        "objectives:signed_download",
        _signed,
        "get",
        expect({"facilitator", "participant"}, member=404),
    ),
    ("objectives:risks", lambda w: url("risks", w), "get", expect(READERS | FACILITATORS)),
    (
        "objectives:risks_seed",
        lambda w: url("risks_seed", w),
        "post",
        expect({"facilitator"}, ok=302),
    ),
    (
        "objectives:board",
        lambda w: url("board", w, w.event.pk),
        "get",
        expect(READERS | PARTICIPANTS, member=404),
    ),
    (
        "objectives:board module",
        lambda w: url("board", w, w.module.pk),
        "get",
        expect(READERS | {"module_facilitator"}, member=404),
    ),
    (
        "objectives:board_settings",
        lambda w: url("board_settings", w, w.event.pk),
        "post",
        expect({"facilitator"}, ok=302),
    ),
    (
        "objectives:risk_edit",
        lambda w: url("risk_edit", w, risk(w).pk),
        "get",
        expect({"facilitator"}),
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "url_of", "method", "expected"), CASES, ids=[c[0] for c in CASES])
def test_objectives_permissions(world, login, persona, name, url_of, method, expected):
    request_as(world, login, persona, name, url_of, method, expected)


def test_every_objectives_url_has_a_permission_row():
    declared = {f"objectives:{pattern.name}" for pattern in urlpatterns}
    covered = {case[0].split(" ")[0] for case in CASES}
    missing = declared - covered
    assert not missing, f"no permission test for {sorted(missing)}"
