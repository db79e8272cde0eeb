"""Files an app adds to the data package beside its tables (XLSForms, SPSS, Stata).

An app's ``package.py`` may define ``files(programme, user) -> list[PackageFile]``
next to ``tables``; the package writer calls each file's ``write`` with the
path it chose and lists it in ``datapackage.json`` as a non-tabular resource.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PackageFile:
    """One file: its path inside the package (``/``-separated), what it is, how to write it."""

    path: str
    title: str
    media_type: str
    write: Callable[[Path], None]
    description: str = ""


_NOT_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(text: str) -> str:
    """A file-name part made of letters, digits, ``.``, ``_`` and ``-``."""
    return _NOT_SAFE.sub("_", text).strip("._-") or "file"
