"""The one writer of downloads: rows of text as CSV or XLSX, safe to open.

Rosters, survey exports, topics and the audit log are all written here, so
formula neutralisation happens in one place.

* **CSV** is UTF-8 with a byte-order mark (so Excel shows accents and
  non-Latin scripts correctly), comma-separated, CRLF line ends, quoted only
  where needed.
* **XLSX** has the rows on its first sheet (bold, frozen header row); every
  cell is written as text (``data_type`` ``"s"``), never as a number, date or
  formula.  Characters XML cannot hold (control characters other than tab and
  line breaks) are dropped.
* **Formula injection**: a cell whose text starts with ``=``, ``+``, ``-``,
  ``@``, tab or carriage return gets a leading apostrophe, in CSV and XLSX
  alike, so no spreadsheet program runs it as a formula (OWASP's advice for
  CSV injection).  Readers remove exactly that apostrophe, so export ->
  import gives back the original text.  In XLSX the apostrophe is visible in
  the cell; that is deliberate, to keep one rule for both formats.  A text
  that already starts with apostrophes before such a character gets one more
  apostrophe, so it round-trips too.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

__all__ = ["FORMULA_PREFIXES", "neutralise", "write_csv", "write_xlsx"]

Row = Mapping[str, object]

#: What spreadsheet programs read as the start of a formula.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

# What openpyxl refuses in XML text (its ILLEGAL_CHARACTERS_RE).
_ILLEGAL_XML = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def neutralise(value: object) -> str:
    """The text of a cell, made safe from formula injection.

    A text that already starts with apostrophes before such a character gets
    one more, so that reading it back (which removes one) is exact.

    >>> neutralise("=1+1"), neutralise("-2"), neutralise("Ana"), neutralise(None)
    ("'=1+1", "'-2", 'Ana', '')
    >>> neutralise("'=x")
    "''=x"
    """
    if value is None:
        return ""
    text = ("yes" if value else "no") if isinstance(value, bool) else str(value)
    if text.lstrip("'").startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def write_csv(rows: Iterable[Row], columns: Sequence[str]) -> bytes:
    """A CSV file (UTF-8 with BOM) of ``rows`` in ``columns`` order; missing keys are blank.

    >>> write_csv([{"a": "=x", "b": 1}], ["a", "b"]).decode("utf-8-sig")
    "a,b\\r\\n'=x,1\\r\\n"
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(column) for column in columns])
    for row in rows:
        writer.writerow([neutralise(row.get(column)) for column in columns])
    return buffer.getvalue().encode("utf-8-sig")


#: A second sheet: its title, its header and its rows of text.
NotesSheet = tuple[str, Sequence[str], Iterable[Sequence[object]]]


def write_xlsx(
    rows: Iterable[Row],
    columns: Sequence[str],
    *,
    sheet_title: str,
    width_of: Callable[[str], int] = lambda column: 18,
    notes: NotesSheet | None = None,
) -> bytes:
    """An XLSX workbook of ``rows`` on its first sheet, every cell as text.

    ``width_of`` gives each column's width; ``notes`` adds a second sheet of
    wrapped explanations (the roster template's instructions).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title)
    for position, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width_of(column)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_text_cell(sheet, column, font=bold) for column in columns])
    for row in rows:
        sheet.append([_text_cell(sheet, row.get(column)) for column in columns])
    if notes is not None:
        _append_notes(workbook, notes, bold)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text_cell(sheet: Any, value: object, *, font: Any = None, wrap: bool = False) -> Any:
    """A write-only cell holding ``value`` as neutralised text (never a formula or number)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment

    cell = WriteOnlyCell(sheet)
    text = _ILLEGAL_XML.sub("", neutralise(value))
    if text:
        cell.value = text
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def _append_notes(workbook: Any, notes: NotesSheet, bold: Any) -> None:
    """The notes sheet: narrow first columns, a wide wrapped last one."""
    title, header, lines = notes
    sheet = workbook.create_sheet(title=title)
    widths = [22, 12, 90][-len(header) :] if len(header) <= 3 else [30] * len(header)
    from openpyxl.utils import get_column_letter

    for position, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.append([_text_cell(sheet, text, font=bold) for text in header])
    for line in lines:
        *first, last = line
        sheet.append(
            [_text_cell(sheet, text) for text in first] + [_text_cell(sheet, last, wrap=True)]
        )
