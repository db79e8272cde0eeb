"""Importing answers collected elsewhere (a KoboToolbox or ODK export) into a survey.

A facilitator of the survey uploads the CSV or XLSX export of the same form;
a preview lists every problem by row and column; confirming stores every row
or none.

Decisions
---------
* **The file**: the same reading rules as the roster import
  (:mod:`peerlearn.core.spreadsheets`): the content decides CSV or XLSX,
  never the name; old ``.xls``, OpenDocument, PDF and other binary files are
  refused with what they look like; CSV in UTF-8, UTF-16, Windows-1252 or
  Latin-1, with ``,``, ``;`` or tab.  Size first (``SURVEY_IMPORT_MAX_BYTES``,
  by default the roster limit), then the XLSX zip-bomb guard of the XLSForm
  reader (:func:`peerlearn.surveys.xlsform.sheets.declared_size`).  The first
  worksheet is the data (Kobo puts repeat groups on later sheets).
* **Headers**: a question's name, its ``group/question`` path (Kobo), the
  same with ``-`` (ODK Central) or its label in any of the form's languages.
  ``question/choice`` (or ``-``) columns are the 0/1 columns of a
  select_multiple; when the joined column is there too and not blank, it wins.
  Kobo's and ODK's own columns (``_id``, ``start``, ``deviceid``,
  ``_submitted_by``...) are listed as ignored; nothing of them is stored.
  Any other column is a problem: the file may belong to another form.
* **Values**: choice codes (XML values) or labels in any language; a
  select_multiple joined with spaces (codes or labels) or ``;``.  Then the
  answers go through the same checks as on the phone
  (:func:`peerlearn.surveys.answering.check_answers`): types, required,
  relevant, constraints, length.
* **Wrong form**: an ``_xform_id_string`` / ``form_id`` column that is not the
  instrument's form id, or a ``version`` / ``FormVersion`` column that is not
  its version, is a problem of that row.
* **Duplicates**: the submission id (``_uuid``, ``meta/instanceID``,
  ``KEY``; the ``uuid:`` prefix dropped so Kobo's and ODK's spellings agree)
  is stored as a keyed hash (``Response.imported_key``), never as it is, so a
  row cannot be looked up in the source server by a reader of the database.
  A submission already in the survey, or twice in the file, is skipped and
  counted.  Rows without an id cannot be recognised later: the preview says
  how many.
* **Anonymity** of the instrument, as for answers given here
  (:mod:`peerlearn.surveys.identity`): *identified* needs an e-mail column
  (``_email``, ``email``, ``e-mail``) naming someone the survey asks; the
  response points to that person and their invitation is marked answered; a
  person who already answered is skipped and counted.  *Pseudonymous* keeps
  no identity (there is no person to derive a code from) and the hour of
  ``_submission_time``/``SubmissionDate``/``end``; *anonymous* keeps no
  identity, no time and no language.  E-mail and submitter columns are
  never stored for them.
* **Publication**: imported rows are pending responses like any other and
  are published in batches of k by :func:`peerlearn.surveys.publication.release`
  in the same transaction (identified: at once).
* **All or nothing**: the preview is computed again at confirmation, against
  the database as it is then; any problem stores nothing.  The upload is
  claimed with a conditional UPDATE, so a double click imports once; the
  unique constraint on (survey, imported_key) stops two different uploads of
  the same submissions racing each other.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from peerlearn.core.spreadsheets import (
    XLSX_EXPANSION,
    SpreadsheetError,
    binary_kind,
    format_size,
    looks_like_old_excel,
    looks_like_xlsx,
    read_csv_rows,
    split_header,
    unescape_cell,
    xlsx_sheets,
)
from peerlearn.people.models import Person
from peerlearn.surveys import publication
from peerlearn.surveys.answering import check_answers
from peerlearn.surveys.exports import question_paths
from peerlearn.surveys.identity import stored_time
from peerlearn.surveys.models import (
    AUDIENCE_CHOICES,
    Invitation,
    Response,
    ResponseImport,
    Survey,
)
from peerlearn.surveys.sending import participants
from peerlearn.surveys.xlsform import Instrument as Form
from peerlearn.surveys.xlsform import Question
from peerlearn.surveys.xlsform.sheets import MAX_RATIO, declared_size

__all__ = [
    "ImportFileError",
    "ImportPreview",
    "ImportRace",
    "Problem",
    "apply_import",
    "max_import_bytes",
    "preview_import",
    "read_export",
]

#: Submission ids (the first one found wins).
ID_COLUMNS = ("_uuid", "meta/instanceid", "meta-instanceid", "instanceid", "key")
#: Submission times, best first.
TIME_COLUMNS = ("_submission_time", "submissiondate", "_submitted", "end")
#: Columns naming the respondent by e-mail address (identified instruments).
EMAIL_COLUMNS = ("_email", "email", "e-mail", "e_mail")
FORM_ID_COLUMNS = ("_xform_id_string", "form_id", "formid")
VERSION_COLUMNS = ("version", "formversion", "_version")
#: Kobo's, ODK's and peerlearn's own columns that are read for nothing.
IGNORED_COLUMNS = frozenset(
    {
        "_id",
        "_index",
        "_parent_index",
        "_parent_table_name",
        "_status",
        "_submitted_by",
        "__version__",
        "_validation_status",
        "_notes",
        "_tags",
        "_geolocation",
        "_attachments",
        "_response",
        "_name",
        "_pseudonym",
        "start",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "audit",
        "meta/audit",
        "meta/instancename",
        "meta-instancename",
        "meta/deprecatedid",
        "meta-deprecatedid",
        "formhub/uuid",
        "submitterid",
        "submittername",
        "attachmentspresent",
        "attachmentsexpected",
        "status",
        "reviewstate",
        "edits",
    }
)
_SEPARATORS = ("/", "-")
_TRUE = frozenset({"1", "true", "yes", "1.0"})
_FALSE = frozenset({"0", "false", "no", "0.0", ""})


def max_import_bytes() -> int:
    """Largest export accepted (``SURVEY_IMPORT_MAX_BYTES``, else the roster limit)."""
    return int(getattr(settings, "SURVEY_IMPORT_MAX_BYTES", settings.ROSTER_MAX_BYTES))


class ImportFileError(ValueError):
    """The file cannot be read as an export at all; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class ImportRace(Exception):
    """Another import stored some of these submissions meanwhile; nothing was stored."""


