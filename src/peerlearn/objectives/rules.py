"""Plain rules for objectives: when they lock, when they are rated, what aggregates show.

No database here: the views pass dates and counts, the tests call these directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext as _


def is_locked(locked_at: datetime | None, lock_on: date | None, today: date) -> bool:
    """Locked by the facilitator, or because the programme's lock date has come."""
    return locked_at is not None or (lock_on is not None and today >= lock_on)


def rating_opens_on(rate_from: date | None, programme_end: date | None) -> date | None:
    """The day achievement may be rated: the programme's choice, else its end date."""
    return rate_from or programme_end


def rating_is_open(rate_from: date | None, programme_end: date | None, today: date) -> bool:
    """Achievement is rated at the end only; a programme with no date never opens it."""
    opens = rating_opens_on(rate_from, programme_end)
    return opens is not None and today >= opens


def of(part: int, whole: int) -> str:
    """``"8 of 11"``: a share always shown with its denominator, never as a bare percentage."""
    return _("%(part)d of %(whole)d") % {"part": part, "whole": whole}


@dataclass(frozen=True)
class Rated:
    """One person's objective for the aggregates: who, and how it was rated (or ``None``)."""

    person_id: int
    achievement: int | None


@dataclass(frozen=True)
class ObjectivesSummary:
    """Objectives set vs achieved; every figure ``None`` when ``suppressed``."""

    suppressed: bool
    people: int | None = None
    objectives: int | None = None
    rated: int | None = None
    achieved: int | None = None


def summarise(rows: Iterable[Rated], *, k: int, achieved_from: int) -> ObjectivesSummary:
    """Set vs achieved over people's objectives, shown only when k or more people rated.

    Fewer than ``k`` people who rated an objective: nothing is shown, not even
    how many set one, so a small group's ratings cannot be read off the page.
    """
    rows = list(rows)
    raters = {r.person_id for r in rows if r.achievement is not None}
    if len(raters) < k:
        return ObjectivesSummary(suppressed=True)
    rated = [r for r in rows if r.achievement is not None]
    return ObjectivesSummary(
        suppressed=False,
        people=len({r.person_id for r in rows}),
        objectives=len(rows),
        rated=len(rated),
        achieved=sum(
            1 for r in rated if r.achievement is not None and r.achievement >= achieved_from
        ),
    )
