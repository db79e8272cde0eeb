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
from functools import lru_cache
from importlib import resources

__all__ = ["DATA_FILE", "categories", "load_labelled_statements", "load_labelled_rows"]

#: File name of the set inside ``peerlearn.engine.data``.
DATA_FILE = "labelled_challenges.csv"


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
