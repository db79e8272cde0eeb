"""Read the bytes of an uploaded roster into a table of strings.

Decisions:

* **The content decides the format, not the name.**  An XLSX file is a zip
  archive holding ``xl/workbook.xml``; anything else that is a zip (including
  OpenDocument spreadsheets), an old binary ``.xls`` (or a password-protected
  workbook, which has the same container), a PDF, an image, or any other
  binary content is refused with a message saying what the file looks like
  and what to do.  Text is read as CSV whatever its extension.
* **Size first.**  Files over ``max_bytes`` are refused before they are
  parsed; so are XLSX files whose parts would expand to more than
  ``XLSX_EXPANSION`` times the limit (a "zip bomb").
* **CSV encodings.**  UTF-8 (with or without a byte-order mark) is tried
  first, then Windows-1252 (what Excel on Windows writes for "CSV"), then
  Latin-1, which accepts any byte; UTF-16 with a byte-order mark ("Unicode
  text" from Excel) is read too.  ``Table.encoding`` says which one was used.
* **CSV delimiters.**  The header line decides between ``,``, ``;`` (Excel in
  most of Europe and Latin America) and tab: the most frequent one outside
  quotes wins, comma on a tie.
* **XLSX.**  The first worksheet is read (the template's second sheet holds
  instructions), in read-only mode, with the values Excel last computed for
  formulas.  Whole numbers lose their ``.0``, dates become ISO 8601
  (``2025-03-01``; with a time, ``2025-03-01T09:30:00``), ``TRUE``/``FALSE``
  become ``true``/``false``.
* **Cells** are stripped of surrounding white space.  A cell that starts with
  an apostrophe followed by ``=``, ``+``, ``-``, ``@``, tab or carriage return
  (possibly after more apostrophes) loses exactly one apostrophe: it is how
  exports neutralise formula injection (see :mod:`.writing`), so exporting
  and importing gives back the original text.  (An apostrophe typed
  deliberately before such a character is lost too; that is the price of
  the round trip.)
* **Rows.**  The first non-blank row is the header.  Blank rows are skipped
  but still counted, so row numbers are the ones the person sees in the
  spreadsheet (the header is normally row 1).  A header without any data
  row is "no people in it".
* **Header.**  Matching is by :func:`.columns.normalise_header`.  Missing
  required columns, or the same column twice, are refused naming them and
  listing what was found.  Unknown columns are kept in the table; the
  validation lists them as ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from peerlearn.core.spreadsheets import (
    XLSX_EXPANSION,
    SpreadsheetError,
    binary_kind,
    format_size,
    looks_like_old_excel,
    looks_like_xlsx,
    read_csv_rows,
    read_xlsx_rows,
    split_header,
    unescape_cell,
    xlsx_expanded_size,
)

from .columns import REQUIRED_COLUMNS, normalise_header

__all__ = ["XLSX_EXPANSION", "RosterFileError", "Table", "format_size", "read_table"]


class RosterFileError(ValueError):
    """The file cannot be read as a roster; ``message`` says why, for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass
class Table:
    """The cells of a roster file, as stripped strings.

    ``rows`` holds the non-blank data rows; ``row_numbers[i]`` is the
    spreadsheet row number of ``rows[i]`` (blank rows are skipped but
    counted).  Rows may be shorter than the header (trailing blanks) or longer
    (extra cells; validation reports those when they are not blank).
    """

    header: list[str]
    rows: list[list[str]]
    first_row_number: int = 2
    encoding: str | None = None  # CSV only: the text encoding that was used
    delimiter: str | None = None  # CSV only
    format: str = "csv"  # "csv" or "xlsx"
    row_numbers: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.row_numbers:
            self.row_numbers = list(
                range(self.first_row_number, self.first_row_number + len(self.rows))
            )

    @property
    def columns(self) -> list[str]:
        """The header cells as column names (``normalise_header``)."""
        return [normalise_header(cell) for cell in self.header]


# ------------------------------------------------------------------ detection


def _save_as() -> str:
    return _("Save it as Excel Workbook (.xlsx) or CSV UTF-8 and upload that file.")


