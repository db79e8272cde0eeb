"""Write rosters (exports and the downloadable template) as CSV or XLSX.

Decisions:

* Rows are mappings from column name to text, keyed by
  :data:`.columns.TEMPLATE_COLUMNS` plus ``challenge_4``... /
  ``expectation_3``... when someone has more; :func:`roster_to_rows` builds
  them from validated records, and :func:`columns_for_rows` picks the columns.
  Missing keys and None are written as blank cells.
* **CSV** is UTF-8 with a byte-order mark (so Excel shows accents and
  non-Latin scripts correctly), comma-separated, CRLF line ends, quoted only
  where needed.
* **XLSX** has the roster on its first sheet (bold, frozen header row); every
  cell is written as text (``data_type`` ``"s"``), never as a number, date or
  formula.  Characters XML cannot hold (control characters other than tab and
  line breaks) are dropped.
* **Formula injection**: a cell whose text starts with ``=``, ``+``, ``-``,
  ``@``, tab or carriage return gets a leading apostrophe, in CSV and XLSX
  alike, so no spreadsheet program runs it as a formula (OWASP's advice for
  CSV injection).  The reader removes exactly that apostrophe, so export ->
  import gives back the original text.  In XLSX the apostrophe is visible in
  the cell; that is deliberate, to keep one rule for both formats.  A text
  that already starts with apostrophes before such a character gets one more
  apostrophe, so it round-trips too.
* Yes/no columns are written ``yes``/``no``, languages and tags joined with
  ``|``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence

from django.utils.translation import gettext as _

from .columns import (
    BOOLEAN_COLUMNS,
    FORMULA_PREFIXES,
    TEMPLATE_COLUMNS,
    challenge_column,
    challenge_tags_column,
    expectation_column,
    numbered_column,
)
from .validation import RosterRecord

__all__ = [
    "columns_for_rows",
    "neutralise",
    "roster_to_rows",
    "template_csv",
    "template_rows",
    "template_xlsx",
    "write_roster_csv",
    "write_roster_xlsx",
]

Row = Mapping[str, object]

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


def columns_for_rows(rows: Iterable[Row]) -> list[str]:
    """TEMPLATE_COLUMNS plus the numbered columns some row fills beyond them."""
    challenges, expectations = 3, 2
    for row in rows:
        for column, value in row.items():
            numbered = numbered_column(column)
            if numbered is None or value in (None, ""):
                continue
            kind, number, _tags = numbered
            if kind == "challenge":
                challenges = max(challenges, number)
            else:
                expectations = max(expectations, number)
    columns = list(TEMPLATE_COLUMNS[:14])
    for number in range(1, challenges + 1):
        columns += [challenge_column(number), challenge_tags_column(number)]
    columns += [expectation_column(number) for number in range(1, expectations + 1)]
    return columns


def roster_to_rows(records: Iterable[RosterRecord]) -> list[dict[str, str]]:
    """Turn records back into template rows (the inverse of reading+validating)."""
    rows: list[dict[str, str]] = []
    for record in records:
        row = {
            "email": record.email,
            "name": record.name,
            "organisation": record.organisation,
            "organisation_kind": record.organisation_kind,
            "country": record.country,
            "role_title": record.role_title,
            "seniority": record.seniority,
            "languages": "|".join(record.languages),
            "gender": record.gender,
            "programme_role": record.programme_role,
            "cohort": record.cohort,
        }
        for column in BOOLEAN_COLUMNS:
            row[column] = "yes" if getattr(record, column) else "no"
        for number, entry in enumerate(record.challenges, start=1):
            row[challenge_column(number)] = entry.text
            row[challenge_tags_column(number)] = "|".join(entry.tags)
        for number, text in enumerate(record.expectations, start=1):
            row[expectation_column(number)] = text
        rows.append(row)
    return rows


def _resolve(rows: Iterable[Row], columns: Sequence[str] | None) -> tuple[list[Row], list[str]]:
    rows = list(rows)
    return rows, list(columns) if columns is not None else columns_for_rows(rows)


def write_roster_csv(rows: Iterable[Row], columns: Sequence[str] | None = None) -> bytes:
    """A CSV file (UTF-8 with BOM) of ``rows``; columns default to :func:`columns_for_rows`."""
    rows, columns = _resolve(rows, columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(column) for column in columns])
    for row in rows:
        writer.writerow([neutralise(row.get(column)) for column in columns])
    return buffer.getvalue().encode("utf-8-sig")


def write_roster_xlsx(
    rows: Iterable[Row],
    columns: Sequence[str] | None = None,
    *,
    sheet_title: str | None = None,
    instructions: bool = False,
) -> bytes:
    """An XLSX workbook of ``rows`` on its first sheet, every cell as text.

    With ``instructions``, a second sheet "Instructions" explains the columns.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    rows, columns = _resolve(rows, columns)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title or _("Roster"))
    for position, column in enumerate(columns, start=1):
        width = 40 if numbered_column(column) and not column.endswith("_tags") else 18
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def text_cell(value: object, font: Font | None = None) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet)
        text = _ILLEGAL_XML.sub("", neutralise(value))
        if text:
            cell.value = text
            cell.data_type = "s"  # never a formula, number or date
        if font is not None:
            cell.font = font
        return cell

    sheet.append([text_cell(column, bold) for column in columns])
    for row in rows:
        sheet.append([text_cell(row.get(column)) for column in columns])

    if instructions:
        notes = workbook.create_sheet(title=_("Instructions"))
        notes.column_dimensions["A"].width = 22
        notes.column_dimensions["B"].width = 12
        notes.column_dimensions["C"].width = 90
        wrap = Alignment(wrap_text=True, vertical="top")
        notes.append(
            [
                text_cell(_("Column"), bold),
                text_cell(_("Required"), bold),
                text_cell(_("What to enter"), bold),
            ]
        )
        for column, required, text in _instructions():
            explanation = text_cell(text)
            explanation.alignment = wrap
            notes.append([text_cell(column), text_cell(required), explanation])
        for paragraph in _general_notes():
            explanation = text_cell(paragraph)
            explanation.alignment = wrap
            notes.append([text_cell(""), text_cell(""), explanation])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------ template


