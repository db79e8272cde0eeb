"""Background work: recomputing a programme's mutuality snapshots (``mel/snapshots.py``).

The argument is the programme's id; the immediate backend computes inside
the request that saved an exchange, the database backend in a worker
(``docs/operations.md``).
"""

from __future__ import annotations

from django_tasks import task


@task()
def recompute_mutuality(programme_id: int) -> bool:
    """Claim the programme's waiting recompute and build its snapshots."""
    from peerlearn.mel.snapshots import recompute

    return recompute(programme_id)
