"""Topic curation: draft candidate topics from a programme's challenges, edit, save a baseline.

A programme has at most one draft :class:`TopicSet`.  Proposing afresh
replaces the draft only; saved baselines are never touched until the
facilitator saves the draft, which then becomes the newest baseline (earlier
baselines are kept as history).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerlearn.core.writing import write_csv, write_xlsx
from peerlearn.engine.topics import propose_topics
from peerlearn.intake.models import Challenge, Topic, TopicSet
from peerlearn.people.models import Person
from peerlearn.programmes.models import Programme

SEED = 0
MAX_EXCERPTS = 5


def programme_challenges(programme: Programme) -> list[tuple[str, str]]:
    rows = Challenge.objects.filter(programme=programme).order_by("person_id", "position", "pk")
    return [(str(person_id), text) for person_id, text in rows.values_list("person_id", "text")]


def draft_of(programme: Programme) -> TopicSet | None:
    return TopicSet.objects.filter(programme=programme, status="draft").first()


def baseline_of(programme: Programme) -> TopicSet | None:
    return (
        TopicSet.objects.filter(programme=programme, status="baseline")
        .order_by("-saved_at", "-pk")
        .first()
    )


def propose_draft(
    programme: Programme, by: Person | None, *, n_topics: int | None = None
) -> TopicSet:
    """Replace the draft with topics proposed afresh from all challenges (stable: fixed seed)."""
    challenges = programme_challenges(programme)
    backend = settings.SIMILARITY_BACKEND
    # The vector cache the matching runs fill (intake/vectors.py): an
    # embedding backend encodes only the challenges it has not seen yet.
    from peerlearn.intake.vectors import run_backend

    topics = propose_topics(challenges, backend=run_backend(backend), n_topics=n_topics, seed=SEED)
    with transaction.atomic():
        TopicSet.objects.filter(programme=programme, status="draft").delete()
        draft = TopicSet.objects.create(
            programme=programme,
            status="draft",
            created_by=by,
            people_count=len({pid for pid, _text in challenges}),
            challenge_count=len(challenges),
            parameters={"backend": backend, "seed": SEED, "n_topics": n_topics},
        )
        for position, proposed in enumerate(topics, start=1):
            topic = Topic.objects.create(
                topic_set=draft,
                position=position,
                label=proposed.label[:200],
                key_terms=list(proposed.key_terms),
                excerpts=list(proposed.excerpts),
                challenge_count=proposed.challenge_count,
            )
            topic.members.set([int(pid) for pid in proposed.member_ids])
    return draft


def draft_from_baseline(programme: Programme, by: Person | None) -> TopicSet | None:
    """A draft copied from the saved baseline, to adjust it without regenerating."""
    baseline = baseline_of(programme)
    if baseline is None:
        return None
    with transaction.atomic():
        TopicSet.objects.filter(programme=programme, status="draft").delete()
        draft = TopicSet.objects.create(
            programme=programme,
            status="draft",
            created_by=by,
            people_count=baseline.people_count,
            challenge_count=baseline.challenge_count,
            parameters={**baseline.parameters, "copied_from": baseline.pk},
        )
        for old in baseline.topics.all():
            topic = Topic.objects.create(
                topic_set=draft,
                position=old.position,
                label=old.label,
                key_terms=old.key_terms,
                excerpts=old.excerpts,
                challenge_count=old.challenge_count,
            )
            topic.members.set(old.members.all())
    return draft


def apply_edits(draft: TopicSet, labels: Mapping[int, str], merges: Mapping[int, int]) -> int:
    """Rename topics and merge some into others (``merges[source] = target``).

    Chains are followed (a into b, b into c puts both into c); a merge that
    would close a loop is ignored.  Returns the number of merges applied.
    Every topic keeps its number (``position``); a merged one's is left unused.
    """
    with transaction.atomic():
        topics = {t.pk: t for t in draft.topics.select_for_update().order_by("position", "pk")}
        for pk, label in labels.items():
            label = label.strip()[:200]
            if pk in topics and label and label != topics[pk].label:
                topics[pk].label = label
                topics[pk].save(update_fields=["label"])

        def final(pk: int) -> int:
            seen = {pk}
            while pk in merges and merges[pk] in topics and merges[pk] not in seen:
                pk = merges[pk]
                seen.add(pk)
            return pk

        merged = 0
        for source_pk in sorted(merges, key=lambda pk: topics[pk].position if pk in topics else 0):
            if source_pk not in topics:
                continue
            target_pk = final(source_pk)
            if target_pk == source_pk or target_pk not in topics:
                continue
            source, target = topics[source_pk], topics[target_pk]
            target.key_terms = list(dict.fromkeys([*target.key_terms, *source.key_terms]))
            target.excerpts = list(dict.fromkeys([*target.excerpts, *source.excerpts]))[
                :MAX_EXCERPTS
            ]
            target.challenge_count += source.challenge_count
            target.save(update_fields=["key_terms", "excerpts", "challenge_count"])
            target.members.add(*source.members.all())
            source.delete()
            del topics[source_pk]
            merged += 1
    # Topics keep their numbers: the facilitator may have said "topic 4" in a
    # call; a merged topic's number is not reused.
    return merged


def save_baseline(draft: TopicSet, by: Person | None) -> TopicSet:
    """The draft becomes the programme's newest baseline."""
    now = timezone.now()
    updated = TopicSet.objects.filter(pk=draft.pk, status="draft").update(
        status="baseline", saved_at=now, saved_by=by
    )
    if not updated:
        raise TopicSet.DoesNotExist
    draft.refresh_from_db()
    return draft


# ------------------------------------------------------------------ export

COLUMNS = ["position", "label", "people", "challenges", "key_terms", "excerpts"]


def baseline_rows(topic_set: TopicSet, *, with_excerpts: bool) -> list[dict[str, str]]:
    rows = []
    for topic in topic_set.topics.all().prefetch_related("members"):
        rows.append(
            {
                "position": str(topic.position),
                "label": topic.label,
                "people": str(len(topic.members.all())),
                "challenges": str(topic.challenge_count),
                "key_terms": "; ".join(topic.key_terms),
                "excerpts": "\n".join(topic.excerpts) if with_excerpts else "",
            }
        )
    return rows


def export_columns(with_excerpts: bool) -> list[str]:
    return COLUMNS if with_excerpts else COLUMNS[:-1]


def export_csv(topic_set: TopicSet, *, with_excerpts: bool) -> bytes:
    rows = baseline_rows(topic_set, with_excerpts=with_excerpts)
    return write_csv(rows, export_columns(with_excerpts))


def export_xlsx(topic_set: TopicSet, *, with_excerpts: bool) -> bytes:
    rows = baseline_rows(topic_set, with_excerpts=with_excerpts)
    return write_xlsx(rows, export_columns(with_excerpts), sheet_title=_("Priority topics"))
