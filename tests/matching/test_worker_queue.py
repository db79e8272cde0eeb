"""The production path: runs queued in the database and worked by `db_worker`."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import override_settings

from peerlearn.matching import services
from peerlearn.matching.models import MatchingRun

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_a_queued_run_waits_for_the_worker_then_finishes(world, add_participants):
    add_participants(12)
    parameters = {
        "weights": {"problems": 1},
        "min_size": 3,
        "max_size": 5,
        "max_per_organisation": None,
        "time_limit": 0.5,
    }
    with override_settings(TASKS=DATABASE_QUEUE):
        run = services.start_run(world.event, "groups", parameters, 1, world.people["facilitator"])
        assert run.status == "queued", "nothing runs inside the request"
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    run = MatchingRun.objects.get(pk=run.pk)
    assert run.status == "done", run.error
    assert len(run.result["assignment"]) == 15  # 12 added + the 3 event personas
