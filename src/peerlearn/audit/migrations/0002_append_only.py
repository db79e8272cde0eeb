"""The database itself refuses to change audit events.

PostgreSQL: a row trigger rejects UPDATE and DELETE (TRUNCATE, used only by a
whole-database wipe such as the test suite's flush, is not a row event).
SQLite: a trigger rejects UPDATE; DELETE is refused by the model and its
queryset, since SQLite's flush deletes rows and has no TRUNCATE to tell apart.
"""

from django.db import migrations

PG_CREATE = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_append_only();
"""
SQLITE_CREATE = """
CREATE TRIGGER audit_event_append_only BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS audit_event_append_only;"


def create(apps, schema_editor):
    _run(schema_editor, PG_CREATE, SQLITE_CREATE)


def drop(apps, schema_editor):
    _run(schema_editor, PG_DROP, SQLITE_DROP)


def _run(schema_editor, postgresql: str, sqlite: str) -> None:
    vendor = schema_editor.connection.vendor
    sql = {"postgresql": postgresql, "sqlite": sqlite}.get(vendor)
    if sql:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
