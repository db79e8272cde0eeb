"""Background tasks (Django's tasks API, the ``django-tasks`` backport).

The "e-mail me a link" page (``accounts/views.py``) announces every request
with the ``link_requested`` signal, known address or not; the receiver here
hands it to this task, so the page itself never looks the address up: its
answer and its time are the same for anyone (with the database backend the
lookup and the e-mail happen in the worker).  The page sits below the people
app, so it announces rather than calls.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.dispatch import receiver
from django.http import HttpRequest
from django_tasks import task

from peerlearn import audit
from peerlearn.accounts.signals import link_requested
from peerlearn.people.invitations import send_requested_link


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


@receiver(link_requested, dispatch_uid="peerlearn.people.link_requested")
def queue_requested_link(sender: Any, email: str, client_address: str, **kwargs: Any) -> None:
    """Queue the lookup and the e-mail; the page that asked does nothing more."""
    send_requested_sign_in_link.enqueue(email, client_address)
