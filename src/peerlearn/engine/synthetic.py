"""Synthetic cohorts for tests, demos and benchmarks.

Each synthetic person gets a true category and challenges drawn from the
labelled statements of that category (:mod:`peerlearn.engine.evalset`), plus
random organisation, country, role, languages and flags. The true categories
let a grouping be scored by *pair precision*.

Examples
--------
>>> people, truth = synthetic_people(12, seed=0)
>>> len(people), len(truth), len(people[0].challenges)
(12, 12, 3)
>>> 0.0 <= pair_precision({p.id: "g" for p in people}, truth) <= 1.0
True
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping

import numpy as np

from peerlearn.engine.people import Person

__all__ = ["pair_precision", "synthetic_people"]

COUNTRIES = [
    "KE",
    "UG",
    "TZ",
    "RW",
    "GH",
    "NG",
    "SN",
    "CI",
    "BR",
    "PE",
    "CO",
    "MX",
    "AR",
    "CL",
    "FR",
    "ES",
    "MA",
    "TN",
    "ID",
    "PH",
    "IN",
    "BD",
    "KZ",
    "UZ",
    "KG",
]
REGIONS = {
    "KE": "east africa",
    "UG": "east africa",
    "TZ": "east africa",
    "RW": "east africa",
    "GH": "west africa",
    "NG": "west africa",
    "SN": "west africa",
    "CI": "west africa",
    "BR": "latin america",
    "PE": "latin america",
    "CO": "latin america",
    "MX": "latin america",
    "AR": "latin america",
    "CL": "latin america",
    "FR": "europe",
    "ES": "europe",
    "MA": "north africa",
    "TN": "north africa",
    "ID": "asia",
    "PH": "asia",
    "IN": "asia",
    "BD": "asia",
    "KZ": "central asia",
    "UZ": "central asia",
    "KG": "central asia",
}
ROLES = ["director", "analyst", "adviser", "minister", "manager", "lawyer", "economist"]
SENIORITY = ["junior", "mid", "senior"]
POLICY = ["finance", "health", "education", "justice", "land", "procurement", "digital"]


def synthetic_people(
    n: int,
    *,
    seed: int = 0,
    challenges: int = 3,
    orgs_per_country: int | None = None,
    languages: bool = False,
) -> tuple[list[Person], dict[str, str]]:
    """``n`` synthetic people and their true category (``id -> category``).

    Notes
    -----
    ``O(n)``; organisations are sized so that about 1 in 40 people share one
    (``orgs_per_country`` overrides).

    Examples
    --------
    >>> ps, truth = synthetic_people(3, seed=1, languages=True)
    >>> all(p.languages for p in ps)
    True
    """
    from peerlearn.engine.evalset import load_labelled_statements

    rng = np.random.default_rng(seed)
    by_cat: dict[str, list[str]] = defaultdict(list)
    for text, cat in load_labelled_statements():
        by_cat[cat].append(text)
    cats = sorted(by_cat)
    n_orgs = orgs_per_country or max(2, n // (40 * len(COUNTRIES)) + 2)
    people: list[Person] = []
    truth: dict[str, str] = {}
    for k in range(n):
        cat = cats[int(rng.integers(len(cats)))]
        pool = by_cat[cat]
        picks = rng.choice(len(pool), size=min(challenges, len(pool)), replace=False)
        country = COUNTRIES[int(rng.integers(len(COUNTRIES)))]
        langs: tuple[str, ...] = ()
        if languages:
            first = {
                "BR": "pt",
                "PE": "es",
                "CO": "es",
                "MX": "es",
                "AR": "es",
                "CL": "es",
                "ES": "es",
                "FR": "fr",
                "SN": "fr",
                "CI": "fr",
                "MA": "fr",
                "TN": "fr",
            }.get(country, "en")
            langs = (first, "en") if first != "en" and rng.random() < 0.6 else (first,)
        pid = f"p{k:05d}"
        people.append(
            Person(
                pid,
                organisation=f"{country}-org{int(rng.integers(n_orgs))}",
                country=country,
                region=REGIONS[country],
                role=ROLES[int(rng.integers(len(ROLES)))],
                seniority=SENIORITY[int(rng.integers(len(SENIORITY)))],
                policy_area=POLICY[int(rng.integers(len(POLICY)))],
                challenges=tuple(pool[int(i)] for i in picks),
                languages=langs,
                gender=("f", "m", "x")[int(rng.integers(3))],
                external=bool(rng.random() < 0.2),
                alumni=bool(rng.random() < 0.15),
            )
        )
        truth[pid] = cat
    return people, truth


def pair_precision(assignment: Mapping[str, str], truth: Mapping[str, str]) -> float:
    """Share of same-group pairs whose members have the same true category.

    ``O(n + groups * categories)``.

    Examples
    --------
    >>> pair_precision({"a": "1", "b": "1", "c": "2", "d": "2"},
    ...                {"a": "x", "b": "x", "c": "x", "d": "y"})
    0.5
    """
    per_group: dict[str, Counter[str]] = defaultdict(Counter)
    for pid, g in assignment.items():
        per_group[g][truth[pid]] += 1
    same = total = 0
    for cnt in per_group.values():
        size = sum(cnt.values())
        total += size * (size - 1) // 2
        same += sum(k * (k - 1) // 2 for k in cnt.values())
    return same / total if total else 0.0
