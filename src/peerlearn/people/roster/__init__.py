"""Roster spreadsheets: read, validate (dry-run preview) and write them.

No database access (the length limits in :mod:`.columns` are read from the
model fields, so import this after Django is set up); :mod:`.apply` writes a
validated roster to the database.  Typical use::

    table = read_table(upload.read(), upload.name, max_bytes=limit)  # RosterFileError
    preview = validate_roster(
        table,
        known_organisations=names,
        known_cohorts=cohort_names,
        existing_emails=emails,
    )
    if preview.is_valid:
        ...  # apply_roster(preview, programme)

    write_roster_xlsx(roster_to_rows(preview.records))  # export

The format and the decisions behind it are documented in :mod:`.columns`
(columns and vocabularies), :mod:`.lookups` (accepted spellings),
:mod:`.reading` (files, encodings, delimiters), :mod:`.validation` (checks
and normalisation) and :mod:`.writing` (exports, template, formula
injection).
"""

from .columns import (
    ORGANISATION_KIND_CHOICES,
    PROGRAMME_ROLE_CHOICES,
    REQUIRED_COLUMNS,
    SENIORITY_CHOICES,
    TEMPLATE_COLUMNS,
)
from .reading import RosterFileError, Table, read_table
from .validation import (
    ChallengeEntry,
    Notice,
    Problem,
    RosterPreview,
    RosterRecord,
    validate_roster,
)
from .writing import (
    columns_for_rows,
    roster_to_rows,
    template_csv,
    template_xlsx,
    write_roster_csv,
    write_roster_xlsx,
)

__all__ = [
    "ORGANISATION_KIND_CHOICES",
    "PROGRAMME_ROLE_CHOICES",
    "REQUIRED_COLUMNS",
    "SENIORITY_CHOICES",
    "TEMPLATE_COLUMNS",
    "ChallengeEntry",
    "Notice",
    "Problem",
    "RosterFileError",
    "RosterPreview",
    "RosterRecord",
    "Table",
    "columns_for_rows",
    "read_table",
    "roster_to_rows",
    "template_csv",
    "template_xlsx",
    "validate_roster",
    "write_roster_csv",
    "write_roster_xlsx",
]
