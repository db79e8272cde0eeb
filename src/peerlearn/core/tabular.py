"""One shape for every table peerlearn hands out: data package, flat feeds, exports.

An app that holds programme records offers them as tables by defining
``peerlearn/<app>/package.py`` with::

    def tables(programme: Programme, user: User) -> list[Table]: ...

returning only what ``user`` may read under the pages' rules (the same
functions in ``programmes/permissions.py`` decide).  :func:`table_sources`
finds them in every installed peerlearn app (the evidence app's
``reader_tables`` asks them), so a new app joins the evaluator's handover
package by adding that one module.

Columns carry Frictionless Table Schema types (``string``, ``integer``,
``number``, ``boolean``, ``date``, ``datetime``) so the package writer can
emit a schema without guessing.  People appear only through
:func:`pseudonym`, so one person has the same id in every table.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings

if TYPE_CHECKING:
    from peerlearn.accounts.models import User
    from peerlearn.programmes.models import Programme

#: The Table Schema types a column may declare.
COLUMN_TYPES = frozenset({"string", "integer", "number", "boolean", "date", "datetime"})


@dataclass(frozen=True)
class Column:
    """One column: its machine name, Table Schema type and a description."""

    name: str
    type: str = "string"
    description: str = ""

    def __post_init__(self) -> None:
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"unknown column type {self.type!r}")


@dataclass
class Table:
    """A named table whose ``rows`` yield one sequence per record, in column order.

    ``rows`` may be a generator so large tables stream; ``foreign_keys`` maps a
    column to ``(table, column)`` it refers to.
    """

    name: str
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    description: str = ""
    primary_key: Sequence[str] = ()
    foreign_keys: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]


TableSource = Callable[["Programme", "User"], list[Table]]


def table_sources() -> Iterator[tuple[str, TableSource]]:
    """``(app label, tables function)`` for every installed app with a ``package`` module."""
    for config in apps.get_app_configs():
        if not config.name.startswith("peerlearn."):
            continue
        try:
            module = import_module(f"{config.name}.package")
        except ModuleNotFoundError as error:
            # Only a missing ``package`` module means "this app offers no tables";
            # a broken import inside one must not vanish silently.
            if error.name != f"{config.name}.package":
                raise
            continue
        yield config.label, module.tables


def pseudonym(programme: Programme, person_id: int) -> str:
    """A stable, non-reversible id for a person within one programme.

    Keyed on the site's secret and the programme, so ids agree across every
    table and instrument of a programme but cannot be joined across
    programmes or guessed from database ids.
    """
    key = f"{settings.SECRET_KEY}:pseudonym:{programme.pk}".encode()
    digest = hmac.new(key, str(person_id).encode(), hashlib.sha256).hexdigest()
    return f"p-{digest[:12]}"