def read_table(data: bytes, filename: str, *, max_bytes: int) -> Table:
    """Read a CSV or XLSX roster; raise :class:`RosterFileError` if it cannot be."""
    if len(data) > max_bytes:
        raise RosterFileError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": format_size(len(data)), "limit": format_size(max_bytes)}
        )
    if not data.strip():
        raise RosterFileError(_("The file has no people in it: it is empty."))
    name = (filename or "").lower()
    if looks_like_xlsx(data):
        table = _read_xlsx(data, max_bytes=max_bytes)
    elif looks_like_old_excel(data):
        raise RosterFileError(
            _(
                "This looks like an old-format Excel file (.xls) or a password-protected "
                "workbook, which cannot be read. "
            )
            + _save_as()
        )
    else:
        kind = binary_kind(data)
        if kind is not None:
            raise RosterFileError(
                _("This file is %(kind)s, not a spreadsheet. Upload a CSV or XLSX file.")
                % {"kind": kind}
            )
        if name.endswith((".xlsx", ".xlsm")):
            raise RosterFileError(
                _("The file is named .xlsx but is not an Excel workbook (it may be damaged). ")
                + _save_as()
            )
        if name.endswith(".xls"):
            # Some systems export HTML or text with an .xls name.
            raise RosterFileError(
                _("This looks like an old-format Excel file (.xls), which cannot be read. ")
                + _save_as()
            )
        table = _read_csv(data)
    _check_header(table)
    return table


def _read_csv(data: bytes) -> Table:
    try:
        read = read_csv_rows(data)
    except SpreadsheetError as error:
        line, _sep, detail = error.detail.partition(": ")
        raise RosterFileError(
            _("The CSV file is malformed near line %(line)s: %(error)s")
            % {"line": line, "error": detail}
        ) from error
    table = _table(read.rows)
    table.encoding = read.encoding
    table.delimiter = read.delimiter
    return table


def _table(numbered_rows: Iterable[tuple[int, Iterable[str]]], fmt: str = "csv") -> Table:
    split = split_header(numbered_rows, lambda cell: unescape_cell(str(cell)))
    header, rows, numbers = split.header, split.rows, split.numbers
    if header is None:
        raise RosterFileError(_("The file has no people in it: it is empty."))
    if not rows:
        raise RosterFileError(
            _("The file has no people in it: there is a header row but no rows below it.")
        )
    return Table(
        header=header,
        rows=rows,
        first_row_number=numbers[0] if numbers else split.header_number + 1,
        format=fmt,
        row_numbers=numbers,
    )


def _check_header(table: Table) -> None:
    columns = table.columns
    found = ", ".join(cell for cell in table.header if cell) or _("(none)")
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        raise RosterFileError(
            _(
                "The header row (the first row) is missing the required column(s) "
                "%(missing)s. Columns found: %(found)s. Download the template to see "
                "the expected columns."
            )
            % {"missing": ", ".join(missing), "found": found}
        )
    seen: set[str] = set()
    twice: list[str] = []
    for column, cell in zip(columns, table.header, strict=True):
        if column and column in seen and cell not in twice:
            twice.append(cell)
        seen.add(column)
    if twice:
        raise RosterFileError(
            _("The header row names the same column more than once: %(columns)s.")
            % {"columns": ", ".join(twice)}
        )


# ----------------------------------------------------------------------- XLSX


def _read_xlsx(data: bytes, *, max_bytes: int) -> Table:
    declared = xlsx_expanded_size(data)
    if declared is None:
        raise RosterFileError(
            _("The file looks like a zip archive or an Excel workbook but is damaged. ")
            + _save_as()
        )
    names, expanded = declared
    if "xl/workbook.xml" not in names:
        if "content.xml" in names and "mimetype" in names:
            raise RosterFileError(
                _("This is an OpenDocument file (for example from LibreOffice), not XLSX. ")
                + _save_as()
            )
        raise RosterFileError(
            _("This file is a zip archive, not a spreadsheet. Upload a CSV or XLSX file.")
        )
    if expanded > XLSX_EXPANSION * max_bytes:
        raise RosterFileError(
            _("The workbook is too large once unpacked (%(size)s). Upload a smaller file.")
            % {"size": format_size(expanded)}
        )
    try:
        return _table(_xlsx_rows(data), fmt="xlsx")
    except RosterFileError:
        raise
    except Exception as error:  # openpyxl raises many kinds on damaged files
        raise RosterFileError(
            _("The Excel workbook could not be read (it may be damaged). ") + _save_as()
        ) from error


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        yield from read_xlsx_rows(data)
    except SpreadsheetError as error:
        raise RosterFileError(_("The workbook has no worksheet.")) from error
