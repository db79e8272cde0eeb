"""The audit log is append-only, in the application and in the database."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from peerlearn.audit import record
from peerlearn.audit.models import AppendOnlyError, AuditEvent


def test_record_keeps_actor_programme_target_and_detail(world):
    user = world.users["facilitator"]
    person = world.people["participant"]
    event = record(
        "person.edit",
        actor=user,
        programme=world.programme,
        target=person,
        detail={"fields": ["name"]},
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor_id == user.pk
    assert stored.actor_label == user.email
    assert stored.programme_id == world.programme.pk
    assert (stored.target_type, stored.target_id) == ("people.person", str(person.pk))
    assert stored.detail == {"fields": ["name"]}


def test_events_cannot_be_changed_or_deleted_through_the_orm(world):
    event = record("roster.export", actor=world.users["facilitator"], programme=world.programme)
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="nothing")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_the_database_refuses_to_rewrite_an_event(world):
    event = record("roster.export", actor=world.users["facilitator"], programme=world.programme)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET action = %s WHERE id = %s", ["nothing", event.pk]
        )
    assert AuditEvent.objects.get(pk=event.pk).action == "roster.export"


def test_deleting_a_programme_leaves_its_events(world):
    record("roster.export", actor=world.users["facilitator"], programme=world.other_programme)
    programme_id = world.other_programme.pk
    world.other_programme.delete()
    assert AuditEvent.objects.filter(programme_id=programme_id).count() == 1


def test_person_changes_keep_history_with_who_made_them(world):
    person = world.people["participant"]
    person.name = "Renamed Person"
    person.save()
    latest = person.history.latest()
    assert latest.name == "Renamed Person"
    assert latest.history_type == "~"


def _recorded_action_keys() -> set[str]:
    """Every action key passed literally to audit.record()/record() or _record_role() in src/."""
    import ast
    from pathlib import Path

    keys: set[str] = set()
    for path in (Path(__file__).resolve().parents[2] / "src" / "peerlearn").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if name in ("record", "_record_role") and isinstance(first, ast.Constant):
                keys.add(first.value)
    return keys


def test_every_recorded_action_has_words_and_every_word_an_action():
    """The log page shows each action in the reader's language: no key may lack a label,
    and no label may stand for an action nothing records."""
    from peerlearn.audit.labels import ACTION_LABELS

    recorded = _recorded_action_keys()
    assert recorded - set(ACTION_LABELS) == set(), "add these to audit/labels.py"
    assert set(ACTION_LABELS) - recorded == set(), "nothing records these"


def test_a_backup_is_recorded_after_it_is_written(world, tmp_path):
    from peerlearn.cli import main

    assert main(["backup", str(tmp_path / "b.json.gz")]) == 0
    event = AuditEvent.objects.get(action="backup.create")
    assert event.actor is None and event.detail["records"] > 0
