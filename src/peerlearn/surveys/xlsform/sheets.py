"""Low-level reading of an .xlsx workbook into sheets, columns and rows.

Cells are read with openpyxl and turned into text exactly as pyxform does, so
that the same data can be handed to pyxform for its own validation while
every cell keeps its spreadsheet position (row number, column letter).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from pyxform.xls2json_backends import xlsx_value_to_str

from peerlearn.surveys.xlsform.model import NO_LANGUAGE
from peerlearn.surveys.xlsform.problems import FormProblem

__all__ = [
    "MAX_ROWS",
    "Column",
    "Row",
    "Sheet",
    "language_header",
    "load_sheets",
    "parse_language",
]

#: Non-empty rows read per sheet at most (instruments are far smaller).
MAX_ROWS = 5000
#: Rows looked at per sheet at most, empty ones included (spreadsheets often
#: carry formatting far below the last row that has text).
MAX_SCANNED = 20 * MAX_ROWS
#: Runs of empty rows and header cells after which pyxform stops reading a
#: sheet; peerlearn stops at the same place so that both read the same form.
MAX_EMPTY_ROWS = 60
MAX_EMPTY_COLUMNS = 20
_SPACES = re.compile(r"\s+")
_LANGUAGE = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[^()]+)\)$")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


#: Language names written without a code (``label::English``, ``label:english``)
#: mapped to the codes peerlearn's pages and translations use.  Other names are
#: kept as given: they still work as languages, only without a site translation.
LANGUAGE_CODES = {
    "english": "en",
    "anglais": "en",
    "inglés": "en",
    "ingles": "en",
    "español": "es",
    "espanol": "es",
    "spanish": "es",
    "castellano": "es",
    "espagnol": "es",
    "français": "fr",
    "francais": "fr",
    "french": "fr",
    "francés": "fr",
    "frances": "fr",
}


def parse_language(text: str) -> tuple[str, str]:
    """Split ``"English (en)"`` into ``("en", "English")``.

    A language named without a code gets its code from :data:`LANGUAGE_CODES`
    (``English`` is ``en``); any other one is its own code.

    Examples
    --------
    >>> parse_language("Español (es)")
    ('es', 'Español')
    >>> parse_language("english")
    ('en', 'English')
    >>> parse_language("Kiswahili")
    ('Kiswahili', 'Kiswahili')
    """
    text = text.strip()
    match = _LANGUAGE.match(text)
    if match and match.group("name"):
        return match.group("code").strip(), match.group("name")
    code = LANGUAGE_CODES.get(text.lower())
    if code is not None:
        return code, text[:1].upper() + text[1:]
    return text, text


def language_header(base: str, code: str, name: str) -> str:
    """Return the column header for ``base`` text in a language.

    Examples
    --------
    >>> language_header("label", "fr", "Français")
    'label::Français (fr)'
    >>> language_header("hint", "default", "")
    'hint'
    """
    if code == NO_LANGUAGE:
        return base
    if name == code or not name:
        return f"{base}::{code}"
    return f"{base}::{name} ({code})"


@dataclass(frozen=True)
class Column:
    """A header cell: ``label::English (en)`` is base ``label``, language ``en``."""

    letter: str
    header: str
    base: str
    language: str | None = None
    language_name: str = ""


@dataclass
class Row:
    """A data row: its spreadsheet number and its non-empty cells by column letter."""

    number: int
    cells: dict[str, str] = field(default_factory=dict)


@dataclass
class Sheet:
    """One worksheet: its name, header columns and data rows (row 2 onwards)."""

    name: str
    columns: list[Column] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    def column(self, base: str) -> Column | None:
        """Return the first column with ``base`` and no language, if any."""
        for col in self.columns:
            if col.base == base and col.language is None:
                return col
        return None

    def letter(self, base: str, default: str | None = None) -> str | None:
        """Return the letter of the first column called ``base`` (any language)."""
        for col in self.columns:
            if col.base == base:
                return col.letter
        return default

    def value(self, row: Row, base: str) -> str:
        """Return the text of ``row`` in the plain ``base`` column ('' if empty)."""
        col = self.column(base)
        return row.cells.get(col.letter, "") if col else ""

    def texts(self, row: Row, base: str) -> dict[str, str]:
        """Return the translations of ``base`` in ``row`` keyed by language code."""
        out: dict[str, str] = {}
        for col in self.columns:
            if col.base == base and col.letter in row.cells:
                out.setdefault(col.language or NO_LANGUAGE, row.cells[col.letter])
        return out

    def as_pyxform(self) -> tuple[list[dict[str, str]], list[dict[str, None]]]:
        """Return rows and header in the shape of pyxform's ``DefinitionData``.

        Empty rows are kept so that pyxform's row numbers match the sheet's.
        """
        by_number = {row.number: row for row in self.rows}
        last = max(by_number, default=1)
        rows: list[dict[str, str]] = []
        for number in range(2, last + 1):
            row = by_number.get(number)
            cells = row.cells if row else {}
            rows.append({c.header: cells[c.letter] for c in self.columns if c.letter in cells})
        header = [{c.header: None for c in self.columns}] if self.columns else []
        return rows, header


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return ""
    return str(xlsx_value_to_str(value)).strip()


#: pyxform's namespaced headers (``bind::relevant``, ``bind:jr:constraintMsg``...)
#: that mean a column peerlearn knows.
_NAMESPACED = {
    ("bind", "relevant"): "relevant",
    ("bind", "constraint"): "constraint",
    ("bind", "jr:constraintmsg"): "constraint_message",
    ("bind", "required"): "required",
    ("bind", "jr:requiredmsg"): "required_message",
    ("bind", "calculate"): "calculation",
    ("bind", "readonly"): "read_only",
    ("control", "appearance"): "appearance",
    ("body", "appearance"): "appearance",
    ("media", "image"): "image",
    ("media", "big-image"): "big-image",
    ("media", "audio"): "audio",
    ("media", "video"): "video",
}
_NAMESPACES = {"bind", "control", "body", "instance", "media"}


def _split_header(header: str, double_colon: bool) -> list[str]:
    """Split a header as pyxform does: on ``::`` when the sheet uses it anywhere,
    else on a single ``:`` (``label:English``), keeping ``jr:name`` together."""
    if double_colon or "::" in header:
        return [t.strip() for t in header.split("::")]
    tokens = [t.strip() for t in header.split(":")]
    if "jr" in tokens[:-1]:
        at = tokens.index("jr")
        tokens[at : at + 2] = [f"jr:{tokens[at + 1]}"]
    return tokens


def _column(letter: str, header: str, double_colon: bool = True) -> Column:
    tokens = _split_header(header, double_colon)
    base = "_".join(tokens[0].split()).lower()
    rest = tokens[1:]
    if base in _NAMESPACES and rest:
        known = _NAMESPACED.get((base, rest[0].lower()))
        if known is None:  # e.g. bind::odk:length: an attribute peerlearn has no use for
            return Column(letter, header, f"{base}::{rest[0]}")
        base, rest = known, rest[1:]
    if not rest:
        return Column(letter, header, base)
    code, name = parse_language("::".join(rest))
    return Column(letter, header, base, code, name)


def _read_sheet(name: str, values: Any) -> tuple[Sheet, list[FormProblem]]:
    sheet = Sheet(name)
    problems: list[FormProblem] = []
    seen: dict[str, str] = {}
    positions: list[tuple[str, int]] = []
    empty_rows = 0
    for number, raw in enumerate(values, start=1):
        if number == 1:
            double_colon = any("::" in _cell_text(value) for value in raw or ())
            empty_columns = 0
            for index, value in enumerate(raw or ()):
                header = _SPACES.sub(" ", _cell_text(value))
                if not header:
                    empty_columns += 1
                    if empty_columns > MAX_EMPTY_COLUMNS:
                        break  # as pyxform: past a run of empty headers, the data has ended
                    continue
                empty_columns = 0
                letter = get_column_letter(index + 1)
                if header in seen:
                    problems.append(
                        FormProblem(
                            name,
                            1,
                            letter,
                            f"column header '{header}' is repeated (also in column {seen[header]})",
                        )
                    )
                    continue
                seen[header] = letter
                positions.append((letter, index))
                sheet.columns.append(_column(letter, header, double_colon))
            continue
        if number > MAX_SCANNED:
            break  # formatting copied down a whole column: nothing more to read
        cells = {}
        for letter, index in positions:
            if raw is not None and index < len(raw):
                text = _cell_text(raw[index])
                if text:
                    cells[letter] = text
        empty_rows = 0 if cells else empty_rows + 1
        if empty_rows > MAX_EMPTY_ROWS:
            break  # as pyxform: past a run of empty rows, the data has ended
        if cells:
            if len(sheet.rows) == MAX_ROWS:
                problems.append(
                    FormProblem(name, number, None, f"the sheet has more than {MAX_ROWS} rows")
                )
                break
            sheet.rows.append(Row(number, cells))
    return sheet, problems


#: Most bytes a workbook may unpack to, all members together (instruments
#: unpack to a few hundred kilobytes).  Callers may pass a lower or higher one.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
#: Most a member larger than :data:`RATIO_FLOOR` may expand relative to its
#: compressed size: real sheets compress 5 to 30 times, a zip bomb thousands.
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024


@dataclass(frozen=True)
class Unpacked:
    """What a zip's directory declares: total unpacked bytes and the worst ratio."""

    total: int
    ratio: float