def template_rows() -> list[dict[str, str]]:
    """The example row of the template (valid with no known organisations or cohorts)."""
    return [
        {
            "email": "amina.diallo@example.org",
            "name": "Amina Diallo",
            "organisation": "Ministry of Finance",
            "organisation_kind": "ministry",
            "country": "SN",
            "role_title": "Director of Budget Reform",
            "seniority": "middle",
            "languages": "fr|en|wo",
            "gender": "",
            "external": "no",
            "alumni": "no",
            "consent_to_contact": "yes",
            "programme_role": "participant",
            "cohort": "",
            "challenge_1": "Bringing line ministries on board with programme budgeting.",
            "challenge_1_tags": "budgeting|coordination",
            "challenge_2": "Building a small reform team that survives a change of minister.",
            "challenge_2_tags": "reform teams",
            "challenge_3": "Explaining the reform to a sceptical parliament committee.",
            "challenge_3_tags": "political principals|communication",
            "expectation_1": "Learn how other ministries sequenced a budget reform.",
            "expectation_2": "Find peers to call when a reform stalls.",
        }
    ]


def template_csv() -> bytes:
    """The downloadable CSV template: header and one example row."""
    return write_roster_csv(template_rows(), TEMPLATE_COLUMNS)


def template_xlsx() -> bytes:
    """The downloadable XLSX template: header, one example row, and an Instructions sheet."""
    return write_roster_xlsx(template_rows(), TEMPLATE_COLUMNS, instructions=True)


def _instructions() -> list[tuple[str, str, str]]:
    yes, no = _("yes"), _("no")
    yes_no = _("yes or no (also true/false, 1/0, y/n, sí/no, oui/non); blank means no.")
    return [
        (
            "email",
            yes,
            _(
                "E-mail address; identifies the person. Importing the same e-mail "
                "again updates that person instead of adding a new one."
            ),
        ),
        ("name", yes, _("Full name, in any script. At most 200 characters.")),
        (
            "organisation",
            no,
            _("Name of the organisation. Organisations not yet in the network are created."),
        ),
        (
            "organisation_kind",
            no,
            _(
                "One of: ministry, municipality, agency, think_tank, "
                "civil_society, international, other."
            ),
        ),
        ("country", no, _("ISO code (KE or KEN) or English name (Kenya).")),
        ("role_title", no, _("Formal role or title. At most 200 characters.")),
        (
            "seniority",
            no,
            _(
                "One of: political (minister, deputy minister), senior (head of "
                "agency, director-general), middle (director, head of unit, "
                "manager), technical (adviser, analyst, specialist)."
            ),
        ),
        (
            "languages",
            no,
            _(
                "Languages separated by | or commas: two-letter codes (en, fr, "
                "es) or English names (French)."
            ),
        ),
        ("gender", no, _("Optional, as the person describes it. At most 64 characters.")),
        ("external", no, _("External or resource peer: %(values)s") % {"values": yes_no}),
        ("alumni", no, _("Alumni of an earlier programme: %(values)s") % {"values": yes_no}),
        ("consent_to_contact", no, _("Agrees to be contacted: %(values)s") % {"values": yes_no}),
        (
            "programme_role",
            no,
            _("One of: participant (the default), facilitator, evaluator, observer."),
        ),
        ("cohort", no, _("Name of a cohort of the programme, as it appears in peerlearn.")),
        (
            "challenge_1, challenge_2, …",
            no,
            _(
                "Challenges the person names, in their own "
                "words; at most 2,000 characters each. Add "
                "challenge_4, challenge_5… columns for more."
            ),
        ),
        ("challenge_1_tags, …", no, _("Tags of that challenge, separated by |.")),
        (
            "expectation_1, …",
            no,
            _("What the person hopes to learn; add expectation_3… columns for more."),
        ),
    ]


def _general_notes() -> list[str]:
    return [
        _(
            "The first row must hold the column names; their order does not matter and "
            "unknown columns are ignored. Keep one person per row."
        ),
        _("Save as Excel Workbook (.xlsx) or CSV UTF-8. Only the first sheet is read."),
        _(
            "A cell that starts with an apostrophe before =, +, - or @ is read without the "
            "apostrophe: exports add it so spreadsheet programs do not run the text as a "
            "formula."
        ),
    ]
