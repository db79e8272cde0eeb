"""Objects of the objectives app made for tests (real rows, real files)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from peerlearn.objectives.models import (
    Authorisation,
    LearningObjective,
    ObjectiveSettings,
    OrganisationalOutcome,
    StageRisk,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def objective(
    w, *, person=None, group=None, statement="Lead a reform team well"
) -> LearningObjective:
    holder = (
        {"group": group} if group is not None else {"person": person or w.people["participant"]}
    )
    return LearningObjective.objects.create(
        programme=w.programme,
        statement=statement,
        why="My team is new",
        success_sign="The team runs its own meetings",
        start_rating=2,
        **holder,
    )


def open_rating(w) -> None:
    ObjectiveSettings.objects.update_or_create(
        programme=w.programme,
        defaults={"rate_from": timezone.localdate() - datetime.timedelta(days=1)},
    )


def authorisation(w, **fields) -> Authorisation:
    defaults = {
        "authoriser_name": "Ana Ministra",
        "authoriser_role": "Minister of Finance",
        "authoriser_organisation": "Ministry of Finance",
        "grants": "Four hours a week for the team's project, March to July.",
    }
    defaults.update(fields)
    return Authorisation.objects.create(programme=w.programme, group=w.group_a, **defaults)


def outcome(w) -> OrganisationalOutcome:
    return OrganisationalOutcome.objects.create(
        programme=w.programme,
        organisation=w.people["participant"].organisation,
        kind="practice",
        level="organisation",
        description="A shared procedure for briefing new ministers",
    )


def risk(w) -> StageRisk:
    return StageRisk.objects.create(programme=w.programme, stage="curation", risk="Topics imposed")
