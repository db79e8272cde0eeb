"""Who reads and writes outcome stories (docs/harvest.md, docs/privacy.md "Outcome stories").

One rule, :func:`reads_story`, decides by the story's visibility:

* ``private``: facilitators (of the programme or of any of its cohorts);
* ``evaluators``: those, and the programme's evaluators;
* ``published``: every member of the programme (participants, observers too).

Facilitators harvest and edit stories, attach evidence, name substantiators
and record actors' responses (:func:`harvests`).  Actors' responses recorded
on a story are read with the story; those on their own by facilitators and
evaluators.  The share-forward page aggregates follow-up answers and is for
the survey readers (facilitators and evaluators), k-suppressed.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from peerlearn.harvest.models import ActorResponse, OutcomeStory
from peerlearn.programmes.permissions import Access

#: Visibilities each kind of reader may open.
_FACILITATOR = frozenset({"private", "evaluators", "published"})
_EVALUATOR = frozenset({"evaluators", "published"})
_MEMBER = frozenset({"published"})


def harvests(access: Access) -> bool:
    """Register, edit, substantiate stories and record responses: facilitators."""
    return access.manages_any_cohort


def readable_visibilities(access: Access) -> frozenset[str]:
    if access.manages_any_cohort:
        return _FACILITATOR
    if "evaluator" in access.programme_roles:
        return _EVALUATOR
    if access.any_role:
        return _MEMBER
    return frozenset()


def reads_story(access: Access, story: OutcomeStory) -> bool:
    """The one rule for a story, its evidence and its substantiation status."""
    return story.visibility in readable_visibilities(access)


def readable_stories(access: Access, stories: QuerySet[OutcomeStory]) -> QuerySet[OutcomeStory]:
    return stories.filter(visibility__in=readable_visibilities(access))


def reads_reach(access: Access) -> bool:
    """Share-forward reach (aggregated follow-up answers): the survey readers."""
    return access.manages_any_cohort or "evaluator" in access.programme_roles


def reads_substantiators(access: Access) -> bool:
    """Substantiators' names and e-mails: facilitators only (they were asked privately)."""
    return harvests(access)


def reads_substantiation_comments(access: Access) -> bool:
    """What substantiators answered, with their comments: facilitators and evaluators.

    Members reading a published story see its verification status only.
    """
    return reads_reach(access)


def readable_responses(access: Access, responses: QuerySet[ActorResponse]) -> list[ActorResponse]:
    """Actors' responses: with their story's rule, or (on their own) facilitators and evaluators."""
    visible = readable_visibilities(access)
    loose_ok = reads_reach(access)
    return [
        r
        for r in responses.select_related("story", "organisation")
        if (r.story is not None and r.story.visibility in visible) or (r.story is None and loose_ok)
    ]


def visible_ids(access: Access, stories: Iterable[OutcomeStory]) -> set[int]:
    return {s.pk for s in stories if reads_story(access, s)}
