"""A permission test for every matching view, with every persona.

Facilitators of the programme (or of the cohort) manage runs; evaluators read
them; participants see only their own group or pair; observers see nothing of
runs; outsiders get 404; anonymous visitors are sent to sign in.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.matching.models import MatchingRun, MoveRequest
from tests.matching.conftest import fake_run
from tests.programmes.test_permissions import MEMBERS, PERSONAS, expect, request_as

READERS = {"facilitator", "evaluator"}
IN_GROUPS = {"participant", "peer", "module_facilitator"}  # the event's participants


def _run(w) -> MatchingRun:
    return fake_run(w)


def _module_run(w) -> MatchingRun:
    return fake_run(w, published=False, cohort=w.module)


def _pairs_run(w) -> MatchingRun:
    p = w.people
    return MatchingRun.objects.create(
        cohort=w.event,
        kind="pairs",
        parameters={"mode": "peer"},
        seed=1,
        status="done",
        progress=100,
        quality={"people": 2, "pairs": 1},
        result={
            "mode": "peer",
            "capacity": 1,
            "pairs": [{"label": "P1", "a": str(p["participant"].pk), "b": str(p["peer"].pk)}],
            "problems": [],
        },
    )


def _request(w) -> int:
    run = fake_run(w)
    return MoveRequest.objects.create(
        run=run, person=w.people["participant"], from_group="G1", reason="please"
    ).pk


def _other(w) -> tuple[int, int]:
    return fake_run(w).pk, fake_run(w, published=False).pk


def url(name, *args):
    return reverse(f"matching:{name}", args=args)


CASES = [
    ("matching:runs", lambda w: url("runs", w.programme.slug, w.event.pk), "get", expect(READERS)),
    (
        "matching:runs module",
        lambda w: url("runs", w.programme.slug, w.module.pk),
        "get",
        expect(READERS | {"module_facilitator"}),
    ),
    (
        "matching:run_new",
        lambda w: url("run_new", w.programme.slug, w.event.pk, "groups"),
        "get",
        expect({"facilitator"}),
    ),
    (
        "matching:run_new pairs module",
        lambda w: url("run_new", w.programme.slug, w.module.pk, "pairs"),
        "get",
        expect({"facilitator", "module_facilitator"}),
    ),
    ("matching:run", lambda w: url("run", w.programme.slug, _run(w).pk), "get", expect(READERS)),
    (
        "matching:run module",
        lambda w: url("run", w.programme.slug, _module_run(w).pk),
        "get",
        expect(READERS | {"module_facilitator"}),
    ),
    (
        "matching:run_move",
        lambda w: url("run_move", w.programme.slug, _run(w).pk),
        "post",
        expect({"facilitator"}, ok=302),
    ),
    (
        "matching:run_swap",
        lambda w: url("run_swap", w.programme.slug, _run(w).pk),
        "post",
        expect({"facilitator"}, ok=302),
    ),
    (
        "matching:run_rename",
        lambda w: url("run_rename", w.programme.slug, _run(w).pk),
        "post",
        expect({"facilitator"}, ok=302),
    ),
    (
        "matching:run_export",
        lambda w: url("run_export", w.programme.slug, _run(w).pk) + "?format=csv",
        "get",
        expect({"facilitator"}),
    ),
    (
        "matching:run_export module xlsx",
        lambda w: url("run_export", w.programme.slug, _module_run(w).pk) + "?format=xlsx",
        "get",
        expect({"facilitator", "module_facilitator"}),
    ),
    (
        "matching:run_lock",
        lambda w: url("run_lock", w.programme.slug, _run(w).pk),
        "post",
        expect({"facilitator"}, ok=302),
    ),
    (
        "matching:run_repair",
        lambda w: url("run_repair", w.programme.slug, _pairs_run(w).pk),
        "post",
        expect({"facilitator"}, ok=302),
    ),
    (
        "matching:run_rerun",
        lambda w: url("run_rerun", w.programme.slug, _run(w).pk),
        "post",
        expect({"facilitator"}, ok=302),
    ),
    (
        "matching:run_publish",
        lambda w: url("run_publish", w.programme.slug, _run(w).pk),
        "post",
        expect({"facilitator"}, ok=302),
    ),
    (
        "matching:run_publish confirmation",
        lambda w: url("run_publish", w.programme.slug, _module_run(w).pk),
        "get",
        expect({"facilitator", "module_facilitator"}),
    ),
    (
        "matching:compare",
        lambda w: url("compare", w.programme.slug, _other(w)[0]) + f"?other={_other(w)[1]}",
        "get",
        expect(READERS),
    ),
    (
        "matching:request_decide",
        lambda w: url("request_decide", w.programme.slug, _request(w)),
        "post",
        expect({"facilitator"}, ok=302),
    ),
    (
        "matching:my_group",
        lambda w: url("my_group", w.programme.slug, _run(w).cohort_id),
        "get",
        expect(MEMBERS),
    ),
    (
        "matching:move_request",
        lambda w: url("move_request", w.programme.slug, _run(w).cohort_id),
        "post",
        expect(IN_GROUPS, ok=302, member=404),
    ),
    (
        "matching:my_pair",
        lambda w: url("my_pair", w.programme.slug, w.event.pk),
        "get",
        expect(MEMBERS),
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "url", "method", "expected"), CASES, ids=[c[0] for c in CASES])
def test_view_permissions(world, login, persona, name, url, method, expected):
    request_as(world, login, persona, name, url, method, expected)


def test_every_view_has_a_permission_case():
    """A new matching page without a row in CASES fails here."""
    from peerlearn.matching import urls

    covered = {name.split(" ")[0] for name, *_ in CASES}
    for pattern in urls.urlpatterns:
        assert f"{urls.app_name}:{pattern.name}" in covered, pattern.name


def test_participant_sees_only_their_own_group(world, login):
    fake_run(world)
    body = (
        login(world.users["participant"])
        .get(url("my_group", world.programme.slug, world.event.pk))
        .content.decode()
    )
    assert "Module_Facilitator Person" in body  # same group G1
    assert "Peer Person" not in body  # group G2
    body = (
        login(world.users["peer"])
        .get(url("my_group", world.programme.slug, world.event.pk))
        .content.decode()
    )
    assert "Participant Person" not in body and "Group G2" in body


def test_participant_sees_only_their_own_requests(world, login):
    run = fake_run(world)
    MoveRequest.objects.create(
        run=run, person=world.people["peer"], from_group="G2", reason="peer's private reason"
    )
    body = (
        login(world.users["participant"])
        .get(url("my_group", world.programme.slug, world.event.pk))
        .content.decode()
    )
    assert "peer's private reason" not in body and "peer&#x27;s private reason" not in body


def test_evaluator_reads_runs_without_edit_forms_or_requests(world, login):
    run = fake_run(world)
    MoveRequest.objects.create(
        run=run, person=world.people["peer"], from_group="G2", reason="a private reason"
    )
    body = login(world.users["evaluator"]).get(run.get_absolute_url()).content.decode()
    assert "Group G1" in body
    assert 'id="move-form"' not in body and 'id="publish"' not in body
    assert "a private reason" not in body
    assert "Secret of group A" not in body
    facilitator = login(world.users["facilitator"]).get(run.get_absolute_url()).content.decode()
    assert 'id="move-form"' in facilitator and "a private reason" in facilitator


def test_evaluator_cannot_edit(world, login):
    run = fake_run(world)
    client = login(world.users["evaluator"])
    pid = str(world.people["peer"].pk)
    response = client.post(
        url("run_move", world.programme.slug, run.pk),
        {"person": pid, "to_group": "G1", "version": run.version},
    )
    assert response.status_code == 403
    run.refresh_from_db()
    assert run.result["assignment"][pid] == "G2" and run.version == 2  # 1 + publish


def test_run_of_another_programme_is_404(world, login):
    from peerlearn.programmes.models import Cohort

    other_cohort = Cohort.objects.create(programme=world.other_programme, name="Elsewhere")
    run = fake_run(world, published=False, cohort=other_cohort)
    response = login(world.users["facilitator"]).get(url("run", world.programme.slug, run.pk))
    assert response.status_code == 404
