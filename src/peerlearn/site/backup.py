"""Portable backup and restore through Django's serialisers.

Works the same on SQLite and PostgreSQL, and lets a demo on SQLite move to
PostgreSQL.  For large production databases ``pg_dump`` is faster; see
docs/operations.md.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.db import transaction

# Rebuilt by migrations or worthless after a restore.
EXCLUDED = ["contenttypes", "auth.permission", "admin.logentry", "sessions"]
_OUR_APPS = ("accounts", "people", "programmes")


class DatabaseNotEmpty(RuntimeError):
    pass


def _record_count() -> int:
    return sum(
        model._default_manager.count()
        for app in _OUR_APPS
        for model in apps.get_app_config(app).get_models()
    )


def backup(path: Path) -> int:
    if not path.name.endswith(".json.gz"):
        raise ValueError("name the backup file something.json.gz")
    buffer = io.StringIO()
    call_command(
        "dumpdata",
        exclude=EXCLUDED,
        natural_foreign=True,
        natural_primary=False,
        indent=None,
        stdout=buffer,
    )
    data = buffer.getvalue()
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(data)
    return _record_count()


def restore(path: Path, *, replace: bool = False) -> int:
    if not path.name.endswith(".json.gz"):
        raise ValueError("a backup file is named something.json.gz")
    if not path.is_file():
        raise FileNotFoundError(f"no backup file at {path}")
    if _record_count() and not replace:
        raise DatabaseNotEmpty(
            "the database already holds data; pass --replace to erase it and restore"
        )
    with transaction.atomic():
        if replace:
            call_command("flush", interactive=False, verbosity=0)
        call_command("loaddata", str(path), verbosity=0)
    return _record_count()