def declared_size(data: bytes) -> Unpacked | None:
    """Sizes as declared by the zip's central directory, without unpacking anything.

    ``None`` when ``data`` is not a readable zip.  The declared sizes are what
    :mod:`zipfile` (and so openpyxl) will unpack at most: it stops a member at
    its declared size and fails on the CRC, so a member lying about its size
    cannot expand further.  Members under :data:`RATIO_FLOOR` count for the
    total only.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except Exception:
        return None
    total = sum(max(0, m.file_size) for m in members)
    ratio = max(
        (m.file_size / max(1, m.compress_size) for m in members if m.file_size > RATIO_FLOOR),
        default=0.0,
    )
    return Unpacked(total, ratio)


def unpacking_problem(data: bytes, max_unpacked: int = MAX_UNPACKED_BYTES) -> str:
    """Why ``data`` would unpack to too much ("" when it would not)."""
    size = declared_size(data)
    if size is None:
        return ""
    if size.total > max_unpacked:
        return (
            f"the workbook unpacks to {size.total / 2**20:.0f} MB, more than the limit of "
            f"{max_unpacked / 2**20:.0f} MB"
        )
    if size.ratio > MAX_RATIO:
        return (
            f"the workbook is compressed {size.ratio:.0f} times, more than a real workbook "
            f"ever is (at most {MAX_RATIO}): refused as a possible zip bomb"
        )
    return ""


def _not_xlsx(data: bytes, max_unpacked: int = MAX_UNPACKED_BYTES) -> FormProblem | None:
    if not data:
        return FormProblem(None, None, None, "the file is empty")
    if data.startswith(_OLE_MAGIC):
        return FormProblem(
            None, None, None, "this is an old .xls (or other Office 97) file: save it as .xlsx"
        )
    if data.startswith(b"%PDF"):
        return FormProblem(None, None, None, "this is a PDF, not an .xlsx XLSForm workbook")
    if not data.startswith(_ZIP_MAGIC):
        return FormProblem(None, None, None, "this is not an .xlsx workbook")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except Exception:  # BadZipFile, NotImplementedError (odd versions), EOFError...
        return FormProblem(None, None, None, "the .xlsx file is damaged (not a readable zip)")
    if "xl/workbook.xml" not in names:
        return FormProblem(None, None, None, "this is a zip file but not an .xlsx workbook")
    too_much = unpacking_problem(data, max_unpacked)
    if too_much:
        return FormProblem(None, None, None, too_much)
    return None


def load_sheets(
    data: bytes, max_unpacked: int = MAX_UNPACKED_BYTES
) -> tuple[dict[str, Sheet], list[FormProblem]]:
    """Read every worksheet of an .xlsx workbook.

    Parameters
    ----------
    data : bytes
        The file content.
    max_unpacked : int
        Most bytes its members may unpack to, checked (with the compression
        ratio) on the zip's directory before openpyxl opens anything.

    Returns
    -------
    sheets : dict of str to Sheet
        Sheets keyed by lower-case name.
    problems : list of FormProblem
        Why the file could not be read, or header problems; never raises.
    """
    problem = _not_xlsx(data, max_unpacked)
    if problem:
        return {}, [problem]
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for damaged files
        return {}, [FormProblem(None, None, None, f"the .xlsx file cannot be read ({err})")]
    sheets: dict[str, Sheet] = {}
    problems: list[FormProblem] = []
    try:
        for worksheet in workbook.worksheets:
            values = worksheet.iter_rows(values_only=True)
            sheet, found = _read_sheet(worksheet.title, values)
            sheets.setdefault(worksheet.title.strip().lower(), sheet)
            problems += found
    except Exception as err:  # damaged sheet XML inside a valid zip
        return {}, [FormProblem(None, None, None, f"the .xlsx file cannot be read ({err})")]
    finally:
        workbook.close()
    return sheets, problems
