"""Reading uploaded spreadsheets (CSV and XLSX): the one reader apps share.

The roster import (:mod:`peerlearn.roster.reading`) and the survey
response import (:mod:`peerlearn.surveys.imports`) read the same kinds of
files the same way; each words its own refusals (what the file should have
been), so this module raises nothing of its own for bad content but
:class:`SpreadsheetError` with a ``kind`` the caller words, and returns rows
of strings.

Decisions
---------
* The content decides CSV or XLSX, never the file name
  (:func:`looks_like_xlsx`, :func:`binary_kind`).
* CSV text is UTF-16 (with its byte-order mark), UTF-8, Windows-1252 or
  Latin-1, tried in that order; the delimiter (``,``, ``;`` or tab) is the
  one used most outside quotes in the first line.
* XLSX: the declared unpacked size is checked before openpyxl opens anything
  (:func:`xlsx_expanded_size`, at most :data:`XLSX_EXPANSION` times the upload
  limit); saved dimensions are ignored (a sheet may claim a million rows);
  cells become text (whole numbers without ``.0``, midnight datetimes as dates).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from peerlearn.core.writing import FORMULA_PREFIXES

__all__ = [
    "DELIMITERS",
    "XLSX_EXPANSION",
    "CsvRows",
    "HeadedRows",
    "SpreadsheetError",
    "binary_kind",
    "decode_text",
    "format_size",
    "looks_like_xlsx",
    "read_csv_rows",
    "read_xlsx_rows",
    "sniff_delimiter",
    "split_header",
    "xlsx_expanded_size",
    "xlsx_sheets",
    "xlsx_text",
]

#: An XLSX file may expand to at most this many times the upload limit.
XLSX_EXPANSION = 50
#: CSV delimiters recognised, the first winning a tie.
DELIMITERS = (",", ";", "\t")
_OLD_EXCEL = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class SpreadsheetError(ValueError):
    """The file cannot be read; ``kind`` says why (``malformed_csv``, ``no_sheet``)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


def format_size(size: int) -> str:
    """A size for people: ``5 MB``, ``1.5 MB``, ``200 KB``, ``900 bytes``."""
    if size >= 1024 * 1024:
        return _("%(size)s MB") % {"size": _number(size / (1024 * 1024))}
    if size >= 1024:
        return _("%(size)s KB") % {"size": _number(size / 1024)}
    return _("%(size)s bytes") % {"size": size}


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def looks_like_xlsx(data: bytes) -> bool:
    """Whether the content is a zip archive (an XLSX workbook, or another zip)."""
    return data.startswith((b"PK\x03\x04", b"PK\x05\x06"))


def looks_like_old_excel(data: bytes) -> bool:
    """An old-format ``.xls`` (or a password-protected workbook): OLE2 content."""
    return data.startswith(_OLD_EXCEL)


def binary_kind(data: bytes) -> str | None:
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


def decode_text(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding that read it."""
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


def sniff_delimiter(text: str) -> str:
    """The delimiter used most outside quotes in the first non-blank line.

    >>> sniff_delimiter("a;b;c\\n1;2;3"), sniff_delimiter('"x,y";z\\n')
    (';', ';')
    """
    counts = dict.fromkeys(DELIMITERS, 0)
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
    best = max(DELIMITERS, key=lambda d: counts[d])  # first of a tie: comma
    return best if counts[best] else ","


@dataclass
class CsvRows:
    """The rows of a CSV file (numbered from 1) and how it was read."""

    rows: list[tuple[int, list[str]]]
    encoding: str
    delimiter: str


#: Longest cell a CSV may hold (the csv module's default limit). Checked here
#: too because ``csv.field_size_limit`` is process-wide and libraries raise
#: it on import (frictionless does), which would let a runaway quote through.
MAX_CSV_FIELD = 131_072


def read_csv_rows(data: bytes) -> CsvRows:
    """Every row of a CSV file; :class:`SpreadsheetError` (``malformed_csv``, with
    ``detail`` "LINE: ERROR") when the csv module cannot read it or a cell is
    longer than :data:`MAX_CSV_FIELD` (an unclosed quote swallowing the file)."""
    text, encoding = decode_text(data)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    try:
        for row in reader:
            if any(len(cell) > MAX_CSV_FIELD for cell in row):
                raise csv.Error(f"field larger than field limit ({MAX_CSV_FIELD})")
            rows.append(row)
    except csv.Error as error:
        raise SpreadsheetError("malformed_csv", f"{reader.line_num}: {error}") from error
    return CsvRows(list(enumerate(rows, start=1)), encoding, delimiter)


# ----------------------------------------------------------------------- XLSX


def xlsx_expanded_size(data: bytes) -> tuple[set[str], int] | None:
    """The member names and total unpacked size a zip declares (``None``: damaged)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        return set(archive.namelist()), sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def read_xlsx_rows(data: bytes, sheet: int = 0) -> Iterator[tuple[int, list[str]]]:
    """The rows of worksheet number ``sheet`` (numbered from 1), as text.

    Check the size first (:func:`xlsx_expanded_size`): this opens the workbook.
    Raises :class:`SpreadsheetError` ``no_sheet`` when there is no such sheet;
    openpyxl's own errors on damaged files pass through (callers word them).
    """
    for index, _title, rows in xlsx_sheets(data):
        if index == sheet:
            yield from rows
            return
    raise SpreadsheetError("no_sheet", str(sheet))


def xlsx_sheets(data: bytes) -> Iterator[tuple[int, str, Iterator[tuple[int, list[str]]]]]:
    """Each worksheet in order: its number, its title and its rows (read them
    before moving on to the next sheet; the workbook closes at the end)."""
    import openpyxl  # imported here: only XLSX uploads pay for it

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. "Workbook contains no default style"
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    try:
        if not workbook.worksheets:
            raise SpreadsheetError("no_sheet", "0")
        for index, worksheet in enumerate(workbook.worksheets):
            # Saved dimensions may claim a million rows; read what is really there.
            worksheet.reset_dimensions()
            yield index, worksheet.title, _rows_of(worksheet)
    finally:
        workbook.close()


def _rows_of(worksheet: object) -> Iterator[tuple[int, list[str]]]:
    rows = worksheet.iter_rows(values_only=True)  # type: ignore[attr-defined]
    for number, values in enumerate(rows, start=1):
        yield number, [xlsx_text(value) for value in values]


def xlsx_text(value: object) -> str:
    """A cell as text: whole numbers without ``.0``, midnight datetimes as dates.

    >>> xlsx_text(3.0), xlsx_text(2.5), xlsx_text(None), xlsx_text(True)
    ('3', '2.5', '', 'true')
    """
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


@dataclass
class HeadedRows:
    """A sheet split into its header and the non-blank rows below it."""

    header: list[str] | None
    header_number: int
    rows: list[list[str]]
    numbers: list[int]


def split_header(
    numbered: Iterable[tuple[int, Iterable[object]]], clean: Callable[[object], str]
) -> HeadedRows:
    """The first non-blank row is the header (trailing empty cells dropped).

    Blank rows anywhere are skipped, so a sheet may start lower down or leave
    gaps; ``numbers`` keep each row's line in the file for messages. The
    caller words "empty" (``header is None``) and "no rows" itself.
    """
    found = HeadedRows(header=None, header_number=1, rows=[], numbers=[])
    for number, raw in numbered:
        cells = [clean(cell) for cell in raw]
        if not any(cells):
            continue
        if found.header is None:
            while cells and not cells[-1]:
                cells.pop()
            found.header, found.header_number = cells, number
            continue
        found.rows.append(cells)
        found.numbers.append(number)
    return found


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
