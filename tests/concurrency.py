"""Running database work from several threads at the same instant.

Concurrency tests start each piece of work in its own thread, hold them all
at a barrier and release them together, then judge what each one got. Each
thread closes its own database connection when it is done (Django opens one
per thread).

SQLite's in-memory test database (a shared cache) refuses a second writer at
once with "database table is locked" instead of waiting as PostgreSQL does;
:func:`tolerated` drops exactly those failures on SQLite, so a test states
the outcome PostgreSQL must give and still runs on both.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection

SQLITE_BUSY = "database table is locked"


def at_once(
    calls: Sequence[Callable[[], Any]], *, timeout: float = 120
) -> tuple[list[Any], list[str]]:
    """Run every call in its own thread, released together.

    Returns what the calls returned (in the order they finished) and their
    failures as ``"ErrorType: message"`` strings.
    """
    barrier = threading.Barrier(len(calls))
    results: list[Any] = []
    failures: list[str] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=timeout)
            results.append(call())
        except Exception as error:  # judged by the test, usually through tolerated()
            failures.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results, failures


def tolerated(failures: list[str]) -> list[str]:
    """The failures that count: all of them, except SQLite's busy-table refusals."""
    if connection.vendor != "sqlite":
        return failures
    return [failure for failure in failures if SQLITE_BUSY not in failure]