@dataclass(frozen=True)
class Problem:
    """One problem: the spreadsheet row (``None``: the whole file) and column."""

    row: int | None
    column: str | None
    message: str


@dataclass
class Sheet:
    """The cells of an export: header, data rows and their spreadsheet row numbers."""

    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    format: str = "csv"
    header_row: int = 1
    #: The worksheet's title (XLSX), and the later worksheets (repeats, in Kobo's exports).
    name: str = ""
    linked: list[Sheet] = field(default_factory=list)


# ------------------------------------------------------------------ reading


def read_export(data: bytes, filename: str, *, max_bytes: int | None = None) -> Sheet:
    """The first sheet of a CSV or XLSX export; :class:`ImportFileError` if unreadable."""
    limit = max_import_bytes() if max_bytes is None else max_bytes
    if len(data) > limit:
        raise ImportFileError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": format_size(len(data)), "limit": format_size(limit)}
        )
    if not data.strip():
        raise ImportFileError(_("The file is empty: it has no answers in it."))
    if looks_like_xlsx(data):
        sheets = _read_xlsx(data, limit)
        main = _sheet(sheets[0][1], "xlsx")
        for title, rows in sheets[1:]:
            try:
                main.linked.append(_sheet(rows, "xlsx", title))
            except ImportFileError:
                continue  # an empty later sheet holds no repeat's answers
        return main
    if looks_like_old_excel(data):
        raise ImportFileError(
            _("This looks like an old-format Excel file (.xls), which cannot be read. ")
            + _save_as()
        )
    kind = binary_kind(data)
    if kind is not None:
        raise ImportFileError(
            _("This file is %(kind)s, not a spreadsheet. ") % {"kind": kind} + _save_as()
        )
    if (filename or "").lower().endswith((".xlsx", ".xls")):
        raise ImportFileError(
            _("The file is named like an Excel workbook but is not one (it may be damaged). ")
            + _save_as()
        )
    return _sheet(_read_csv(data), "csv")


