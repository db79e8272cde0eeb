"""Outcome stories for the evaluator's data package (interface: ``peerlearn.core.tabular``).

Only the stories ``user`` may read under :func:`peerlearn.harvest.permissions.reads_story`;
change agents appear as pseudonyms, harvesters and substantiators not at all
(a substantiator is outside the programme and was asked privately), only the
answers and each story's verification status.  Informants are free text that
often names a person: left out too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from peerlearn.accounts.models import User
from peerlearn.core.tabular import Column, Table, pseudonym
from peerlearn.harvest import permissions as rules
from peerlearn.harvest.models import OutcomeStory
from peerlearn.mel.access import visible_exchanges
from peerlearn.people.models import Person
from peerlearn.programmes.models import Programme
from peerlearn.programmes.permissions import access_for

STORY_COLUMNS = [
    Column("story_id", "integer", "Story id in this package"),
    Column("title", "string", "Short title"),
    Column("description", "string", "Who changed what, when and where"),
    Column("observed_on", "date", "When the change was observed"),
    Column("place", "string", "Where"),
    Column("social_actor", "string", "The actor whose behaviour changed"),
    Column("actor_organisation", "string", "Organisation of the social actor"),
    Column("kind", "string", "behaviour, relationship, policy, practice or action"),
    Column("intended", "boolean", "Whether the change was intended"),
    Column("positive", "boolean", "Whether the change is positive"),
    Column("significance", "string", "Why it matters"),
    Column("contribution", "string", "How peer learning contributed"),
    Column("change_agents", "string", "Pseudonyms of the change agents, space-separated"),
    Column("group_ids", "string", "Ids of the groups linked, space-separated"),
    Column("session_ids", "string", "Ids of the delivery sessions linked, space-separated"),
    Column(
        "exchange_ids",
        "string",
        "Ids of the learning exchanges linked that the reader may see (the exchanges table), "
        "space-separated",
    ),
    Column("visibility", "string", "private, evaluators or published"),
    Column("verification", "string", "unverified, substantiated, partly or disputed"),
    Column("evidence_files", "integer", "Number of evidence files"),
    Column("evidence_links", "integer", "Number of evidence links"),
    Column("harvested_at", "datetime", "When the story was registered"),
]

SUBSTANTIATION_COLUMNS = [
    Column("story_id", "integer", "The story asked about"),
    Column("asked_at", "datetime", "When the link was e-mailed"),
    Column("answer", "string", "full, partly, not, or empty while unanswered"),
    Column("answered_at", "datetime", "When the answer came"),
]


def tables(programme: Programme, user: User) -> list[Table]:
    access = access_for(user, programme)
    stories = list(
        rules.readable_stories(access, OutcomeStory.objects.filter(programme=programme))
        .prefetch_related("change_agents", "groups", "sessions", "substantiations", "evidence")
        .select_related("actor_organisation")
        .order_by("pk")
    )
    if not stories:
        return []
    return [
        Table(
            "outcome_stories",
            "Outcome stories",
            STORY_COLUMNS,
            _story_rows(programme, stories, _readable_links(programme, user, access, stories)),
            description="Outcome stories the reader may see, with their verification status.",
            primary_key=["story_id"],
        ),
        Table(
            "substantiations",
            "Substantiation answers",
            SUBSTANTIATION_COLUMNS,
            _substantiation_rows(stories),
            description="One row per person asked to substantiate a story (never who).",
            foreign_keys={"story_id": ("outcome_stories", "story_id")},
        ),
    ]


def _ids(items: Any) -> str:
    return " ".join(str(item.pk) for item in items)


def _readable_links(
    programme: Programme, user: User, access: Any, stories: list[OutcomeStory]
) -> dict[int, list[int]]:
    """Story id -> ids of its linked exchanges this user may read (the mel app's rule)."""
    me = Person.objects.filter(user=user).first()
    readable = visible_exchanges(access, programme, me).values("pk")
    through = OutcomeStory.exchanges.through.objects.filter(
        outcomestory_id__in=[s.pk for s in stories], exchange_id__in=readable
    ).order_by("exchange_id")
    out: dict[int, list[int]] = {}
    for story_id, exchange_id in through.values_list("outcomestory_id", "exchange_id"):
        out.setdefault(story_id, []).append(exchange_id)
    return out


def _story_rows(
    programme: Programme, stories: list[OutcomeStory], links: dict[int, list[int]]
) -> Iterator[Sequence[Any]]:
    for story in stories:
        evidence = list(story.evidence.all())
        agents = sorted(pseudonym(programme, p.pk) for p in story.change_agents.all())
        yield [
            story.pk,
            story.title,
            story.description,
            story.observed_on,
            story.place,
            story.social_actor,
            story.actor_organisation.name if story.actor_organisation else "",
            story.kind,
            story.intended,
            story.positive,
            story.significance,
            story.contribution,
            " ".join(agents),
            _ids(story.groups.all()),
            _ids(story.sessions.all()),
            " ".join(str(pk) for pk in links.get(story.pk, [])),
            story.visibility,
            story.verification,
            sum(1 for e in evidence if e.filename),
            sum(1 for e in evidence if not e.filename),
            story.created_at,
        ]


def _substantiation_rows(stories: list[OutcomeStory]) -> Iterator[Sequence[Any]]:
    for story in stories:
        for item in story.substantiations.all():
            yield [story.pk, item.sent_at, item.answer, item.answered_at]
