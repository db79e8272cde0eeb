"""An empty database for a benchmark run, shared by the benchmark scripts."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def fresh_database(name: str) -> tuple[str, str]:
    """(label, url) of an empty database: PostgreSQL if DATABASE_URL says so, else SQLite.

    On PostgreSQL the database ``name`` is dropped and created again on the
    server DATABASE_URL names (never the database it names itself).
    """
    given = os.environ.get("DATABASE_URL", "")
    if given.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlsplit(given)
        server = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        with psycopg.connect(server, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        return "PostgreSQL", urlunsplit(parts._replace(path="/" + name))
    folder = tempfile.mkdtemp(prefix=f"{name}-")
    return "SQLite", f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
