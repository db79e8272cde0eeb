"""Sign-in signals: audit events from other packages' signals, and the link request.

``link_requested`` is sent by the "e-mail me a link" page with ``email`` and
``client_address`` once the request is within the limits; the people app
answers it (``people/tasks.py``), because only it knows who is in the network.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.dispatch import Signal, receiver

from peerlearn import audit
from peerlearn.accounts.models import User
from peerlearn.accounts.throttle import normalised_email

link_requested = Signal()


@receiver(user_locked_out, dispatch_uid="peerlearn.accounts.locked_out")
def record_lockout(sender: Any, request: Any, username: str | None, **kwargs: Any) -> None:
    """Audit the failure that starts a lockout, not each refused try during it.

    axes sends the signal on every failure from the limit on (each one also
    restarts the cool-off); the one that reaches the limit starts the lockout.
    """
    failures = getattr(request, "axes_failures_since_start", None)
    if failures != settings.AXES_FAILURE_LIMIT:
        return
    account = User.objects.filter(email=normalised_email(username or "")).first()
    audit.record(
        "signin.locked_out", request=request, target=account, detail={"failures": failures}
    )