def _save_as() -> str:
    return _("Download the data from KoboToolbox or ODK as CSV or XLSX and upload that file.")


def _read_csv(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        read = read_csv_rows(data)
    except SpreadsheetError as error:
        line, _sep, detail = error.detail.partition(": ")
        raise ImportFileError(
            _("The CSV file is malformed near line %(line)s: %(error)s")
            % {"line": line, "error": detail}
        ) from error
    return iter(read.rows)


def _read_xlsx(data: bytes, limit: int) -> list[tuple[str, list[tuple[int, list[str]]]]]:
    """Every worksheet's title and rows (Kobo puts each repeat on a sheet of its
    own), after the zip-bomb guard of the XLSForm reader."""
    size = declared_size(data)
    if size is None:
        raise ImportFileError(
            _("The file looks like an Excel workbook but is damaged. ") + _save_as()
        )
    if size.total > XLSX_EXPANSION * limit or size.ratio > MAX_RATIO:
        raise ImportFileError(
            _("The workbook is too large once unpacked (%(size)s). Upload a smaller file.")
            % {"size": format_size(size.total)}
        )
    try:
        return [(title, list(rows)) for _index, title, rows in xlsx_sheets(data)]
    except Exception as error:  # openpyxl raises many kinds on damaged or foreign zips
        raise ImportFileError(
            _("The Excel workbook could not be read (it may be damaged). ") + _save_as()
        ) from error


def _sheet(numbered: Iterable[tuple[int, list[str]]], fmt: str, name: str = "") -> Sheet:
    split = split_header(numbered, lambda cell: unescape_cell(str(cell)).replace("\x00", ""))
    header, rows, numbers = split.header, split.rows, split.numbers
    if header is None:
        raise ImportFileError(_("The file is empty: it has no answers in it."))
    if not rows:
        raise ImportFileError(
            _("The file has a header row but no answers below it: nothing to import.")
        )
    return Sheet(
        header=header,
        rows=rows,
        row_numbers=numbers,
        format=fmt,
        header_row=split.header_number,
        name=name,
    )


# ------------------------------------------------------------------ columns


@dataclass
class Columns:
    """What each header cell of the file means."""

    #: question name -> column index of its answer (joined for select_multiple)
    questions: dict[str, int] = field(default_factory=dict)
    #: select_multiple name -> {choice code: column index} (the 0/1 columns)
    split: dict[str, dict[str, int]] = field(default_factory=dict)
    submission_id: int | None = None
    time: int | None = None
    email: int | None = None
    group: int | None = None
    language: int | None = None
    form_id: int | None = None
    version: int | None = None
    ignored: list[str] = field(default_factory=list)
    #: meta slot -> rank of the spelling that filled it (see :func:`_meta_slot`)
    ranks: dict[str, int] = field(default_factory=dict)


def _spellings(form: Form) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Header spellings of each question and of each 0/1 choice column (lowercase)."""
    questions: dict[str, str] = {}
    choices: dict[str, tuple[str, str]] = {}
    for name, path in question_paths(form).items():
        question = form.find(name)
        if question is None:
            continue
        bases = {name, *(path.replace("/", sep) for sep in _SEPARATORS)}
        for base in bases:
            questions[base.lower()] = name
        for label in question.label.values():
            questions.setdefault(label.strip().lower(), name)
        if question.type == "select_multiple":
            for code in _codes(question, form):
                for base in bases:
                    for sep in _SEPARATORS:
                        choices.setdefault(f"{base}{sep}{code}".lower(), (name, code))
    return questions, choices


def map_columns(sheet: Sheet, form: Form, problems: list[Problem]) -> Columns:
    """Name every header cell; unknown and repeated columns are problems."""
    questions, choices = _spellings(form)
    known = {item.name.lower() for item in form.walk()}
    found = Columns()
    seen: dict[str, str] = {}
    meta_slots = (
        (ID_COLUMNS, "submission_id"),
        (TIME_COLUMNS, "time"),
        (EMAIL_COLUMNS, "email"),
        (FORM_ID_COLUMNS, "form_id"),
        (VERSION_COLUMNS, "version"),
        (("_group",), "group"),
        (("_language",), "language"),
    )
    for index, cell in enumerate(sheet.header):
        key = cell.strip().lower()
        if not key:
            continue
        if key in seen:
            problems.append(
                Problem(sheet.header_row, cell, _("This column appears twice in the header row."))
            )
            continue
        seen[key] = cell
        if key not in questions and key not in choices and "/" in key:
            # A question moved to another group since: its name is unique in the form.
            key = key.rpartition("/")[2] if key.rpartition("/")[2] in questions else key
        if key in questions:
            name = questions[key]
            if name in found.questions:
                problems.append(
                    Problem(
                        sheet.header_row,
                        cell,
                        _("Two columns hold the answer to “%(name)s”.") % {"name": name},
                    )
                )
            found.questions[name] = index
        elif key in choices:
            name, code = choices[key]
            found.split.setdefault(name, {})[code] = index
        elif _meta_slot(found, key, index, meta_slots):
            continue
        elif key in IGNORED_COLUMNS or key in known or key.startswith("_"):
            found.ignored.append(cell)
        else:
            problems.append(Problem(sheet.header_row, cell, _unknown_column(cell, form)))
    return found


def _meta_slot(found: Columns, key: str, index: int, slots: Any) -> bool:
    """Put a meta column in its slot; of two spellings (Kobo has both ``_uuid``
    and ``meta/instanceID``) the one listed first wins."""
    for spellings, slot in slots:
        if key in spellings:
            rank = spellings.index(key)
            if rank < found.ranks.get(slot, len(spellings)):
                setattr(found, slot, index)
                found.ranks[slot] = rank
            return True
    return False


def _unknown_column(cell: str, form: Form) -> str:
    head, _sep, tail = cell.replace("-", "/").rpartition("/")
    question = form.find(head.rpartition("/")[2]) if head else None
    if question is not None and question.type == "select_multiple":
        return _("“%(choice)s” is not a choice of the question “%(name)s”.") % {
            "choice": tail,
            "name": question.name,
        }
    return _("This column is not a question of this instrument (is the file from another form?).")


# ------------------------------------------------------------------ values


def _codes(question: Question, form: Form) -> list[str]:
    choice_list = form.choice_lists.get(question.list_name or "")
    return [choice.name for choice in choice_list.choices] if choice_list else []


def _labels(question: Question, form: Form) -> dict[str, str]:
    """Every label of every choice (lowercase, any language) -> its code."""
    choice_list = form.choice_lists.get(question.list_name or "")
    found: dict[str, str] = {}
    for choice in choice_list.choices if choice_list else []:
        for label in choice.label.values():
            found.setdefault(label.strip().lower(), choice.name)
    return found


class _BadValue(ValueError):
    pass


def _choice(value: str, question: Question, form: Form) -> str:
    codes = _codes(question, form)
    if value in codes:
        return value
    code = _labels(question, form).get(value.strip().lower())
    if code is None:
        raise _BadValue(
            _("“%(value)s” is not a choice of this question (codes: %(codes)s).")
            % {"value": value, "codes": ", ".join(codes)}
        )
    return code


def _choices(value: str, question: Question, form: Form) -> list[str]:
    """A joined select_multiple: codes by spaces, labels by ``;`` or by spaces."""
    codes = _codes(question, form)
    if ";" in value:
        return [_choice(part.strip(), question, form) for part in value.split(";") if part.strip()]
    tokens = value.split()
    if all(token in codes for token in tokens):
        return tokens
    parsed = _labels_by_spaces(tokens, _labels(question, form))
    if parsed is None:
        wrong = [token for token in tokens if token not in codes]
        raise _BadValue(
            _("“%(value)s” is not a choice of this question (codes: %(codes)s).")
            % {"value": " ".join(wrong) or value, "codes": ", ".join(codes)}
        )
    return parsed


def _labels_by_spaces(tokens: list[str], labels: dict[str, str]) -> list[str] | None:
    """Read ``Label one Label two`` as labels (Kobo joins labels with spaces)."""
    best: list[list[str] | None] = [None] * (len(tokens) + 1)
    best[0] = []
    for end in range(1, len(tokens) + 1):
        for start in range(end):
            before = best[start]
            code = labels.get(" ".join(tokens[start:end]).lower())
            if before is not None and code is not None:
                best[end] = [*before, code]
                break
    return best[len(tokens)]


def _split_choices(cells: dict[str, str]) -> list[str]:
    chosen = []
    for code, value in cells.items():
        flag = value.strip().lower()
        if flag in _TRUE:
            chosen.append(code)
        elif flag not in _FALSE:
            raise _BadValue(
                _("Write 1 (chosen) or 0 (not chosen), not “%(value)s”.") % {"value": value}
            )
    return chosen


def _date_part(value: str) -> str:
    """XLSX dates arrive as ``2024-06-30`` or ``2024-06-30T00:00:00``."""
    return value.split("T")[0] if re.match(r"^\d{4}-\d{2}-\d{2}T", value) else value


def _moment(value: str) -> datetime:
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _BadValue(
            _("“%(value)s” is not a date and time such as 2024-06-30T14:05:00.") % {"value": value}
        ) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


# ------------------------------------------------------------------ preview


@dataclass
class Prepared:
    """One row ready to store."""

    row: int
    answers: dict[str, Any]
    key: str
    submitted_at: datetime | None
    person_id: int | None
    audience: str
    language: str


@dataclass
class LinkedRows:
    """A repeat's sheet (Kobo's XLSX exports have one per repeat)."""

    sheet: Sheet
    columns: Columns
    by_parent: dict[str, list[tuple[int, list[str]]]] = field(default_factory=dict)


#: Columns of a main sheet that repeat rows point at, best first (Kobo's
#: ``_index``; peerlearn's own exports number rows in ``_response``).
PARENT_COLUMNS = ("_index", "_response")


def _link_repeats(preview: ImportPreview, form: Form, problems: list[Problem]) -> None:
    """Find each repeat's sheet (by the repeat's name) and group its rows by
    ``_parent_index``; a sheet that matches no repeat is listed as ignored."""
    sheet = preview.sheet
    if not sheet.linked:
        return
    lowered = [cell.strip().lower() for cell in sheet.header]
    parent = next((lowered.index(name) for name in PARENT_COLUMNS if name in lowered), None)
    preview.parent_column = parent
    repeats = {repeat.name.lower()[:31]: repeat for repeat in form.repeats()}
    for linked in sheet.linked:
        repeat = repeats.get(linked.name.strip().lower())
        if repeat is None:
            preview.columns.ignored.append(_("sheet “%(name)s”") % {"name": linked.name})
            continue
        located: list[Problem] = []
        columns = map_columns(linked, repeat.form(form), located)
        problems.extend(_on_sheet(linked, p) for p in located)
        header = [cell.strip().lower() for cell in linked.header]
        if "_parent_index" not in header:
            problems.append(
                Problem(
                    linked.header_row,
                    f"{linked.name}: _parent_index",
                    _(
                        "This sheet needs a _parent_index column saying which row each answer "
                        "belongs to."
                    ),
                )
            )
            continue
        if parent is None:
            problems.append(
                Problem(
                    sheet.header_row,
                    "_index",
                    _(
                        "The first sheet needs an _index column: the repeat rows on sheet "
                        "“%(name)s” point at it."
                    )
                    % {"name": linked.name},
                )
            )
            continue
        at = header.index("_parent_index")
        rows = LinkedRows(linked, columns)
        for number, cells in zip(linked.row_numbers, linked.rows, strict=True):
            rows.by_parent.setdefault(_cell(cells, at), []).append((number, cells))
        known = {_cell(cells, parent) for cells in sheet.rows}
        for key, found in rows.by_parent.items():
            if key not in known:
                problems.append(
                    Problem(
                        found[0][0],
                        f"{linked.name}: _parent_index",
                        _("No row of the first sheet has _index %(value)s.") % {"value": key},
                    )
                )
        preview.repeats[repeat.name] = rows


def _on_sheet(sheet: Sheet, problem: Problem) -> Problem:
    """A problem of a repeat's sheet, its column named with the sheet."""
    column = f"{sheet.name}: {problem.column}" if problem.column else sheet.name
    return Problem(problem.row, column, problem.message)


