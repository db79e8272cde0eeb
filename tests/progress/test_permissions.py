"""A permission test for every progress page, with every persona.

Check-ins and products: the group (participant is in group A), the cohort's
facilitators, evaluators only when the programme allows it, the reviewer for
the product they review. A member of another group gets 404, as if the group
did not exist; someone who may read but not write gets 403.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.progress import urls as progress_urls
from tests.programmes.test_permissions import MEMBERS, PERSONAS, expect, request_as
from tests.progress.conftest import (
    file_check_in,
    let_evaluators_read,
    make_product,
    make_round,
    pair_group,
    reviewed_by_peer,
)

FACILITATORS = {"facilitator", "module_facilitator"}


def table(allowed, *, forbidden=(), ok=200, hidden=404):
    """``allowed`` get ok, ``forbidden`` 403, other members ``hidden``, outsiders 404."""
    out = expect(set(allowed), member=hidden, ok=ok)
    for persona in forbidden:
        out[persona] = 403
    return out


def url(name, args=lambda w: []):
    return lambda w: reverse(f"progress:{name}", args=[w.programme.slug, *args(w)])


def _round(w):
    return make_round(w)


def _check_in(w):
    return file_check_in(w, w.group_a, _round(w), stuck="Land records are missing")


def _evaluators(w):
    let_evaluators_read(w)
    return w


def _problem(w):
    from peerlearn.progress.models import CommonProblem

    return CommonProblem.objects.create(cohort=w.event, label="land records", group_ids=[])


def _criterion(w):
    from peerlearn.progress.products import rubric_for

    return rubric_for(w.programme).criteria.first()


CASES = [
    ("progress:overview", url("overview", lambda w: []), "get", expect(FACILITATORS)),
    (
        "progress:overview evaluators allowed",
        url("overview", lambda w: [] if _evaluators(w) else []),
        "get",
        expect(FACILITATORS | {"evaluator"}),
    ),
    ("progress:settings", url("settings", lambda w: []), "post", expect({"facilitator"}, ok=302)),
    ("progress:round_new", url("round_new", lambda w: []), "get", expect(FACILITATORS)),
    (
        "progress:group",
        url("group", lambda w: [w.group_a.pk]),
        "get",
        table({"participant", "facilitator"}),
    ),
    (
        "progress:group evaluators allowed",
        url("group", lambda w: [_evaluators(w).group_a.pk]),
        "get",
        table({"participant", "facilitator", "evaluator"}),
    ),
    (
        "progress:check_in",
        url("check_in", lambda w: [w.group_a.pk, _round(w).pk]),
        "get",
        table({"participant"}, forbidden={"facilitator"}),
    ),
    (
        # a pair (participant + module facilitator, published by a pairs run):
        # only its two members file; facilitators read; everyone else: 404
        "progress:check_in for a pair",
        url("check_in", lambda w: [pair_group(w).pk, _round(w).pk]),
        "get",
        table({"participant", "module_facilitator"}, forbidden={"facilitator"}),
    ),
    (
        "progress:check_in post for a pair",
        url("check_in", lambda w: [pair_group(w).pk, _round(w).pk]),
        "post",
        # the members' empty form comes back with its errors (200); nothing is written
        table({"participant", "module_facilitator"}, forbidden={"facilitator"}),
    ),
    (
        "progress:group of a pair",
        url("group", lambda w: [pair_group(w).pk]),
        "get",
        table({"participant", "module_facilitator", "facilitator"}),
    ),
    (
        "progress:check_in post for another group",
        url("check_in", lambda w: [w.group_b.pk, _round(w).pk]),
        "post",
        table({"peer"}, forbidden={"facilitator"}),  # peer's empty form comes back with errors
    ),
    (
        "progress:versions",
        url("versions", lambda w: [_check_in(w).pk]),
        "get",
        table({"participant", "facilitator"}),
    ),
    ("progress:problems", url("problems", lambda w: []), "get", expect(FACILITATORS)),
    (
        "progress:problems_propose",
        url("problems_propose", lambda w: []),
        "post",
        expect(FACILITATORS, ok=302),
    ),
    (
        "progress:problem_status",
        url("problem_status", lambda w: [_problem(w).pk]),
        "post",
        table({"facilitator"}, forbidden=MEMBERS - FACILITATORS, ok=302),
    ),
    (
        "progress:working_group_new",
        url("working_group_new", lambda w: []),
        "get",
        expect(FACILITATORS),
    ),
    ("progress:training", url("training", lambda w: []), "get", expect(FACILITATORS)),
    (
        "progress:product_new",
        url("product_new", lambda w: [w.group_a.pk]),
        "get",
        table({"participant"}, forbidden={"facilitator"}),
    ),
    (
        "progress:product",
        url("product", lambda w: [reviewed_by_peer(w)[0].pk]),
        "get",
        table({"participant", "facilitator", "peer"}),
    ),
    (
        "progress:product without reviewers",
        url("product", lambda w: [make_product(w).pk]),
        "get",
        table({"participant", "facilitator"}),
    ),
    (
        "progress:version_new",
        url("version_new", lambda w: [reviewed_by_peer(w, state="draft")[0].pk]),
        "post",
        table({"participant"}, forbidden={"facilitator", "peer"}, ok=302),
    ),
    (
        "progress:version_file",
        url("version_file", lambda w: [reviewed_by_peer(w)[0].pk, 1]),
        "get",
        table({"participant", "facilitator", "peer"}),
    ),
    (
        "progress:product_move",
        url("product_move", lambda w: [reviewed_by_peer(w, state="draft")[0].pk]),
        "post",
        table({"participant"}, forbidden={"facilitator", "peer"}, ok=302),
    ),
    (
        "progress:reviewers",
        url("reviewers", lambda w: [reviewed_by_peer(w)[0].pk]),
        "get",
        table({"facilitator"}, forbidden={"participant", "peer"}),
    ),
    ("progress:my_reviews", url("my_reviews", lambda w: []), "get", expect(MEMBERS)),
    (
        "progress:review",
        url("review", lambda w: [reviewed_by_peer(w)[1].pk]),
        "get",
        table({"peer"}, forbidden={"participant", "facilitator"}),
    ),
    ("progress:rubric", url("rubric", lambda w: []), "get", expect({"facilitator"})),
    (
        "progress:criterion_delete",
        url("criterion_delete", lambda w: [_criterion(w).pk]),
        "post",
        expect({"facilitator"}, ok=302),
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "url", "method", "expected"), CASES, ids=[c[0] for c in CASES])
def test_view_permissions(world, login, persona, name, url, method, expected):
    if name == "progress:product_move":
        # the group submits; a facilitator cannot make the group's move (403)
        client = login(None if persona == "anonymous" else world.users[persona])
        response = client.post(url(world), {"move": "submit"})
        assert response.status_code == expected[persona], f"{name} as {persona}"
        return
    request_as(world, login, persona, name, url, method, expected)


def test_every_progress_url_has_a_permission_row():
    """A new progress page without a row in CASES fails here."""
    covered = {name.split(" ")[0] for name, *_ in CASES}
    declared = {f"{progress_urls.app_name}:{p.name}" for p in progress_urls.urlpatterns}
    missing = declared - covered
    assert not missing, f"no permission test for {sorted(missing)}"
