"""Bad input on the matching pages gets a clear form error, never a 500 or a half-written row.

Seeds are whole numbers from 0 to 2**32 - 1 (what numpy's SeedSequence and
scikit-learn's random_state both take); NUL bytes cannot be stored by
PostgreSQL and are refused by the forms on both databases.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.matching.models import SEED_MAX, MatchingRun, Move, MoveRequest
from tests.matching.conftest import fake_run, group_form

pytestmark = pytest.mark.django_db


def run_url(world, run, name: str) -> str:
    return reverse(f"matching:{name}", args=[world.programme.slug, run.pk])


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_nul_byte_in_a_move_reason_is_refused(world, login):
    run = fake_run(world)
    pid = str(world.people["peer"].pk)
    response = login(world.users["facilitator"]).post(
        run_url(world, run, "run_move"),
        {"person": pid, "to_group": "G1", "version": run.version, "reason": "bad\x00reason"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Null characters are not allowed" in messages_of(response)
    run.refresh_from_db()
    assert run.result["assignment"][pid] == "G2" and run.version == 2
    assert not Move.objects.exists()


def test_nul_byte_in_a_repair_reason_is_refused(world, login):
    p = world.people
    run = MatchingRun.objects.create(
        cohort=world.event,
        kind="pairs",
        parameters={"mode": "peer"},
        status="done",
        result={
            "mode": "peer",
            "pairs": [
                {
                    "label": "P1",
                    "a": str(p["participant"].pk),
                    "b": str(p["peer"].pk),
                    "affinity": 0.5,
                }
            ],
            "problems": [],
        },
    )
    response = login(world.users["facilitator"]).post(
        run_url(world, run, "run_repair"),
        {
            "person": str(p["participant"].pk),
            "partner": str(p["module_facilitator"].pk),
            "version": run.version,
            "reason": "\x00",
        },
        follow=True,
    )
    assert "Null characters are not allowed" in messages_of(response)
    run.refresh_from_db()
    assert run.version == 1 and not Move.objects.exists()


def test_nul_byte_in_a_participants_request_is_refused(world, login):
    fake_run(world)
    response = login(world.users["participant"]).post(
        reverse("matching:move_request", args=[world.programme.slug, world.event.pk]),
        {"reason": "move me\x00"},
        follow=True,
    )
    assert "Null characters are not allowed" in messages_of(response)
    assert not MoveRequest.objects.exists()


@pytest.mark.parametrize("seed", [10**20, 2**40, SEED_MAX + 1, -5])
def test_a_rerun_with_a_seed_out_of_range_is_refused(world, login, seed):
    run = fake_run(world)
    response = login(world.users["facilitator"]).post(
        run_url(world, run, "run_rerun"), {"seed": str(seed)}, follow=True
    )
    assert response.status_code == 200
    text = messages_of(response)
    assert "Not run again" in text and ("4294967295" in text or "0." in text), text
    assert MatchingRun.objects.count() == 1, "nothing written, not even a failed run"


def test_a_rerun_with_a_seed_that_is_not_a_number_is_refused(world, login):
    run = fake_run(world)
    response = login(world.users["facilitator"]).post(
        run_url(world, run, "run_rerun"), {"seed": "twelve"}, follow=True
    )
    assert "Enter a whole number" in messages_of(response)
    assert MatchingRun.objects.count() == 1


@pytest.mark.parametrize("seed", [2**40, 10**20, -5])
def test_a_new_run_with_a_seed_out_of_range_is_a_form_error(world, login, seed):
    url = reverse("matching:run_new", args=[world.programme.slug, world.event.pk, "groups"])
    response = login(world.users["facilitator"]).post(url, group_form(seed=seed))
    assert response.status_code == 200
    body = response.content.decode()
    assert "4294967295" in body and 'class="error"' in body
    assert not MatchingRun.objects.exists()


def test_the_largest_seed_runs_and_is_kept(world, login):
    """2**32 - 1 is allowed: stored (64-bit column) and accepted by the engine."""
    url = reverse("matching:run_new", args=[world.programme.slug, world.event.pk, "groups"])
    client = login(world.users["facilitator"])
    data = group_form(seed=SEED_MAX, min_size=2, max_size=6, max_per_organisation="")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:1000]
    run = MatchingRun.objects.get()
    assert run.seed == SEED_MAX and run.status == "done", run.error
    client.post(run_url(world, run, "run_rerun"), {"seed": str(SEED_MAX)})
    rerun = MatchingRun.objects.latest("pk")
    assert rerun.parent == run and rerun.seed == SEED_MAX and rerun.status == "done", rerun.error
