"""Setting Django up for the command line (``peerlearn`` and the apps' own commands).

Here rather than in ``cli.py`` so the apps' command modules (``surveys/cli.py``,
``evidence/cli.py``) can use it without importing the command line that
imports them.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_SETTINGS = "peerlearn.site.settings"
LOCAL_SECRET_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    from django.conf import settings

    if not settings.configured and os.environ["DJANGO_SETTINGS_MODULE"] == DEFAULT_SETTINGS:
        _use_local_secret()
    import django

    django.setup()


def _use_local_secret() -> None:
    """Give a local demo a secret key of its own, kept in the data folder.

    Only when no key is configured and the database is the local SQLite file
    (no ``DATABASE_URL``): that is the demo of the README, where asking for a
    key would only get in the way. The key is made once with ``secrets``,
    written with mode 600, and shared by every command and by ``make run``'s
    server, so links and sessions made by one are valid in the other. A
    server on a real database still refuses to start without
    ``PEERLEARN_SECRET_KEY``.
    """
    if os.environ.get("PEERLEARN_SECRET_KEY") or os.environ.get("DATABASE_URL"):
        return
    data_dir = Path(os.environ.get("PEERLEARN_DATA_DIR") or "var")
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["PEERLEARN_SECRET_KEY"] = _read_or_make_secret(data_dir / LOCAL_SECRET_FILE)


def _read_or_make_secret(path: Path) -> str:
    import secrets

    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(path)
    key = secrets.token_urlsafe(50)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def _read_secret(path: Path) -> str:
    """The key another command wrote; wait a moment if it is being written right now."""
    import time

    for _ in range(50):
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
        time.sleep(0.1)
    raise SystemExit(f"error: {path} is empty; delete it and run the command again")
