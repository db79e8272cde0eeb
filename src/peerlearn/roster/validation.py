"""Check a roster table and normalise it into records: the dry-run preview.

:func:`validate_roster` never touches the database: the caller passes what it
needs to know (organisation and cohort names, e-mails of people already
stored), and gets a :class:`RosterPreview` listing every problem of every
row, with the spreadsheet row number a person sees (the header is row 1) and
the column.  Nothing may be applied while ``preview.is_valid`` is false.

Decisions:

* **E-mail** is the key of a person: stripped and lower-cased, checked with
  Django's ``validate_email`` (at most 254 characters).  A second row with the
  same e-mail is a problem on that later row, naming the first row.  An
  e-mail in ``existing_emails`` means that person will be updated (a
  notice); one in ``kept_emails`` (people the importer may not rewrite,
  see :mod:`peerlearn.roster.stewardship`) only gets a role, and any other
  e-mail reads as a new person, whether or not it is stored elsewhere in
  the network: the preview must not tell who else is in it.
* **Text** is normalised to Unicode NFC (so "Zoë" typed on a Mac equals "Zoë"
  typed on Windows), one-line fields (name, organisation, role, gender,
  cohort, tags) have runs of white space collapsed to one space; challenges and
  expectations keep their line breaks.  Any script is accepted.
* **Organisations** are matched case-insensitively (and ignoring repeated
  spaces) against ``known_organisations``; a match takes the stored
  spelling.  Others will be created (one notice each, spelled as in their
  first row).  ``organisation_kind`` without an organisation is a problem, and
  so is one new organisation given two different kinds.
* **Cohorts** must be one of ``known_cohorts`` (case-insensitive; the record
  takes the stored spelling).
* **Codes**: country -> ISO 3166 alpha-2, languages -> ISO 639-1, seniority,
  organisation kind and programme role -> their codes; see :mod:`.lookups`
  for what is accepted.  Blank yes/no cells mean no; ``programme_role``
  defaults to participant.
* **Challenges and expectations** are positional: ``challenges[0]`` is
  ``challenge_1`` and so on, with empty entries for gaps and trailing empties
  dropped, so the caller can replace challenge number N.  Tags are split on
  ``|`` (or on commas when the cell has no ``|``), de-duplicated
  case-insensitively.  Tags without a challenge are a problem.
* **Unknown columns** are ignored and listed as one notice each.  Cells
  beyond the header's last column are a problem when not blank (usually an
  unquoted delimiter inside a value).
* **Records** are built for every row, valid or not (so a preview can show
  the rows); in a row with problems an invalid value is kept as written
  (booleans as false, unknown languages dropped).
* ``Problem.value`` is the cell as written, shortened to 100 characters.
* **NUL characters** (byte 0) in any cell are a problem of that cell: the
  reader only looks for binary content in the first 8 KB, and PostgreSQL
  cannot store them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from peerlearn.people import lookups

from .columns import (
    BOOLEAN_COLUMNS,
    CHALLENGE_MAX,
    EMAIL_MAX,
    EXPECTATION_MAX,
    FIXED_COLUMNS,
    GENDER_MAX,
    NAME_MAX,
    ORGANISATION_MAX,
    ROLE_TITLE_MAX,
    TAG_MAX,
    numbered_column,
)
from .reading import Table

__all__ = [
    "NOTICE_COLUMN_IGNORED",
    "NOTICE_ORGANISATION_CREATED",
    "NOTICE_PERSON_KEPT",
    "NOTICE_PERSON_UPDATED",
    "ChallengeEntry",
    "Notice",
    "Problem",
    "RosterPreview",
    "RosterRecord",
    "validate_roster",
]

NOTICE_ORGANISATION_CREATED = "organisation_created"
NOTICE_PERSON_UPDATED = "person_updated"
NOTICE_PERSON_KEPT = "person_kept"
NOTICE_COLUMN_IGNORED = "column_ignored"

_VALUE_SHOWN = 100
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class ChallengeEntry:
    text: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class RosterRecord:
    """One person as the roster describes them, normalised."""

    row: int
    email: str
    name: str
    organisation: str = ""
    organisation_kind: str = ""
    country: str = ""
    role_title: str = ""
    seniority: str = ""
    languages: tuple[str, ...] = ()
    gender: str = ""
    external: bool = False
    alumni: bool = False
    consent_to_contact: bool = False
    programme_role: str = "participant"
    cohort: str = ""
    challenges: tuple[ChallengeEntry, ...] = ()
    expectations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    """Something to fix in the file before it can be imported."""

    row: int
    column: str
    message: str
    value: str = ""


@dataclass(frozen=True)
class Notice:
    """Something the import will do that the facilitator should know about.

    ``kind`` is one of ``NOTICE_ORGANISATION_CREATED``, ``NOTICE_PERSON_UPDATED``
    and ``NOTICE_COLUMN_IGNORED``; ``row`` is None for column notices.
    """

    kind: str
    message: str
    value: str = ""
    row: int | None = None


@dataclass
class RosterPreview:
    records: list[RosterRecord]
    problems: list[Problem]
    notices: list[Notice]
    organisations_to_create: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    new_emails: list[str] = field(default_factory=list, repr=False)
    updated_emails: list[str] = field(default_factory=list, repr=False)
    kept_emails: list[str] = field(default_factory=list, repr=False)
    #: The first row of each well-formed e-mail (the row that would create or update it).
    first_rows: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def is_valid(self) -> bool:
        return not self.problems

    def _clean(self, emails: list[str]) -> int:
        """How many of ``emails`` come from rows without problems."""
        bad = {problem.row for problem in self.problems}
        return sum(1 for email in emails if self.first_rows.get(email) not in bad)

    @property
    def new_count(self) -> int:
        """People the import would create: distinct well-formed e-mails in rows without problems.

        A row with a problem creates nobody (nothing is saved until the file is
        fixed), so it is not counted as a new person.
        """
        return self._clean(self.new_emails)

    @property
    def update_count(self) -> int:
        """People already stored that the import would update (rows without problems)."""
        return self._clean(self.updated_emails)

    @property
    def kept_count(self) -> int:
        """People in the programme whose details the import leaves as they are."""
        return len(self.kept_emails)

    @property
    def problem_rows(self) -> list[int]:
        """The row numbers that have at least one problem, in order."""
        return sorted({problem.row for problem in self.problems})

    def problems_by_row(self) -> dict[int, list[Problem]]:
        grouped: dict[int, list[Problem]] = {}
        for problem in self.problems:
            grouped.setdefault(problem.row, []).append(problem)
        return grouped


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text) if not text.isascii() else text


def _line(text: str) -> str:
    """One-line text: NFC, runs of white space as one space."""
    text = _nfc(text)
    return _WHITESPACE.sub(" ", text).strip() if "  " in text or not text.isprintable() else text


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


_LIST_SEPARATORS = re.compile(r"[,;]")


def _split_list(text: str) -> list[str]:
    """Split on ``|``, or on commas and semicolons when there is no ``|``."""
    if not text:
        return []
    if "|" in text:
        parts = text.split("|")
    elif "," in text or ";" in text:
        parts = _LIST_SEPARATORS.split(text)
    else:
        return [text.strip()]
    return [part.strip() for part in parts if part.strip()]


def _shown(value: str) -> str:
    return value if len(value) <= _VALUE_SHOWN else value[: _VALUE_SHOWN - 1] + "…"


def _too_long(length: int, limit: int) -> str:
    return _("Too long: %(length)s characters; at most %(limit)s.") % {
        "length": length,
        "limit": limit,
    }


def validate_roster(
    table: Table,
    *,
    known_organisations: Iterable[str],
    known_cohorts: Iterable[str],
    existing_emails: Iterable[str],
    kept_emails: Iterable[str] = (),
) -> RosterPreview:
    """Check every row of ``table`` and build the preview."""
    return _Validator(table, known_organisations, known_cohorts, existing_emails, kept_emails).run()


class _Validator:
    def __init__(
        self,
        table: Table,
        known_organisations: Iterable[str],
        known_cohorts: Iterable[str],
        existing_emails: Iterable[str],
        kept_emails: Iterable[str] = (),
    ) -> None:
        self.table = table
        self.organisations = {_key(name): name for name in known_organisations}
        self.cohorts = {_key(name): name for name in known_cohorts}
        self.existing = {email.strip().lower() for email in existing_emails}
        self.kept = {email.strip().lower() for email in kept_emails}
        self.problems: list[Problem] = []
        self.notices: list[Notice] = []
        # Column positions.
        self.index: dict[str, int] = {}
        self.challenge_text: dict[int, int] = {}
        self.challenge_tags: dict[int, int] = {}
        self.expectation: dict[int, int] = {}
        self.ignored: list[str] = []
        self.width = len(table.header)
        for position, (column, cell) in enumerate(zip(table.columns, table.header, strict=True)):
            if not column:
                continue
            if column in FIXED_COLUMNS:
                self.index[column] = position
                continue
            numbered = numbered_column(column)
            if numbered is None:
                self.ignored.append(cell)
                self.notices.append(
                    Notice(
                        NOTICE_COLUMN_IGNORED,
                        _("Column '%(column)s' is not a roster column and will be ignored.")
                        % {"column": cell},
                        value=cell,
                    )
                )
                continue
            kind, number, is_tags = numbered
            if kind == "expectation":
                self.expectation[number] = position
            elif is_tags:
                self.challenge_tags[number] = position
            else:
                self.challenge_text[number] = position
        self.fixed = [self.index.get(column, self.width) for column in FIXED_COLUMNS]
        self.challenge_positions = [
            (
                number,
                self.challenge_text.get(number, self.width),
                self.challenge_tags.get(number, self.width),
            )
            for number in sorted(set(self.challenge_text) | set(self.challenge_tags))
        ]
        self.expectation_positions = [
            (number, self.expectation[number]) for number in sorted(self.expectation)
        ]
        # State across rows.
        self.first_row_of_email: dict[str, int] = {}
        self.new_organisations: dict[str, str] = {}  # key -> spelling
        self.organisation_kinds: dict[str, tuple[str, int]] = {}  # key -> (kind, row)
        self.new_emails: list[str] = []
        self.updated_emails: list[str] = []
        self.kept_emails: list[str] = []
        # Translated once: a re-import may update thousands of people.
        self.update_message = _("%(email)s is already known and will be updated.")
        self.kept_message = _(
            "%(email)s also takes part in programmes you do not manage: their role here "
            "is added, their details stay as they are."
        )

    def run(self) -> RosterPreview:
        records = [
            self.row(number, cells)
            for number, cells in zip(self.table.row_numbers, self.table.rows, strict=True)
        ]
        return RosterPreview(
            records=records,
            problems=self.problems,
            notices=self.notices,
            organisations_to_create=list(self.new_organisations.values()),
            ignored_columns=self.ignored,
            new_emails=self.new_emails,
            updated_emails=self.updated_emails,
            first_rows=self.first_row_of_email,
            kept_emails=self.kept_emails,
        )

    # ------------------------------------------------------------ one row

    def problem(self, row: int, column: str, message: str, value: str = "") -> None:
        self.problems.append(Problem(row, column, message, _shown(value)))

    def nul_characters(self, row: int, cells: list[str]) -> None:
        """NUL characters (binary junk past the part read to sniff the file) are
        a problem of their cell: the database cannot store them."""
        for position, value in enumerate(cells):
            if "\x00" in value:
                column = self.table.header[position] if position < self.width else ""
                self.problem(
                    row,
                    column,
                    _(
                        "This cell contains a NUL character, which is not text (it often "
                        "comes from a damaged export); remove it."
                    ),
                    value.replace("\x00", ""),
                )

    def row(self, row: int, cells: list[str]) -> RosterRecord:
        width = len(cells)
        self.nul_characters(row, cells)
        # Every column position (a missing column points at the extra blank).
        padded = cells[: self.width] + [""] * (self.width + 1 - min(width, self.width))
        values = dict(zip(FIXED_COLUMNS, map(padded.__getitem__, self.fixed), strict=True))
        cell = values.__getitem__

        def limited(column: str, value: str, limit: int) -> str:
            if len(value) > limit:
                self.problem(row, column, _too_long(len(value), limit), value)
            return value

        email = self.email(row, cell("email"))
        name = limited("name", _line(cell("name")), NAME_MAX)
        if not name:
            self.problem(row, "name", _("The name is missing."))
        organisation = self.organisation(
            row, limited("organisation", _line(cell("organisation")), ORGANISATION_MAX)
        )
        kind = self.choice(row, "organisation_kind", cell("organisation_kind"))
        if kind and not organisation:
            self.problem(
                row,
                "organisation_kind",
                _("An organisation kind is given but no organisation."),
                cell("organisation_kind"),
            )
        elif kind and organisation:
            self.check_kind(row, organisation, kind)
        country = self.country(row, cell("country"))
        role_title = limited("role_title", _line(cell("role_title")), ROLE_TITLE_MAX)
        seniority = self.choice(row, "seniority", cell("seniority"))
        languages = self.languages(row, cell("languages"))
        gender = limited("gender", _line(cell("gender")), GENDER_MAX)
        flags = {column: self.boolean(row, column, cell(column)) for column in BOOLEAN_COLUMNS}
        role = self.choice(row, "programme_role", cell("programme_role")) or "participant"
        cohort = self.cohort(row, _line(cell("cohort")))
        challenges = self.challenges(row, padded)
        expectations = self.expectations(row, padded)
        if width > self.width and any(cells[self.width :]):
            extra = [value for value in cells[self.width :] if value]
            self.problem(
                row,
                "",
                ngettext(
                    "This row has %(count)s value to the right of the last column of the "
                    "header; check for a separator inside a value that should be quoted.",
                    "This row has %(count)s values to the right of the last column of the "
                    "header; check for a separator inside a value that should be quoted.",
                    len(extra),
                )
                % {"count": len(extra)},
                extra[0],
            )
        return RosterRecord(
            row=row,
            email=email,
            name=name,
            organisation=organisation,
            organisation_kind=kind,
            country=country,
            role_title=role_title,
            seniority=seniority,
            languages=languages,
            gender=gender,
            external=flags["external"],
            alumni=flags["alumni"],
            consent_to_contact=flags["consent_to_contact"],
            programme_role=role,
            cohort=cohort,
            challenges=challenges,
            expectations=expectations,
        )

    def email(self, row: int, raw: str) -> str:
        email = raw.strip().lower()
        if not email:
            self.problem(row, "email", _("The e-mail address is missing."))
            return email
        if len(email) > EMAIL_MAX:
            self.problem(row, "email", _too_long(len(email), EMAIL_MAX), raw)
            return email
        try:
            validate_email(email)
        except ValidationError:
            self.problem(
                row,
                "email",
                _("'%(value)s' is not a valid e-mail address.") % {"value": _shown(raw)},
                raw,
            )
            return email
        first = self.first_row_of_email.setdefault(email, row)
        if first != row:
            self.problem(
                row,
                "email",
                _("Duplicate person: the e-mail %(email)s is already used in row %(row)s.")
                % {"email": email, "row": first},
                raw,
            )
        elif email in self.existing:
            self.updated_emails.append(email)
            self.notices.append(
                Notice(
                    NOTICE_PERSON_UPDATED,
                    self.update_message % {"email": email},
                    value=email,
                    row=row,
                )
            )
        elif email in self.kept:
            self.kept_emails.append(email)
            self.notices.append(
                Notice(
                    NOTICE_PERSON_KEPT,
                    self.kept_message % {"email": email},
                    value=email,
                    row=row,
                )
            )
        else:
            self.new_emails.append(email)
        return email

    def organisation(self, row: int, name: str) -> str:
        if not name:
            return name
        key = _key(name)
        known = self.organisations.get(key)
        if known is not None:
            return known
        spelling = self.new_organisations.get(key)
        if spelling is None:
            self.new_organisations[key] = spelling = name
            self.notices.append(
                Notice(
                    NOTICE_ORGANISATION_CREATED,
                    _("Organisation '%(name)s' will be created.") % {"name": name},
                    value=name,
                    row=row,
                )
            )
        return spelling

    def check_kind(self, row: int, organisation: str, kind: str) -> None:
        key = _key(organisation)
        if key not in self.new_organisations:
            return  # an existing organisation: the stored kind wins
        first_kind, first_row = self.organisation_kinds.setdefault(key, (kind, row))
        if first_kind != kind:
            self.problem(
                row,
                "organisation_kind",
                _(
                    "Organisation '%(name)s' is given the kind %(first)s in row %(row)s and "
                    "%(kind)s here; use one kind."
                )
                % {"name": organisation, "first": first_kind, "row": first_row, "kind": kind},
                kind,
            )

    def choice(self, row: int, column: str, raw: str) -> str:
        if not raw:
            return ""
        code = lookups.choice_code(column, raw)
        if code is None:
            self.problem(
                row,
                column,
                _("Unknown %(what)s '%(value)s'. Allowed values: %(allowed)s.")
                % {
                    "what": _choice_names()[column],
                    "value": _shown(raw),
                    "allowed": ", ".join(lookups.CHOICE_CODES[column]),
                },
                raw,
            )
            return raw
        return code

    def country(self, row: int, raw: str) -> str:
        if not raw:
            return ""
        code = lookups.country_code(raw)
        if code is None:
            self.problem(
                row,
                "country",
                _(
                    "Unknown country '%(value)s'. Use an ISO code such as KE or KEN, or an "
                    "English name such as Kenya."
                )
                % {"value": _shown(raw)},
                raw,
            )
            return raw
        return code

    def languages(self, row: int, raw: str) -> tuple[str, ...]:
        codes: list[str] = []
        for part in _split_list(raw):
            code = lookups.language_code(part)
            if code is None:
                other = lookups.language_without_two_letter_code(part)
                if other is not None:
                    message = _(
                        "The language '%(value)s' (%(name)s) has no two-letter ISO 639-1 code "
                        "and cannot be recorded."
                    ) % {"value": _shown(part), "name": other}
                else:
                    message = _(
                        "Unknown language '%(value)s'. Use two-letter codes such as en, fr, es "
                        "or English names such as French."
                    ) % {"value": _shown(part)}
                self.problem(row, "languages", message, part)
            elif code not in codes:
                codes.append(code)
        return tuple(codes)

    def boolean(self, row: int, column: str, raw: str) -> bool:
        value = lookups.parse_bool(raw)
        if value is None:
            self.problem(
                row,
                column,
                _("'%(value)s' is not a yes/no value. Use yes or no (or leave it blank for no).")
                % {"value": _shown(raw)},
                raw,
            )
            return False
        return value

    def cohort(self, row: int, name: str) -> str:
        if not name:
            return name
        known = self.cohorts.get(_key(name))
        if known is not None:
            return known
        if not self.cohorts:
            message = _("Unknown cohort '%(value)s': this programme has no cohorts yet.") % {
                "value": _shown(name)
            }
        elif len(self.cohorts) <= 10:
            message = _("Unknown cohort '%(value)s'. The cohorts are: %(cohorts)s.") % {
                "value": _shown(name),
                "cohorts": ", ".join(self.cohorts.values()),
            }
        else:
            message = _("Unknown cohort '%(value)s'.") % {"value": _shown(name)}
        self.problem(row, "cohort", message, name)
        return name

    def challenges(self, row: int, padded: list[str]) -> tuple[ChallengeEntry, ...]:
        entries: list[ChallengeEntry] = []
        for number, text_at, tags_at in self.challenge_positions:
            text = _nfc(padded[text_at])
            raw_tags = padded[tags_at]
            if len(text) > CHALLENGE_MAX:
                self.problem(row, f"challenge_{number}", _too_long(len(text), CHALLENGE_MAX), text)
            tags = self.tags(row, f"challenge_{number}_tags", raw_tags) if raw_tags else ()
            if tags and not text:
                self.problem(
                    row,
                    f"challenge_{number}_tags",
                    _("Tags are given for challenge %(number)s but the challenge is empty.")
                    % {"number": number},
                    raw_tags,
                )
            while len(entries) < number - 1:
                entries.append(ChallengeEntry(""))
            entries.append(ChallengeEntry(text, tags))
        while entries and not entries[-1].text and not entries[-1].tags:
            entries.pop()
        return tuple(entries)

    def tags(self, row: int, column: str, raw: str) -> tuple[str, ...]:
        tags: dict[str, str] = {}
        for part in _split_list(raw):
            tag = _line(part)
            if len(tag) > TAG_MAX:
                self.problem(row, column, _too_long(len(tag), TAG_MAX), tag)
            tags.setdefault(tag.casefold(), tag)
        return tuple(tags.values())

    def expectations(self, row: int, padded: list[str]) -> tuple[str, ...]:
        texts: list[str] = []
        for number, position in self.expectation_positions:
            text = _nfc(padded[position])
            if len(text) > EXPECTATION_MAX:
                self.problem(
                    row, f"expectation_{number}", _too_long(len(text), EXPECTATION_MAX), text
                )
            while len(texts) < number - 1:
                texts.append("")
            texts.append(text)
        while texts and not texts[-1]:
            texts.pop()
        return tuple(texts)


def _choice_names() -> dict[str, str]:
    return {
        "seniority": _("seniority"),
        "organisation_kind": _("organisation kind"),
        "programme_role": _("programme role"),
    }