@dataclass
class ImportPreview:
    """What confirming would store, and every reason it would not."""

    survey: Survey
    sheet: Sheet
    columns: Columns
    rows: list[Prepared] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    duplicates: int = 0
    already_answered: int = 0
    without_id: int = 0
    #: Per repeat: its sheet's columns, and its rows by the main row's ``_index``.
    repeats: dict[str, LinkedRows] = field(default_factory=dict)
    #: Column of the main sheet that the repeat rows' ``_parent_index`` names.
    parent_column: int | None = None

    @property
    def is_valid(self) -> bool:
        return not self.problems

    @property
    def skipped(self) -> int:
        return self.duplicates + self.already_answered


def submission_key(survey: Survey, submission_id: str) -> str:
    """A keyed hash of a submission id, the same for Kobo's and ODK's spellings."""
    clean = submission_id.strip().removeprefix("uuid:").lower()
    key = f"peerlearn.surveys.import:{settings.SECRET_KEY}".encode()
    return hmac.new(key, f"{survey.pk}:{clean}".encode(), hashlib.sha256).hexdigest()


def preview_import(survey: Survey, data: bytes, filename: str) -> ImportPreview:
    """Read and check a whole export against ``survey`` (raises :class:`ImportFileError`)."""
    sheet = read_export(data, filename)
    form = survey.instrument.form
    problems: list[Problem] = []
    columns = map_columns(sheet, form, problems)
    preview = ImportPreview(survey=survey, sheet=sheet, columns=columns, problems=problems)
    identified = survey.instrument.anonymity == "identified"
    if identified and columns.email is None:
        problems.append(
            Problem(
                None,
                None,
                # promise: tests/surveys/test_response_import.py::test_identified_import_needs_an_email_column
                _(
                    "This instrument is identified: the file needs an e-mail column "
                    "(_email or email) saying who gave each row's answers."
                ),
            )
        )
    if not columns.questions and not columns.split:
        problems.append(
            Problem(None, None, _("No column of the file is a question of this instrument."))
        )
    _link_repeats(preview, form, problems)
    if problems:
        return preview
    people = _respondents(survey, sheet, columns) if identified else {}
    stored = set(
        Response.objects.filter(survey=survey)
        .exclude(imported_key="")
        .values_list("imported_key", flat=True)
    )
    answered = set(
        Response.objects.filter(survey=survey, person__isnull=False).values_list(
            "person_id", flat=True
        )
    )
    keys_seen: set[str] = set()
    people_seen: dict[int, int] = {}
    for number, cells in zip(sheet.row_numbers, sheet.rows, strict=True):
        prepared = _prepare(preview, number, cells, people)
        if prepared is None:
            continue
        if not prepared.key:
            preview.without_id += 1
        elif prepared.key in stored or prepared.key in keys_seen:
            preview.duplicates += 1
            continue
        if prepared.person_id is not None:
            if prepared.person_id in answered:
                preview.already_answered += 1
                continue
            if prepared.person_id in people_seen:
                problems.append(
                    Problem(
                        number,
                        sheet.header[columns.email or 0],
                        _("The same person's answers are also on row %(row)d.")
                        % {"row": people_seen[prepared.person_id]},
                    )
                )
                continue
            people_seen[prepared.person_id] = number
        keys_seen.add(prepared.key)
        preview.rows.append(prepared)
    return preview


