"""Background work: building a data package goes through Django's tasks API.

The argument is the build's id; the immediate backend builds inside the
request, the database backend in a worker (``docs/operations.md``).
"""

from __future__ import annotations

from django_tasks import task

from peerlearn.evidence import builds


@task()
def build_package(build_id: int) -> None:
    builds.execute(build_id)
