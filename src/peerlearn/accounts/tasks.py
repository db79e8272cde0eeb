"""Background tasks (Django's tasks API, the ``django-tasks`` backport).

The "e-mail me a link" page hands every request to this task, known address
or not, so the page itself never looks the address up: its answer and its
time are the same for anyone (with the database backend the lookup and the
e-mail happen in the worker).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django_tasks import task

from peerlearn import audit
from peerlearn.accounts.links import send_requested_link


@task()
def send_requested_sign_in_link(email: str, client_address: str) -> bool:
    """Mail a link if ``email`` is an account's address; audit the request either way.

    Returns whether a link was sent (kept in the task result, not shown to anyone).
    """
    user = send_requested_link(email)
    audit.record(
        "signin.link_requested",
        request=_request_from(client_address),
        actor=None,
        target=user,
    )
    return user is not None


def _request_from(client_address: str) -> HttpRequest:
    """A stand-in request carrying only the client's address, for the audit event."""
    request = HttpRequest()
    request.META["REMOTE_ADDR"] = client_address
    request.user = AnonymousUser()
    return request
