"""The migration that gives pairs their groups: pairs published before it can check in."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("programmes", "0002_groups_kept_as_earlier_rounds"),
    ("matching", "0003_one_pending_move_request_per_person"),
]
AFTER = [("matching", "0004_pairs_have_groups")]


@pytest.mark.django_db(transaction=True)
def test_the_current_pairs_get_pair_groups_and_earlier_pairs_and_groups_none():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    programme = old.get_model("programmes", "Programme").objects.create(name="P", slug="p")
    cohort = old.get_model("programmes", "Cohort").objects.create(programme=programme, name="C")
    Person = old.get_model("people", "Person")
    a, b, c, d = (Person.objects.create(name=n, email=f"{n}@example.org") for n in "abcd")
    hand_made = old.get_model("programmes", "Group").objects.create(cohort=cohort, name="Pair P1")
    Run = old.get_model("matching", "MatchingRun")
    Pair = old.get_model("matching", "PublishedPair")
    earlier = Run.objects.create(
        cohort=cohort, kind="pairs", status="done", published_at="2026-01-01T10:00:00Z"
    )
    Pair.objects.create(run=earlier, cohort=cohort, label="P1", a=a, b=c)
    current = Run.objects.create(
        cohort=cohort, kind="pairs", status="done", published_at="2026-02-01T10:00:00Z"
    )
    Pair.objects.create(run=current, cohort=cohort, label="P1", a=a, b=b)
    Pair.objects.create(run=current, cohort=cohort, label="P2", a=c, b=d)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Group = new.get_model("programmes", "Group")
    rows = new.get_model("matching", "PublishedPair").objects
    assert Group.objects.get(pk=hand_made.pk).kind == "group"
    pairs = Group.objects.filter(kind="pair").order_by("name")
    # the hand-made "Pair P1" keeps its name; the pair's group gets the run's number
    assert [g.name for g in pairs] == [f"Pair P1 · #{current.pk}", "Pair P2"]
    assert all(g.source_run_id == current.pk and g.archived_at is None for g in pairs)
    for group, people in zip(pairs, ({a.pk, b.pk}, {c.pk, d.pk}), strict=True):
        assert set(group.memberships.values_list("person_id", flat=True)) == people
        assert rows.get(run_id=current.pk, group=group)
    assert rows.get(run_id=earlier.pk).group_id is None
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
