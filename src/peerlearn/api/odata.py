"""The OData minimal subset of the JSON feeds: ``$top``, ``$skip``, ``$count``.

As ODK Central's OData data documents do: the rows are a ``value`` array of
objects (one key per column), ``$skip`` leaves out the first rows, ``$top``
keeps at most that many, ``$count=true`` adds ``@odata.count`` (every row,
whatever ``$top`` and ``$skip`` say) and a response holding fewer rows than
were asked for links the rest with ``@odata.nextLink``.

Decisions
---------
* **Server pages**: one response holds at most :data:`PAGE_ROWS` rows; more
  come by following ``@odata.nextLink`` (the same address with ``$skip``
  moved on and what remains of ``$top``).  Power BI and R loops follow it.
* **Streamed**: the JSON is written row by row, so a page never sits in
  memory; ``@odata.count`` (when asked for) comes first, ``@odata.nextLink``
  after ``value``, where OData's JSON format allows it for a streamed
  response, since only then is it known whether another row exists.
* **Bad values are a 400** in the API's error shape (``invalid``): a
  negative, fractional or huge number, ``$count`` other than ``true`` or
  ``false``; and so is any other query option (``unknown_filter``): a BI tool
  asking for ``$filter`` must not silently get every row.
* **Cells**: JSON ``null`` for missing, numbers and booleans as themselves,
  dates ``YYYY-MM-DD`` and times in UTC (``2026-03-06T14:00:00Z``), as in the
  package's CSV; text as it is (a spreadsheet never opens JSON, so it is not
  formula-neutralised as CSV text is).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.request import Request

from peerlearn.core.tabular import Table
from peerlearn.evidence.datapackage import cell, checked_rows

#: Most rows in one JSON response; the rest are behind ``@odata.nextLink``.
PAGE_ROWS = 50_000
#: The largest ``$top`` or ``$skip`` accepted (larger is surely a mistake).
LARGEST = 10**12
OPTIONS = ("$top", "$skip", "$count")
_END = object()


@dataclass(frozen=True)
class Paging:
    skip: int = 0
    top: int | None = None
    count: bool = False

    @property
    def first_page(self) -> bool:
        return self.skip == 0


def refuse_unknown(request: Request, known: Sequence[str]) -> None:
    """400 ``unknown_filter`` for any query parameter the feed does not understand."""
    unknown = sorted(set(request.query_params) - set(known))
    if unknown:
        listed = ", ".join(known) or "-"
        raise exceptions.ValidationError(
            {
                name: [_("Not understood here. Query options: %(known)s.") % {"known": listed}]
                for name in unknown
            },
            code="unknown_filter",
        )


def _whole(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit() or int(raw) > LARGEST:
        raise exceptions.ValidationError(
            {name: [_("A whole number from 0 to %(most)d.") % {"most": LARGEST}]},
            code="invalid",
        )
    return int(raw)


def paging(request: Request) -> Paging:
    """``$top``, ``$skip`` and ``$count`` from the query (400 for a bad value)."""
    count = request.query_params.get("$count")
    if count is not None and count not in ("true", "false"):
        raise exceptions.ValidationError(
            {"$count": [_("true or false.")]},
            code="invalid",
        )
    return Paging(
        skip=_whole(request, "$skip") or 0, top=_whole(request, "$top"), count=count == "true"
    )


def json_cell(value: object) -> object:
    """One cell as JSON (see the module's "Cells")."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return cell(value)
    return str(value)


def next_link(request: Request, page: Paging, sent: int) -> str:
    """This address with ``$skip`` moved past the ``sent`` rows (and ``$top`` reduced)."""
    query = {k: v for k, v in request.query_params.items() if k not in ("$skip", "$top")}
    query["$skip"] = str(page.skip + sent)
    if page.top is not None:
        query["$top"] = str(page.top - sent)
    return request.build_absolute_uri(request.path + "?" + urlencode(query))


def json_pages(
    request: Request, page: Paging, table: Table, counted: Callable[[], int] | None = None
) -> Iterator[str]:
    """The JSON document of one page of ``table``, in pieces.

    ``counted`` counts every row (it is called only for ``$count=true``, so a
    feed reads its table a second time only when asked).
    """
    head = f'{{"@odata.count": {counted()}, ' if page.count and counted else "{"
    yield head + '"value": ['
    wanted = PAGE_ROWS if page.top is None else min(page.top, PAGE_ROWS)
    rows = islice(checked_rows(table), page.skip, None)
    names = table.header
    sent = 0
    for row in islice(rows, wanted):
        record = {name: json_cell(v) for name, v in zip(names, row, strict=True)}
        yield ("," if sent else "") + json.dumps(record, ensure_ascii=False)
        sent += 1
    more_wanted = page.top is None or page.top > sent
    if sent == wanted and more_wanted and next(rows, _END) is not _END:
        yield '], "@odata.nextLink": ' + json.dumps(next_link(request, page, sent)) + "}"
    else:
        yield "]}"


def json_rows_schema(description: str) -> dict[str, Any]:
    """The OpenAPI schema of a JSON feed's body."""
    return {
        "type": "object",
        "required": ["value"],
        "description": description,
        "properties": {
            "@odata.count": {"type": "integer", "description": "Every row ($count=true)"},
            "value": {
                "type": "array",
                "items": {"type": "object", "additionalProperties": True},
            },
            "@odata.nextLink": {
                "type": "string",
                "format": "uri",
                "description": "The next page, when this one holds fewer rows than asked for",
            },
        },
    }
