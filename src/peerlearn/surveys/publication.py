"""Publishing responses in batches of k, so that results never move by one response.

Rule (pseudonymous and anonymous instruments)
---------------------------------------------
A submitted response is *pending* (``Response.batch`` empty) and counts in no
page, export or comparison.  As soon as ``k`` pending responses of the same
respondent group (participants, control group) are waiting, they are
published together under the next batch number.  Every figure shown is
computed from published responses only, so:

* comparing results (or exports) before and after one more response shows no
  difference at all, unless that response completed a batch, and then the
  difference is made of ``k`` responses of one group at once;
* each group's own figures change in steps of ``k`` too, since a batch never
  mixes groups.

The price: up to ``k - 1`` responses per group are never shown, also after
the survey closes (publishing them at closing would be the very one-response
difference this avoids).  Identified instruments publish every response at
once: their readers see names anyway.

For anonymous instruments the rows of a batch are deleted and written again
in random order when it is published, so neither their ids nor their place
in the table (or in a dump of it) follow the order in which people answered.

Concurrency: :func:`release` runs inside the submitting transaction after
``SELECT ... FOR UPDATE`` on the survey row (see
:func:`lock_survey`).  Counting the pending rows and marking them must be
one indivisible step: with a plain conditional ``UPDATE`` two submits at once
could each see k pending rows and the second would then mark a batch of one.
The lock makes the second wait until the first committed and then count
again.
"""

from __future__ import annotations

import random

from django.db import models

from peerlearn.surveys.models import Response, Survey

__all__ = ["last_batch", "lock_survey", "published", "publishes_in_batches", "release"]


def publishes_in_batches(survey: Survey) -> bool:
    """Whether results of ``survey`` wait for batches of k (all but identified)."""
    return survey.instrument.anonymity != "identified"


def published(survey: Survey, up_to: int | None = None) -> models.QuerySet[Response]:
    """The responses pages, exports and comparisons may use.

    ``up_to`` stops at that batch number, so that a reader making several
    passes (an export counts, then writes) sees the same rows every time
    even if another batch is published in between.
    """
    responses = Response.objects.filter(survey=survey)
    if publishes_in_batches(survey):
        responses = responses.filter(batch__isnull=False)
        if up_to is not None:
            responses = responses.filter(batch__lte=up_to)
    return responses


def last_batch(survey: Survey) -> int:
    """The highest batch number published so far (0 when none or identified)."""
    highest = published(survey).aggregate(models.Max("batch"))["batch__max"]
    return highest or 0


def lock_survey(survey: Survey) -> None:
    """Serialise :func:`release` per survey (a no-op on SQLite, which has one writer)."""
    list(Survey.objects.select_for_update().filter(pk=survey.pk).values_list("pk", flat=True))


def release(survey: Survey) -> int:
    """Publish every full batch of k pending responses; returns how many were published.

    Call it in a transaction that took :func:`lock_survey` first.
    """
    if not publishes_in_batches(survey):
        return Response.objects.filter(survey=survey, batch__isnull=True).update(batch=0)
    k = max(1, survey.instrument.min_respondents)
    shuffle = survey.instrument.anonymity == "anonymous"
    pending = Response.objects.filter(survey=survey, batch__isnull=True)
    released = 0
    for audience in sorted(set(pending.values_list("audience", flat=True))):
        waiting = list(pending.filter(audience=audience).values_list("pk", flat=True))
        random.SystemRandom().shuffle(waiting)
        while len(waiting) >= k:
            chosen, waiting = waiting[:k], waiting[k:]
            _publish(survey, chosen, _next_batch(survey), shuffle=shuffle)
            released += len(chosen)
    return released


def _next_batch(survey: Survey) -> int:
    return last_batch(survey) + 1


def _publish(survey: Survey, pks: list[int], batch: int, *, shuffle: bool) -> None:
    if not shuffle:
        Response.objects.filter(pk__in=pks).update(batch=batch)
        return
    rows = list(Response.objects.filter(pk__in=pks))
    random.SystemRandom().shuffle(rows)
    Response.objects.filter(pk__in=pks).delete()
    for row in rows:
        row.pk = None
        row.batch = batch
    Response.objects.bulk_create(rows)
