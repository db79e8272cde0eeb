"""Background tasks (the ``django-tasks`` backport): survey answers to exchanges.

A submitted response that carries the "who did you learn from, and what?"
item is mapped once the submission is committed (:func:`watch_responses`
connects the signal).  Mapping is idempotent (each answer carries its
response and instance), so the task may run twice, or after a facilitator
already imported the survey by hand, and add nothing the second time.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
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


def _submitted(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """A new identified response with the item: map it after the transaction commits."""
    if kwargs.get("raw") or not created or instance.person_id is None:
        return
    if instance.submitted_at is None or not from_surveys.carries_item(instance.answers):
        return
    transaction.on_commit(partial(exchanges_from_response.enqueue, instance.pk))


def watch_responses() -> None:
    """Connect the submission signal (from ``MelConfig.ready``; once, by its dispatch uid)."""
    post_save.connect(_submitted, sender="surveys.Response", dispatch_uid="peerlearn.mel.responses")
