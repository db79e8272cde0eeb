"""The labelled evaluation set: challenge statements with their true category.

About 330 short statements, written for this project in the first person, as
officials describe their own problems (mostly English, some Spanish and French).
Each carries one of 14 categories, half "soft" reform problems (building a reform
team, difficult political principals, ...) and half policy areas (procurement,
land administration, ...). Statements were paraphrased so that no single
keyword gives the category away. It is used to measure how well a similarity
backend, and the grouping built on it, brings together people who share a
problem (*pair precision*).

Examples
--------
>>> rows = load_labelled_statements()
>>> len(rows) >= 300
True
>>> len(categories()) >= 10
True
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from itertools import combinations

import numpy as np
import numpy.typing as npt

__all__ = [
    "DATA_FILE",
    "categories",
    "group_sizes",
    "greedy_groups",
    "load_labelled_rows",
    "load_labelled_statements",
    "load_translations",
    "mixed_language_rows",
    "pair_precision",
    "random_groups",
]

#: File name of the set inside ``peerlearn.engine.data``.
DATA_FILE = "labelled_challenges.csv"
#: Spanish and French translations of two thirds of the English statements.
TRANSLATIONS_FILE = "labelled_translations.csv"


@lru_cache(maxsize=1)
def load_labelled_rows() -> tuple[tuple[str, str, str], ...]:
    """All rows as ``(statement, category, language)``, in file order.

    Notes
    -----
    Read once per process and cached; a few milliseconds.

    Examples
    --------
    >>> sorted({lang for _, _, lang in load_labelled_rows()})
    ['en', 'es', 'fr']
    """
    text = resources.files("peerlearn.engine.data").joinpath(DATA_FILE).read_text("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    rows = []
    for row in reader:
        statement = (row.get("statement") or "").strip()
        category = (row.get("category") or "").strip()
        if statement and category:
            rows.append((statement, category, (row.get("language") or "en").strip()))
    return tuple(rows)


@lru_cache(maxsize=1)
def load_translations() -> dict[str, tuple[str, str]]:
    """English statement -> ``(language, translation)`` for the translated statements.

    Within each category the English statements, in file order, are kept in
    English, put into Spanish, put into French, in turn: a cohort where a
    third writes in each language, with the same problems (translated here
    for this project, by meaning rather than word for word).

    Examples
    --------
    >>> language, text = load_translations()[
    ...     "Tax arrears keep growing and enforcement is weak"]
    >>> language, text.startswith("Les arriérés")
    ('fr', True)
    """
    text = resources.files("peerlearn.engine.data").joinpath(TRANSLATIONS_FILE).read_text("utf-8")
    return {
        row["statement"]: (row["language"], row["translation"])
        for row in csv.DictReader(io.StringIO(text))
    }


def mixed_language_rows() -> list[tuple[str, str, str]]:
    """The English statements as ``(text, category, language)``, two thirds translated.

    The monolingual twin is the same rows with the English text: compare
    the two to see what writing in three languages costs a backend.

    Examples
    --------
    >>> rows = mixed_language_rows()
    >>> english = [r for r in load_labelled_rows() if r[2] == "en"]
    >>> len(rows) == len(english)
    True
    >>> sorted({lang for _, _, lang in rows})
    ['en', 'es', 'fr']
    """
    translated = load_translations()
    out = []
    for statement, category, language in load_labelled_rows():
        if language != "en":
            continue
        lang, text = translated.get(statement, ("en", statement))
        out.append((text, category, lang))
    return out


def load_labelled_statements() -> list[tuple[str, str]]:
    """The labelled set as ``(statement, category)`` pairs.

    Returns
    -------
    list of tuple of str
        A fresh list each call (callers may shuffle it).

    Examples
    --------
    >>> statement, category = load_labelled_statements()[0]
    >>> isinstance(statement, str) and category in categories()
    True
    """
    return [(s, c) for s, c, _ in load_labelled_rows()]


def categories() -> list[str]:
    """The distinct categories, sorted.

    Examples
    --------
    >>> "procurement" in categories()
    True
    """
    return sorted({c for _, c, _ in load_labelled_rows()})


def group_sizes(n: int, low: int = 5, high: int = 6) -> list[int]:
    """Split ``n`` items into as few groups as possible with sizes in ``[low, high]``.

    Falls back to one group when ``n < low``; between ``high`` and ``2 * low``
    (e.g. 7-9 for 5-6) the two groups are as even as possible.

    Examples
    --------
    >>> sizes = group_sizes(308)
    >>> len(sizes), sizes.count(6), sizes.count(5)
    (52, 48, 4)
    >>> group_sizes(3), group_sizes(11)
    ([3], [6, 5])
    """
    if n < low:
        return [n] if n else []
    g = -(-n // high)
    base, extra = divmod(n, g)
    return [base + 1] * extra + [base] * (g - extra)


def greedy_groups(
    vectors: npt.NDArray[np.float32], *, low: int = 5, high: int = 6, seed: int = 0
) -> list[list[int]]:
    """Group unit vectors by a simple similarity-greedy procedure.

    Groups are filled one at a time: the seed is the first ungrouped item in a
    seeded random order, then the ungrouped item with the highest mean cosine
    similarity to the members so far joins, until the group is full. A plain
    baseline for measuring backends, not the engine's matcher.

    Notes
    -----
    ``O(n^2)`` time; meant for evaluation sets of a few thousand items.

    Examples
    --------
    >>> v = np.array([[1, 0], [0, 1], [1, 0], [0, 1]], dtype=np.float32)
    >>> greedy_groups(v, low=2, high=2)
    [[2, 0], [1, 3]]
    """
    n = vectors.shape[0]
    order = list(range(n))
    random.Random(seed).shuffle(order)
    sims = vectors @ vectors.T
    free = np.ones(n, dtype=bool)
    groups: list[list[int]] = []
    position = 0
    for size in group_sizes(n, low, high):
        while not free[order[position]]:
            position += 1
        first = order[position]
        group = [first]
        free[first] = False
        total = sims[first].astype(np.float64).copy()
        while len(group) < size:
            candidates = np.flatnonzero(free)
            best = int(candidates[np.argmax(total[candidates])])
            group.append(best)
            free[best] = False
            total += sims[best]
        groups.append(group)
    return groups


def random_groups(n: int, *, low: int = 5, high: int = 6, seed: int = 0) -> list[list[int]]:
    """Random grouping with the same sizes as :func:`greedy_groups` (the baseline).

    Examples
    --------
    >>> sorted(len(g) for g in random_groups(11))
    [5, 6]
    """
    order = list(range(n))
    random.Random(seed).shuffle(order)
    groups, start = [], 0
    for size in group_sizes(n, low, high):
        groups.append(order[start : start + size])
        start += size
    return groups


def pair_precision(groups: Sequence[Sequence[int]], labels: Sequence[str]) -> float:
    """Share of same-group pairs whose two members have the same label.

    Examples
    --------
    >>> pair_precision([[0, 1, 2], [3, 4]], ["a", "a", "b", "b", "b"])
    0.5
    """
    same = total = 0
    for group in groups:
        for a, b in combinations(group, 2):
            total += 1
            same += labels[a] == labels[b]
    return same / total if total else 0.0
