"""Background tasks (the ``django-tasks`` backport), as the other mailers use them.

The task issues the link itself, so the raw token exists only in the e-mail.
"""

from __future__ import annotations

from django_tasks import task

from peerlearn.harvest import services


@task()
def send_substantiation_request(substantiation_id: int) -> bool:
    """E-mail one substantiator their personal link; False when already answered."""
    return services.send_request(substantiation_id)
