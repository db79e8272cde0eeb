"""Background work: a matching run goes through Django's tasks API.

The argument is the run's id (JSON-serialisable); the immediate backend runs it
inside the request, the database backend in a worker (``docs/operations.md``).
"""

from __future__ import annotations

from django_tasks import task

from peerlearn.matching import services


@task()
def run_matching(run_id: int) -> None:
    services.execute(run_id)
