"""Background tasks (the ``django-tasks`` backport) of the mel app.

* Survey answers to exchanges: a submitted response that carries the "who
  did you learn from, and what?" item is mapped once the submission is
  committed (:func:`watch_responses` listens to the surveys app's
  ``response_submitted``). Mapping is idempotent (each answer carries its
  response and instance), so the task may run twice, or after a facilitator
  already imported the survey by hand, and add nothing the second time.
* Recomputing a programme's mutuality snapshots (``mel/snapshots.py``): the
  argument is the programme's id; the immediate backend computes inside the
  request that saved an exchange, the database backend in a worker
  (``docs/operations.md``).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django_tasks import task

from peerlearn.mel import from_surveys


@task()
def exchanges_from_response(response_id: int) -> dict[str, Any]:
    """Map one response's item to exchanges; returns the ids written and the skips by code."""
    from peerlearn.surveys.models import Response

    responses = Response.objects.filter(pk=response_id).select_related(
        "survey__programme", "person"
    )
    result = from_surveys.exchanges_from_responses(responses)
    return {"created": result.created, "skipped": result.counts()}


def _submitted(sender: Any, response: Any, **kwargs: Any) -> None:
    """A new identified response with the item: map it after the transaction commits."""
    if response.person_id is None or not from_surveys.carries_item(response.answers):
        return
    transaction.on_commit(partial(exchanges_from_response.enqueue, response.pk))


def watch_responses() -> None:
    """Listen to submissions (from ``MelConfig.ready``; once, by its dispatch uid).

    The surveys app announces each submitted response
    (:data:`peerlearn.surveys.signals.response_submitted`), the same signal
    the built-in intake survey uses, so surveys never imports mel.
    """
    from peerlearn.surveys.signals import response_submitted

    response_submitted.connect(_submitted, dispatch_uid="peerlearn.mel.responses")


@task()
def recompute_mutuality(programme_id: int) -> bool:
    """Claim the programme's waiting recompute and build its snapshots."""
    from peerlearn.mel.snapshots import recompute

    return recompute(programme_id)
