"""Background work: a matching run goes through Django's tasks API.

Arguments are ids (JSON-serialisable); the immediate backend runs a task
inside the request, the database backend in a worker (``docs/operations.md``).
E-mails go through here too, as the other mailers do, so a slow mail server
never holds a facilitator's page.
"""

from __future__ import annotations

from django_tasks import task

from peerlearn.matching import services


@task()
def run_matching(run_id: int) -> None:
    services.execute(run_id)


@task()
def refresh_explanation(run_id: int, version: int) -> bool:
    """Recompute reasons, themes and quality figures after a move or swap."""
    from peerlearn.matching.running import refresh_explanation as refresh

    return refresh(run_id, version)


@task()
def mail_move_request(request_id: int) -> int:
    """Tell the facilitators that someone asks to move; returns the e-mails sent."""
    from peerlearn.matching.models import MoveRequest
    from peerlearn.matching.notify import notify_move_request

    row = MoveRequest.objects.select_related("run__cohort__programme", "person").filter(
        pk=request_id
    )
    found = row.first()
    return notify_move_request(found) if found else 0


@task()
def mail_group_published(run_id: int) -> int:
    """Tell each member of a published grouping their group; returns the e-mails sent."""
    from peerlearn.matching.notify import notify_group_published

    return notify_group_published(run_id)
