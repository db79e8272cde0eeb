"""The migration that keeps groups as rounds links already published groups to their run."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("programmes", "0001_initial"), ("matching", "0002_seed_holds_any_numpy_seed")]
AFTER = [("programmes", "0002_groups_kept_as_earlier_rounds")]


@pytest.mark.django_db(transaction=True)
def test_published_groups_get_their_run_and_hand_made_groups_none():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    programme = old.get_model("programmes", "Programme").objects.create(name="P", slug="p")
    cohort = old.get_model("programmes", "Cohort").objects.create(programme=programme, name="C")
    Group = old.get_model("programmes", "Group")
    published = Group.objects.create(cohort=cohort, name="Group G1")
    hand_made = Group.objects.create(cohort=cohort, name="Team")
    run = old.get_model("matching", "MatchingRun").objects.create(
        cohort=cohort,
        status="done",
        result={"group_ids": {"G1": published.pk}},
        published_at="2026-01-01T10:00:00Z",
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("programmes", "Group")
    assert new.objects.get(pk=published.pk).source_run_id == run.pk
    assert new.objects.get(pk=hand_made.pk).source_run_id is None
    assert not new.objects.filter(archived_at__isnull=False).exists()
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
