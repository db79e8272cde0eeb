"""Dual tracking: how a partnership is doing next to what it produces.

Seed 003 asks to track "the quality of the partnership in addition to what
the partnership produces".  Per group this module takes the mean answers to
the partnership-health instrument (six statements on a 1-5 agreement scale)
and a count of results (:class:`Results`: products accepted, objectives
achieved, outcome stories substantiated, exchanges applied), places
the group in one of four quadrants, measures the correlation of health and
results over all groups, and turns the five-capability self-assessments at
start and end into change per capability and level.

Decisions (the thresholds are data: :data:`HEALTHY_FROM`, :data:`PRODUCTIVE_FROM`)
-------------------------------------------------------------------------------
* **Health** of a group = the mean of its six dimension means (each 1-5).
  *Healthy* from :data:`HEALTHY_FROM` = 3.5, halfway between "neither" and
  "agree": on average the members agree.
* **Results** (:class:`Results`) = products accepted (or published) +
  objectives achieved (rated mostly or fully) + outcome stories linked to
  the group, positive and substantiated fully or partly + learning
  exchanges applied (inside the group, or recorded at its check-in).  Each
  counts one: an agreed result is an agreed result, whichever record shows
  it.  *Productive* from :data:`PRODUCTIVE_FROM` = 1 result.
* **Quadrants** (keys): ``healthy_productive``; ``healthy_closed`` (healthy
  but nothing produced); ``transactional_delivering`` (results without a
  healthy partnership); ``struggling``.
* **Echo chamber** flag ``echo_chamber``: trust at least :data:`HIGH_TRUST`
  (4, "agree") while willingness to challenge is below :data:`LOW_CHALLENGE`
  (3, under "neither"): the high-trust, low-challenge pattern seed 003 warns
  about, whatever the results.
* **Correlation**: Pearson's r over the groups shown, with a confidence
  interval by **Fisher's z** (``atanh(r) ± z / sqrt(n - 3)``), the interval
  :meth:`scipy.stats.PearsonRResult.confidence_interval` gives.  Fewer than
  four groups, or no spread on an axis, gives no r (reason key).
* **Capability change**: self-assessments (1-4) paired by respondent code
  (the survey pseudonym); change = mean of the paired differences, per
  capability and level (``me_*`` individual, ``org_*`` institutional).

Examples
--------
>>> quadrant(4.2, 3)
'healthy_productive'
>>> quadrant(4.2, 0)
'healthy_closed'
>>> flags({"trust": 4.5, "challenge": 2.0})
['echo_chamber']
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = [
    "DIMENSIONS",
    "HEALTHY_FROM",
    "PRODUCTIVE_FROM",
    "CapabilityChange",
    "Correlation",
    "Results",
    "capability_change",
    "check_correlation",
    "correlation",
    "flags",
    "health",
    "quadrant",
]

#: The partnership-health dimensions (question names of the built-in instrument).
DIMENSIONS = ("trust", "openness", "mutual_interest", "challenge", "two_way", "power_balance")
HEALTHY_FROM = 3.5
PRODUCTIVE_FROM = 1
HIGH_TRUST = 4.0
LOW_CHALLENGE = 3.0
#: Capability levels by question-name prefix in the built-in self-assessment.
LEVELS = {"me_": "individual", "org_": "institutional"}


@dataclass(frozen=True)
class Results:
    """What a group produced, by source; :attr:`total` is what the quadrant reads.

    Examples
    --------
    >>> r = Results(products=1, objectives=2, stories=1, applied_exchanges=3)
    >>> r.total, quadrant(4.0, r.total)
    (7, 'healthy_productive')
    >>> Results(stories=1).total >= PRODUCTIVE_FROM
    True
    """

    products: int = 0
    objectives: int = 0
    stories: int = 0
    applied_exchanges: int = 0

    @property
    def total(self) -> int:
        return self.products + self.objectives + self.stories + self.applied_exchanges


#: Story verifications that count as a result (the harvest app's codes).
STORY_COUNTS = ("substantiated", "partly")


def counts_as_result(verification: str, positive: bool) -> bool:
    """Whether an outcome story linked to a group counts among its results.

    Examples
    --------
    >>> counts_as_result("substantiated", True), counts_as_result("partly", True)
    (True, True)
    >>> counts_as_result("substantiated", False), counts_as_result("disputed", True)
    (False, False)
    >>> counts_as_result("unverified", True)
    False
    """
    return positive and verification in STORY_COUNTS


def applied_in_group(
    giver: object,
    receiver: object,
    applied: bool | None,
    members: AbstractSet[object],
    recorded_with_group: bool = False,
) -> bool:
    """Whether an exchange counts as applied learning the group produced.

    Applied, and either between two members (learning inside the
    partnership) or recorded at the group's check-in (what a member brought
    back from another group).

    Examples
    --------
    >>> applied_in_group(1, 2, True, {1, 2}), applied_in_group(1, 2, None, {1, 2})
    (True, False)
    >>> applied_in_group(9, 2, True, {1, 2}), applied_in_group(9, 2, True, {1, 2}, True)
    (False, True)
    """
    if applied is not True:
        return False
    return recorded_with_group or (giver in members and receiver in members)


def health(dimension_means: Mapping[str, float]) -> float | None:
    """Mean of the dimension means present (``None`` when none is).

    Examples
    --------
    >>> health({"trust": 4, "openness": 3})
    3.5
    >>> health({}) is None
    True
    """
    values = [float(dimension_means[d]) for d in DIMENSIONS if d in dimension_means]
    return sum(values) / len(values) if values else None


def quadrant(health_score: float, results: float) -> str:
    """The quadrant key of a group from its health and its results."""
    healthy = health_score >= HEALTHY_FROM
    productive = results >= PRODUCTIVE_FROM
    if healthy:
        return "healthy_productive" if productive else "healthy_closed"
    return "transactional_delivering" if productive else "struggling"


def flags(dimension_means: Mapping[str, float]) -> list[str]:
    """Warning keys from the dimension means (``echo_chamber``)."""
    trust = dimension_means.get("trust")
    challenge = dimension_means.get("challenge")
    if trust is None or challenge is None:
        return []
    return ["echo_chamber"] if trust >= HIGH_TRUST and challenge < LOW_CHALLENGE else []


@dataclass(frozen=True)
class Correlation:
    n: int
    r: float | None = None
    low: float | None = None
    high: float | None = None
    p_value: float | None = None
    reason: str = ""  # "too_few_groups" or "no_spread" when r is None


def correlation(xs: Sequence[float], ys: Sequence[float], confidence: float = 0.95) -> Correlation:
    """Pearson's r of ``xs`` and ``ys`` with a Fisher-z interval.

    Examples
    --------
    >>> c = correlation([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])
    >>> round(c.r, 3), round(c.low, 3), round(c.high, 3)
    (0.775, -0.34, 0.984)
    >>> correlation([1, 2, 3], [1, 2, 3]).reason
    'too_few_groups'
    """
    if len(xs) != len(ys):
        raise ValueError("xs and ys differ in length")
    n = len(xs)
    if n < 4:
        return Correlation(n, reason="too_few_groups")
    x, y = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    dx, dy = x - x.mean(), y - y.mean()
    spread = math.sqrt(float(dx @ dx) * float(dy @ dy))
    if spread == 0:
        return Correlation(n, reason="no_spread")
    r = max(-1.0, min(1.0, float(dx @ dy) / spread))
    z_crit = float(stats.norm.ppf(0.5 + confidence / 2))
    if abs(r) == 1.0:
        return Correlation(n, r, r, r, 0.0)
    z, se = math.atanh(r), 1 / math.sqrt(n - 3)
    t = r * math.sqrt((n - 2) / (1 - r * r))
    p_value = float(2 * stats.t.sf(abs(t), n - 2))
    return Correlation(n, r, math.tanh(z - z_crit * se), math.tanh(z + z_crit * se), p_value)


def check_correlation(result: Correlation) -> list[str]:
    """Problems with a correlation result (the checker beside :func:`correlation`).

    Examples
    --------
    >>> check_correlation(correlation([1, 2, 3, 4], [1, 3, 2, 4]))
    []
    """
    if result.r is None:
        return [] if result.reason else ["no r and no reason"]
    problems = []
    if not -1 <= result.r <= 1:
        problems.append("r out of range")
    if result.low is None or result.high is None or not result.low <= result.r <= result.high:
        problems.append("interval misses r")
    if result.p_value is None or not 0 <= result.p_value <= 1:
        problems.append("p-value out of range")
    return problems


@dataclass(frozen=True)
class CapabilityChange:
    capability: str  # "commit", "deliver", "relate", "balance", "adapt"
    level: str  # "individual" or "institutional"
    n: int  # respondents with both ratings
    start: float | None
    end: float | None
    change: float | None


def capability_change(
    start: Mapping[str, Mapping[str, object]], end: Mapping[str, Mapping[str, object]]
) -> list[CapabilityChange]:
    """Change per capability and level, paired by respondent code.

    Examples
    --------
    >>> rows = capability_change({"p1": {"me_commit": "2"}, "p2": {"me_commit": "3"}},
    ...                          {"p1": {"me_commit": "4"}, "p3": {"me_commit": "1"}})
    >>> [(r.capability, r.level, r.n, r.change) for r in rows]
    [('commit', 'individual', 1, 2.0)]
    """
    names = sorted(
        {name for answers in [*start.values(), *end.values()] for name in answers},
        key=_capability_order,
    )
    rows = []
    for name in names:
        level = next((lvl for prefix, lvl in LEVELS.items() if name.startswith(prefix)), None)
        if level is None:
            continue
        pairs = [
            (a, b)
            for code in start.keys() & end.keys()
            if (a := _number(start[code].get(name))) is not None
            and (b := _number(end[code].get(name))) is not None
        ]
        capability = name.split("_", 1)[1]
        if not pairs:
            rows.append(CapabilityChange(capability, level, 0, None, None, None))
            continue
        first = sum(a for a, _b in pairs) / len(pairs)
        last = sum(b for _a, b in pairs) / len(pairs)
        rows.append(CapabilityChange(capability, level, len(pairs), first, last, last - first))
    return rows


_ORDER = ("commit", "deliver", "relate", "balance", "adapt")


def _capability_order(name: str) -> tuple[int, int, str]:
    prefix, _sep, capability = name.partition("_")
    level = 0 if prefix == "me" else 1
    position = _ORDER.index(capability) if capability in _ORDER else len(_ORDER)
    return level, position, name


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