def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def _respondents(survey: Survey, sheet: Sheet, columns: Columns) -> dict[str, tuple[int, str]]:
    """E-mail (lowercase) -> (person id, respondent group) of the people the survey asks."""
    emails = {_cell(row, columns.email).lower() for row in sheet.rows} - {""}
    asked = Q(pk__in=participants(survey).values("pk")) | Q(
        pk__in=Invitation.objects.filter(survey=survey).values("person_id")
    )
    found = dict(Person.objects.filter(asked, email__in=sorted(emails)).values_list("email", "pk"))
    groups = dict(
        Invitation.objects.filter(survey=survey, person_id__in=found.values()).values_list(
            "person_id", "audience"
        )
    )
    return {email: (pk, groups.get(pk, "participant")) for email, pk in found.items()}


def _prepare(
    preview: ImportPreview, number: int, cells: list[str], people: dict[str, tuple[int, str]]
) -> Prepared | None:
    """One row checked; its problems go to the preview (``None`` when there are any)."""
    survey, columns, header = preview.survey, preview.columns, preview.sheet.header
    form = survey.instrument.form
    anonymity = survey.instrument.anonymity
    problems: list[Problem] = []

    def problem(index: int | None, message: str) -> None:
        problems.append(Problem(number, header[index] if index is not None else None, message))

    if any(cell.strip() for cell in cells[len(header) :]):
        problem(None, _("This row has a value beyond the last column of the header."))
    _check_form(form, cells, columns, problem)
    raw, used, unreadable = _raw_answers(form, cells, columns, problem)
    places = _instances(preview, form, cells, raw, problems)
    checked = check_answers(form, raw, get_language() or "")
    for name, message in checked.errors.items():
        if name in unreadable or places.get(name) == (None, None):
            continue  # reported once already, with what was wrong
        if name in places:
            problems.append(Problem(places[name][0], places[name][1], message))
            continue
        at = used.get(name, columns.questions.get(name))
        if at is None:
            problems.append(Problem(number, name, message))
        else:
            problem(at, message)
    person_id, audience = None, _audience(cells, columns, problem)
    if anonymity == "identified":
        email = _cell(cells, columns.email).lower()
        found = people.get(email)
        if found is None:
            problem(
                columns.email,
                _("“%(email)s” is not the address of anyone this survey asks.") % {"email": email}
                if email
                else _("The e-mail address is missing."),
            )
        else:
            person_id, audience = found
    moment = None
    if anonymity != "anonymous" and _cell(cells, columns.time):
        try:
            moment = stored_time(anonymity, _moment(_cell(cells, columns.time)))
        except _BadValue as error:
            problem(columns.time, str(error))
    if problems:
        preview.problems.extend(problems)
        return None
    submission = _cell(cells, columns.submission_id)
    return Prepared(
        row=number,
        answers=checked.typed,
        key=submission_key(survey, submission) if submission else "",
        submitted_at=moment,
        person_id=person_id,
        audience=audience,
        language="" if anonymity == "anonymous" else _cell(cells, columns.language)[:10],
    )


