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

import csv
import datetime as dt
import io
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .columns import FORMULA_PREFIXES, REQUIRED_COLUMNS, normalise_header

__all__ = ["XLSX_EXPANSION", "RosterFileError", "Table", "format_size", "read_table"]

#: An XLSX file may expand to at most this many times ``max_bytes``.
XLSX_EXPANSION = 50

_DELIMITERS = (",", ";", "\t")


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


def format_size(size: int) -> str:
    """A size for people: ``5 MB``, ``1.5 MB``, ``200 KB``, ``900 bytes``."""
    if size >= 1024 * 1024:
        return _("%(size)s MB") % {"size": _number(size / (1024 * 1024))}
    if size >= 1024:
        return _("%(size)s KB") % {"size": _number(size / 1024)}
    return _("%(size)s bytes") % {"size": size}


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def unescape_cell(text: str) -> str:
    """Strip surrounding space and the apostrophe exports put before formulas.

    The apostrophe goes when the text after it, ignoring further apostrophes,
    starts like a formula: exports quote ``'=x`` as ``''=x`` so it survives.

    >>> unescape_cell(" '=1+1 "), unescape_cell("'quoted'"), unescape_cell("''=x")
    ('=1+1', "'quoted'", "'=x")
    """
    text = text.strip()
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


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
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        table = _read_xlsx(data, max_bytes=max_bytes)
    elif data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise RosterFileError(
            _(
                "This looks like an old-format Excel file (.xls) or a password-protected "
                "workbook, which cannot be read. "
            )
            + _save_as()
        )
    else:
        kind = _binary_kind(data)
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


def _binary_kind(data: bytes) -> str | None:
    """A description of non-text content, or None when it looks like text."""
    signatures = (
        (b"%PDF", _("a PDF document")),
        (b"\x89PNG", _("a PNG image")),
        (b"\xff\xd8\xff", _("a JPEG image")),
        (b"GIF8", _("a GIF image")),
        (b"Rar!", _("a RAR archive")),
        (b"7z\xbc\xaf", _("a 7-Zip archive")),
        (b"\x1f\x8b", _("a gzip archive")),
        (b"{\\rtf", _("a Rich Text document")),
    )
    for magic, kind in signatures:
        if data.startswith(magic):
            return kind
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 text
    head = data[:8192]
    if b"\x00" in head:
        return _("a binary file")
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13))
    if controls > len(head) // 100:
        return _("a binary file")
    return None


# ------------------------------------------------------------------------ CSV


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _sniff_delimiter(text: str) -> str:
    """The delimiter used most outside quotes in the first non-blank line."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    started = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            if started:
                break
            continue
        elif not quoted and char in counts:
            counts[char] += 1
        if not char.isspace():
            started = True
    best = max(_DELIMITERS, key=lambda d: counts[d])  # first of a tie: comma
    return best if counts[best] else ","


def _read_csv(data: bytes) -> Table:
    text, encoding = _decode(data)
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as error:
        raise RosterFileError(
            _("The CSV file is malformed near line %(line)s: %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from error
    table = _table(enumerate(rows, start=1))
    table.encoding = encoding
    table.delimiter = delimiter
    return table


def _table(numbered_rows: Iterable[tuple[int, Iterable[str]]], fmt: str = "csv") -> Table:
    header: list[str] | None = None
    header_number = 1
    rows: list[list[str]] = []
    numbers: list[int] = []
    for number, raw in numbered_rows:
        cells = [unescape_cell(cell) for cell in raw]
        if not any(cells):
            continue
        if header is None:
            while cells and not cells[-1]:
                cells.pop()
            header, header_number = cells, number
            continue
        rows.append(cells)
        numbers.append(number)
    if header is None:
        raise RosterFileError(_("The file has no people in it: it is empty."))
    if not rows:
        raise RosterFileError(
            _("The file has no people in it: there is a header row but no rows below it.")
        )
    return Table(
        header=header,
        rows=rows,
        first_row_number=numbers[0] if numbers else header_number + 1,
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
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise RosterFileError(
            _("The file looks like a zip archive or an Excel workbook but is damaged. ")
            + _save_as()
        ) from error
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
    import openpyxl  # imported here: only XLSX uploads pay for it

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. "Workbook contains no default style"
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    try:
        if not workbook.worksheets:
            raise RosterFileError(_("The workbook has no worksheet."))
        sheet = workbook.worksheets[0]
        # Saved dimensions may claim a million rows; read what is really there.
        sheet.reset_dimensions()
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_xlsx_text(value) for value in values]
    finally:
        workbook.close()


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
