"""Background tasks (Django's tasks API, the ``django-tasks`` backport).

Arguments are plain integers so any backend can store them as JSON.  With the
default immediate backend they run inside the request.
"""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from peerlearn.intake import services


@task()
def send_intake_invitations(programme_id: int, cohort_id: int | None = None) -> int:
    """Invite everyone asked (of one cohort) never invited; returns the number of e-mails."""
    return services.invite_all(programme_id, cohort_id)


@task()
def send_intake_reminders(
    programme_id: int, min_interval_seconds: int = 60, cohort_id: int | None = None
) -> int:
    """Remind everyone invited (of one cohort) not answered; returns the number of e-mails."""
    return services.remind_all(
        programme_id, cohort_id, min_interval=timedelta(seconds=min_interval_seconds)
    )


@task()
def encode_challenges(programme_id: int, person_ids: list[int]) -> int:
    """Store the vectors of saved challenges (the similarity cache); returns texts encoded."""
    from peerlearn.intake.vectors import encode_challenges as encode

    return encode(programme_id, person_ids)