@dataclass
class _SheetProblems:
    """Collects the problems of one row of a repeat's sheet (called like ``problem``)."""

    problems: list[Problem]
    sheet: Sheet
    number: int

    def __call__(self, at: int | None, message: str) -> None:
        column = f"{self.sheet.name}: {self.sheet.header[at]}" if at is not None else None
        self.problems.append(Problem(self.number, column, message))


def _instances(
    preview: ImportPreview,
    form: Form,
    cells: list[str],
    raw: dict[str, Any],
    problems: list[Problem],
) -> dict[str, tuple[int | None, str | None]]:
    """Put each repeat's rows that point at this row into ``raw``, as the
    instances the phone page would post; return where each instance field's
    answer came from (sheet row, "sheet: column"), ``(None, None)`` for
    fields whose value could not be read (reported already)."""
    from peerlearn.surveys.answering import instance_prefix

    places: dict[str, tuple[int | None, str | None]] = {}
    parent = _cell(cells, preview.parent_column)
    for repeat in form.repeats():
        linked = preview.repeats.get(repeat.name)
        if linked is None:
            continue
        inner = repeat.form(form)
        instances = []
        for index, (number, row) in enumerate(linked.by_parent.get(parent, [])):
            header = linked.sheet.header
            problem = _SheetProblems(problems, linked.sheet, number)
            one, used, bad = _raw_answers(inner, row, linked.columns, problem)
            instances.append(one)
            prefix = instance_prefix(repeat.name, index)
            for question in inner.questions():
                at = used.get(question.name, linked.columns.questions.get(question.name))
                column = f"{linked.sheet.name}: {header[at]}" if at is not None else None
                places[prefix + question.name] = (number, column or linked.sheet.name)
            places.update({prefix + name: (None, None) for name in bad})
        raw[repeat.name] = instances
    return places


