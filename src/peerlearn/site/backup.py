"""Portable backup and restore through Django's serialisers.

Works the same on SQLite and PostgreSQL, and lets a demo on SQLite move to
PostgreSQL.  For large production databases ``pg_dump`` is faster; see
docs/operations.md.

**What a backup holds**: every row of every model of every installed app
(people, programmes, intake, matching, surveys, accounts and sign-in links,
the audit log with its row history, users and groups), except what
:data:`EXCLUDED` names. The list of models is read from Django's app
registry, so a model added later is backed up without touching this file
(``tests/site/test_backup.py`` fails if one with rows is left out).
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.db import models, transaction

#: Left out of backups, with the reason for each.
EXCLUDED = [
    "contenttypes",  # rebuilt by migrate; rows are referred to by natural key
    "auth.permission",  # rebuilt by migrate; referred to by natural key
    "admin.logentry",  # the admin's own change list, replaced by peerlearn.audit
    "sessions",  # restoring them would sign people back in; everyone signs in again
    # django-tasks-db's work queue: restored tasks would run (and e-mail) again.
    "django_tasks_database",
    # django-axes' sign-in attempts (addresses and client IPs): a short-lived security
    # record; restoring it would re-lock accounts. Sign-ins are in the audit log.
    "axes",
    # The similarity cache (challenge vectors, up to 2 KB a text): derived from the
    # challenges, rebuilt by the next matching run (intake/vectors.py).
    "intake.textvector",
]


class DatabaseNotEmpty(RuntimeError):
    pass


def _is_excluded(model: type[models.Model]) -> bool:
    meta = model._meta
    return meta.app_label in EXCLUDED or meta.label_lower in EXCLUDED


def backed_up_models() -> list[type[models.Model]]:
    """Every concrete model whose rows a backup writes (as dumpdata sees them)."""
    return [
        model
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and not _is_excluded(model)
    ]


def record_count() -> int:
    """Rows a backup of the database as it is now holds (the "N records" of the CLI)."""
    return sum(model._base_manager.count() for model in backed_up_models())


def backup(path: Path) -> int:
    if not path.name.endswith(".json.gz"):
        raise ValueError("name the backup file something.json.gz")
    buffer = io.StringIO()
    with transaction.atomic():  # one consistent snapshot, and the count of that snapshot
        call_command(
            "dumpdata",
            exclude=EXCLUDED,
            natural_foreign=True,
            natural_primary=False,
            use_base_manager=True,  # every row, whatever a model's default manager hides
            indent=None,
            stdout=buffer,
        )
        count = record_count()
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(buffer.getvalue())
    return count


def restore(path: Path, *, replace: bool = False) -> int:
    if not path.name.endswith(".json.gz"):
        raise ValueError("a backup file is named something.json.gz")
    if not path.is_file():
        raise FileNotFoundError(f"no backup file at {path}")
    if record_count() and not replace:
        raise DatabaseNotEmpty(
            "the database already holds data; pass --replace to erase it and restore"
        )
    with transaction.atomic():
        if replace:
            call_command("flush", interactive=False, verbosity=0)
        call_command("loaddata", str(path), verbosity=0)
    return record_count()
