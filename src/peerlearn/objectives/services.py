"""Writes for objectives: locking, editing, rating, each all-or-nothing.

Editing and rating lock the objective's row (``select_for_update``) and check
the lock inside the same transaction; locking the programme's objectives is
one conditional UPDATE (``WHERE locked_at IS NULL``) whose row count says how
many it locked. An edit racing with the facilitator's lock therefore either
lands before the lock or is refused after it, never half-way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerlearn.objectives import rules
from peerlearn.objectives.models import LearningObjective, ObjectiveSettings
from peerlearn.programmes.models import Programme


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str = ""


def settings_for(programme: Programme) -> ObjectiveSettings:
    """The programme's objective dates (unsaved defaults when never set)."""
    found = ObjectiveSettings.objects.filter(programme=programme).first()
    return found or ObjectiveSettings(programme=programme)


def locked(objective: LearningObjective, settings: ObjectiveSettings, today: date) -> bool:
    return rules.is_locked(objective.locked_at, settings.lock_on, today)


def rating_open(programme: Programme, settings: ObjectiveSettings, today: date) -> bool:
    return rules.rating_is_open(settings.rate_from, programme.end, today)


def lock_message(settings: ObjectiveSettings) -> str:
    if settings.lock_on:
        return _("Objectives were locked on %(date)s: they can no longer be changed.") % {
            "date": settings.lock_on
        }
    return _("This objective is locked: it can no longer be changed.")


def rating_refusal(programme: Programme, settings: ObjectiveSettings) -> str:
    """Why achievement cannot be rated yet."""
    opens = rules.rating_opens_on(settings.rate_from, programme.end)
    if opens is None:
        return _("Achievement is rated at the end; the programme has no end date yet.")
    return _("Achievement is rated at the end: from %(date)s.") % {"date": opens}


def lock_all(programme: Programme, now: datetime | None = None) -> int:
    """Lock every unlocked objective of the programme now; returns how many were locked.

    The lock date becomes today unless an earlier one was set, so objectives
    added afterwards are locked too.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        count = LearningObjective.objects.filter(
            programme=programme, locked_at__isnull=True
        ).update(locked_at=now)
        settings, _created = ObjectiveSettings.objects.select_for_update().get_or_create(
            programme=programme
        )
        if settings.lock_on is None or settings.lock_on > today:
            settings.lock_on = today
            settings.save(update_fields=["lock_on"])
    return count


def edit(objective_id: int, fields: dict[str, Any]) -> Outcome:
    """Change an objective's words unless it is locked (checked under the row lock)."""
    with transaction.atomic():
        objective = LearningObjective.objects.select_for_update().get(pk=objective_id)
        settings = settings_for(objective.programme)
        if locked(objective, settings, timezone.localdate()):
            return Outcome(False, lock_message(settings))
        for name, value in fields.items():
            setattr(objective, name, value)
        objective.save()
    return Outcome(True)


def rate(objective_id: int, achievement: int, evidence: str) -> Outcome:
    """Rate what was achieved, from the programme's rating date on; locks the objective."""
    with transaction.atomic():
        objective = LearningObjective.objects.select_for_update().get(pk=objective_id)
        programme = objective.programme
        settings = settings_for(programme)
        if not rating_open(programme, settings, timezone.localdate()):
            return Outcome(False, rating_refusal(programme, settings))
        now = timezone.now()
        objective.achievement = achievement
        objective.achievement_evidence = evidence
        objective.rated_at = now
        objective.locked_at = objective.locked_at or now
        objective.save()
    return Outcome(True)