def _check_form(form: Form, cells: list[str], columns: Columns, problem: Any) -> None:
    form_id = _cell(cells, columns.form_id)
    if form_id and form_id != form.form_id:
        problem(
            columns.form_id,
            _("This row belongs to the form “%(found)s”, not “%(expected)s”.")
            % {"found": form_id, "expected": form.form_id},
        )
    version = _cell(cells, columns.version)
    if version and form.version and version != form.version:
        problem(
            columns.version,
            _("This row was collected with version %(found)s of the form, not %(expected)s.")
            % {"found": version, "expected": form.version},
        )


def _audience(cells: list[str], columns: Columns, problem: Any) -> str:
    value = _cell(cells, columns.group)
    if not value:
        return "participant"
    for code, label in AUDIENCE_CHOICES:
        if value.lower() in (code, str(label).lower()):
            return code
    problem(columns.group, _("The respondent group must be participant or control."))
    return "participant"


def _raw_answers(
    form: Form, cells: list[str], columns: Columns, problem: Any
) -> tuple[dict[str, Any], dict[str, int], set[str]]:
    """The row's answers as codes and text, ready for the phone's checks; the
    column each came from; the questions whose value could not be read."""
    raw: dict[str, Any] = {}
    used: dict[str, int] = {}
    bad: set[str] = set()
    for question in form.questions():
        name = question.name
        index = columns.questions.get(name)
        value = _cell(cells, index)
        try:
            if question.type == "select_multiple":
                if value:
                    raw[name] = _choices(value, question, form)
                elif name in columns.split:
                    split = {code: _cell(cells, i) for code, i in columns.split[name].items()}
                    index = next(iter(columns.split[name].values()))
                    raw[name] = _split_choices(split)
            elif not value:
                continue
            elif question.type == "select_one":
                raw[name] = _choice(value, question, form)
            elif question.type == "date":
                raw[name] = _date_part(value)
            else:
                raw[name] = value
        except _BadValue as error:
            problem(index, str(error))
            raw[name] = []  # reported once: the checks below see an unreadable answer as none
            bad.add(name)
        if index is not None:
            used[name] = index
    return raw, used, bad


