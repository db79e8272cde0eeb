"""Write rosters (exports and the downloadable template) as CSV or XLSX.

Rows are mappings from column name to text, keyed by
:data:`.columns.TEMPLATE_COLUMNS` plus ``challenge_4``... /
``expectation_3``... when someone has more; :func:`roster_to_rows` builds
them from validated records, and :func:`columns_for_rows` picks the columns.
Missing keys and None are written as blank cells; yes/no columns are written
``yes``/``no``, languages and tags joined with ``|``.  The files themselves
(BOM, text-only cells, formula neutralisation) come from
:mod:`peerlearn.core.writing`, the one writer of downloads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from django.utils.translation import gettext as _

from peerlearn.core.writing import write_csv, write_xlsx

from .columns import (
    BOOLEAN_COLUMNS,
    TEMPLATE_COLUMNS,
    challenge_column,
    challenge_tags_column,
    expectation_column,
    numbered_column,
)
from .validation import RosterRecord

__all__ = [
    "columns_for_rows",
    "roster_to_rows",
    "template_csv",
    "template_rows",
    "template_xlsx",
    "write_roster_csv",
    "write_roster_xlsx",
]

Row = Mapping[str, object]


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
    return write_csv(rows, columns)


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
    rows, columns = _resolve(rows, columns)
    notes = None
    if instructions:
        lines = [*_instructions(), *(("", "", paragraph) for paragraph in _general_notes())]
        notes = (_("Instructions"), (_("Column"), _("Required"), _("What to enter")), lines)
    return write_xlsx(
        rows, columns, sheet_title=sheet_title or _("Roster"), width_of=_width_of, notes=notes
    )


def _width_of(column: str) -> int:
    """Challenge and expectation texts get wide columns; everything else 18."""
    return 40 if numbered_column(column) and not column.endswith("_tags") else 18


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
