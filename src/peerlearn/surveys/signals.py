"""What the surveys app announces, so that it never imports the apps that listen.

:data:`response_submitted` is sent once a person's answers are stored as a
:class:`~peerlearn.surveys.models.Response` (keyword ``response``), outside
the submission's transaction: the response is there whatever a receiver does.
It is sent with ``send_robust``, so a failing receiver is logged and never
costs the respondent their submission. Receivers must be idempotent (an
answer may be re-mapped by hand later) and must respect the instrument's
anonymity (only identified responses name a person).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.dispatch import Signal

if TYPE_CHECKING:
    from peerlearn.surveys.models import Response

response_submitted = Signal()

log = logging.getLogger(__name__)


def announce_submitted(response: Response) -> None:
    """Tell the listening apps about ``response``; their failures are logged, not raised."""
    for receiver, result in response_submitted.send_robust(
        sender=type(response), response=response
    ):
        if isinstance(result, Exception):
            log.error(
                "A receiver of response_submitted failed (%s) for response %s",
                getattr(receiver, "__qualname__", receiver),
                response.pk,
                exc_info=result,
            )