# ------------------------------------------------------------------ storing


def apply_import(preview: ImportPreview) -> int:
    """Store every prepared row in one transaction; returns how many.

    Raises :class:`ImportRace` (and stores nothing) when another import
    stored one of these submissions, or answers of one of these people,
    meanwhile: the unique constraints on ``Response`` decide.
    """
    survey = preview.survey
    rows = list(preview.rows)
    if survey.instrument.anonymity == "anonymous":
        random.SystemRandom().shuffle(rows)  # the file's order says nothing in the table
    with transaction.atomic():
        publication.lock_survey(survey)
        try:
            with transaction.atomic():
                Response.objects.bulk_create([_response(survey, row) for row in rows])
        except IntegrityError as error:
            raise ImportRace from error
        people = [row.person_id for row in rows if row.person_id is not None]
        if people:
            Invitation.objects.filter(
                survey=survey, person_id__in=people, submitted_at__isnull=True
            ).update(submitted_at=timezone.now())
        publication.release(survey)
    return len(rows)


def _response(survey: Survey, row: Prepared) -> Response:
    return Response(
        survey=survey,
        person_id=row.person_id,
        audience=row.audience,
        language=row.language,
        answers=row.answers,
        submitted_at=row.submitted_at,
        imported_key=row.key,
    )


def claim(upload: ResponseImport) -> bool:
    """Mark ``upload`` applied; only the caller whose UPDATE counted one row goes on."""
    return bool(
        ResponseImport.objects.filter(pk=upload.pk, applied_at__isnull=True).update(
            applied_at=timezone.now()
        )
    )
