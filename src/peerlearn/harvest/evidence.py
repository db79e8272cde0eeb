"""Outcome stories as theory-of-change evidence (registered in the theory app's registry).

A node or link tied to a story takes the story's verification and sign; the
rule lives in :func:`peerlearn.engine.theory.evidence_verdict`: substantiated
(fully or partly) and positive supports, negative or disputed contests,
unverified tests nothing (docs/theory-of-change.md).  The evidence page is
for the programme's facilitators, who read every story; the statuses it
yields show on the map without the story behind them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerlearn.engine.theory import EvidenceItem, Story
from peerlearn.harvest.models import VERIFICATION_LABELS, OutcomeStory
from peerlearn.programmes.models import Programme

KIND = "outcome_story"
#: Most stories the tie form offers (the newest first).
OFFERED = 500


def story_evidence(programme: Programme, params: Mapping[str, Any]) -> EvidenceItem | None:
    """The tied story's verification and sign; ``None`` when it is gone or not this programme's."""
    wanted = str(params.get("story", ""))
    if not wanted.isdigit():
        return None
    story = (
        OutcomeStory.objects.filter(programme=programme, pk=int(wanted))
        .prefetch_related("substantiations")
        .first()
    )
    if story is None:
        return None
    return Story(name=story.title, verification=story.verification, positive=story.positive)


def story_options(programme: Programme) -> list[tuple[str, str]]:
    stories = OutcomeStory.objects.filter(programme=programme).order_by("-created_at", "-pk")
    return [(str(pk), title) for pk, title in stories.values_list("pk", "title")[:OFFERED]]


def describe(item: EvidenceItem) -> str:
    assert isinstance(item, Story)
    label = VERIFICATION_LABELS.get(item.verification, item.verification)
    sign = _("positive") if item.positive else _("negative")
    return f"{item.name} — {label}, {sign}"


def register() -> None:
    from peerlearn.theory.evidence import register as add

    add(
        KIND,
        gettext_lazy("outcome story"),
        story_evidence,
        choose="story",
        options=story_options,
        describe=describe,
    )
