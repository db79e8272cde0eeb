"""Survey exports: one row per response as CSV, XLSX, SPSS or Stata, and the codebook.

Decisions
---------
* **Columns**: ``_response`` (1..n, never the database id), the identity
  columns the reader may see (``_name`` and ``_email`` for identified
  instruments, ``_pseudonym`` for pseudonymous ones, none for anonymous
  ones), ``_group`` (participant or control), ``_language``, ``_submitted``
  (date and time for identified instruments, the date only otherwise), then
  one column per answerable question in form order, named like the question.
  The leading underscore, as in Kobo's exports, keeps them apart from question
  names.
* **Values**: ``labels`` (default) writes choice labels in the chosen language
  (``select_multiple`` joined with ``"; "``), ``codes`` the stored codes
  (``select_multiple`` separated by spaces).  Numbers stay numbers (numeric
  cells in XLSX).  An answer to a question that was not relevant is left blank.
* **Kobo's shapes** (options): ``headers="paths"`` names question columns
  ``group/question``; ``split_multiple`` adds after each select_multiple one
  0/1 column per choice (``question/choice``), blank wherever the joined
  answer is blank, so a question held back below k stays blank everywhere.
* **SPSS and Stata** (:func:`write_statistical`, pyreadstat): the rows of
  :func:`export_rows` with codes, so suppression and masking are the very
  same; select_one and the 0/1 columns become numbers with value labels,
  question labels become variable labels, names are made valid
  (:func:`statistical_names`).
* **Row order** never follows submission time unless names are shown anyway:
  identified by submission time; pseudonymous by code; anonymous by the
  answers themselves, so a row's position cannot be matched with the time an
  invitation was submitted.
* **k-suppression**: with fewer than ``k`` responses the file has its header
  and no rows; a question answered by fewer than ``k`` people keeps its column
  with every cell blank.  Either way the HTTP header ``X-Peerlearn-Suppressed``
  says what was held back, and the XLSX gets a "notes" sheet.
* **Breakdown columns** (``_group``, ``_language``, ``_submitted``: what a row
  says about who answered) of pseudonymous and anonymous instruments: a value
  held by fewer than ``k`` rows is written as :data:`SUPPRESSED`; if the values
  so replaced hold fewer than ``k`` rows together, the next smallest value goes
  too (else "the one row that is not Participant" is the control person).
  Then, while some *combination* of those columns is held by fewer than ``k``
  rows, the column with the most distinct values shown is replaced entirely.
  So every row shares its breakdown values with at least ``k - 1`` others
  (:func:`protect_breakdowns`).  Identified instruments name the person in the
  row anyway: their breakdown columns are left as they are.
* **Published responses only** (:mod:`peerlearn.surveys.publication`): rows
  come in batches of ``k``, so two exports a response apart are identical.
* **Safety**: every text cell goes through
  :func:`peerlearn.roster.writing.neutralise` (formula injection); XLSX
  text cells are always text, never formulas.
* **Memory**: rows come from ``.iterator(chunk_size=2000)``; CSV is yielded in
  batches, XLSX is written by openpyxl's write-only mode to a temporary file.
  Nothing holds all rows at once.
"""

from __future__ import annotations

import csv
import itertools
import re
import textwrap
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import IO, Any, Literal

from django.utils import timezone
from django.utils.translation import gettext as _

from peerlearn.core.writing import neutralise
from peerlearn.surveys.analysis import (
    QuestionPlan,
    Relevance,
    answered_counts,
    choice_codes,
    is_empty,
    plan,
    text_in,
)
from peerlearn.surveys.models import AUDIENCE_CHOICES, Survey
from peerlearn.surveys.publication import last_batch, published
from peerlearn.surveys.xlsform import Instrument as Form
from peerlearn.surveys.xlsform import Question

__all__ = [
    "CHUNK_SIZE",
    "ExportPlan",
    "codebook_rows",
    "csv_chunks",
    "export_plan",
    "export_rows",
    "identity_columns",
    "meta_columns",
    "protect_breakdowns",
    "question_paths",
    "statistical_names",
    "write_statistical",
    "write_xlsx",
]

#: What a breakdown cell held by fewer than k respondents says instead.
SUPPRESSED = "[suppressed]"
#: The columns that describe who answered (beside the identity columns).
BREAKDOWN_COLUMNS = ("_group", "_language", "_submitted")
Breakdowns = tuple[str, str, str]

Values = Literal["labels", "codes"]
Headers = Literal["names", "paths"]
CHUNK_SIZE = 2000
CSV_BATCH = 500
_ILLEGAL_XML = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_RECORD_FIELDS = (
    "answers",
    "person__name",
    "person__email",
    "pseudonym",
    "audience",
    "language",
    "submitted_at",
)


@dataclass
class ExportPlan:
    """What an export of one survey holds for one reader."""

    survey: Survey
    form: Form
    values: Values
    language: str | None
    with_names: bool
    with_emails: bool
    with_pseudonym: bool
    k: int
    responses: int
    suppressed: bool  # fewer than k responses: header only
    suppressed_questions: list[str] = field(default_factory=list)
    questions: list[QuestionPlan] = field(default_factory=list)
    #: Per breakdown column, the values written as they are (``None``: all of them).
    shown_values: list[set[str]] | None = None
    #: The last batch of responses this export holds (later ones wait for the next).
    up_to_batch: int = 0
    #: Per breakdown column, every value the published rows hold.
    all_values: list[set[str]] = field(default_factory=list)
    #: ``paths``: question columns named ``group/question`` as in Kobo's exports.
    headers: Headers = "names"
    #: A select_multiple also gets one 0/1 column per choice (``question/choice``).
    split_multiple: bool = False
    #: The repeat this plan exports (its linked table, see :func:`repeat_plans`).
    repeat: str = ""

    @property
    def masked_columns(self) -> list[str]:
        """Breakdown columns with at least one value written as :data:`SUPPRESSED`."""
        if self.shown_values is None or self.suppressed:
            return []
        return [
            name
            for name, shown, every in zip(
                BREAKDOWN_COLUMNS, self.shown_values, self.all_values, strict=True
            )
            if every - shown
        ]

    @property
    def identified(self) -> bool:
        return self.survey.instrument.anonymity == "identified"

    def meta_columns(self) -> list[str]:
        if self.repeat:
            return list(REPEAT_COLUMNS)
        return meta_columns(self.with_names, self.with_emails, self.with_pseudonym)

    def header(self) -> list[str]:
        return self.meta_columns() + [column.header for column in self.question_columns()]

    def question_columns(self) -> list[QuestionColumn]:
        """The columns after the meta columns, in form order."""
        columns = []
        for item in self.questions:
            question = item.question
            path = "/".join(
                [*([self.repeat] if self.repeat else []), *(g.name for g in item.groups)]
                + [question.name]
            )
            base = path if self.headers == "paths" else question.name
            columns.append(QuestionColumn(base, question))
            if self.split_multiple and question.type == "select_multiple":
                choice_list = self.form.choice_lists.get(question.list_name or "")
                for choice in choice_list.choices if choice_list else []:
                    columns.append(QuestionColumn(f"{base}/{choice.name}", question, choice.name))
        return columns

    def note(self) -> str:
        """The ``X-Peerlearn-Suppressed`` header value, or ``""`` when nothing was held back."""
        if self.suppressed:
            return f"fewer than {self.k} responses"
        parts = []
        if self.suppressed_questions:
            parts.append(f"fewer than {self.k} answers: " + " ".join(self.suppressed_questions))
        if self.masked_columns:
            parts.append(f"fewer than {self.k} respondents: " + " ".join(self.masked_columns))
        return "; ".join(parts)

    def explanations(self) -> list[str]:
        """The same in words for people (the XLSX "notes" sheet)."""
        if self.suppressed:
            return [
                # promise: tests/surveys/test_exports.py::test_fewer_than_k_responses_give_headers_only_and_a_note
                _(
                    "This survey has fewer than %(k)d responses, so no answers are exported "
                    "to protect the respondents."
                )
                % {"k": self.k}
            ]
        notes = []
        if self.suppressed_questions:
            notes.append(
                # promise: tests/surveys/test_exports.py::test_a_question_answered_by_fewer_than_k_is_blank
                _(
                    "These questions were answered by fewer than %(k)d people, so their "
                    "columns are left blank: %(names)s"
                )
                % {"k": self.k, "names": ", ".join(self.suppressed_questions)}
            )
        if self.masked_columns:
            notes.append(
                # promise: tests/surveys/test_trust.py::test_lone_language_is_replaced_by_the_marker_and_so_is_its_complement
                _(
                    "In these columns a value shared by fewer than %(k)d respondents is "
                    "written as %(marker)s: %(names)s"
                )
                % {"k": self.k, "marker": SUPPRESSED, "names": ", ".join(self.masked_columns)}
            )
        return notes


@dataclass(frozen=True)
class QuestionColumn:
    """One question column: the joined answer, or (``choice`` set) a 0/1 choice column."""

    header: str
    question: Question
    choice: str | None = None


def question_paths(form: Form, *, calculated: bool = False) -> dict[str, str]:
    """Every answerable question's ``group/question`` path (Kobo's export headers;
    ``calculated``: the computed fields' too)."""
    return {
        item.question.name: "/".join([*(g.name for g in item.groups), item.question.name])
        for item in plan(form, calculated=calculated)
    }


def meta_columns(with_names: bool, with_emails: bool, with_pseudonym: bool) -> list[str]:
    """The columns before the questions, for a reader who sees what the flags say."""
    columns = ["_response"]
    if with_names:
        columns.append("_name")
    if with_emails:
        columns.append("_email")
    if with_pseudonym:
        columns.append("_pseudonym")
    return [*columns, "_group", "_language", "_submitted"]


def identity_columns(anonymity: str, *, names: bool, emails: bool) -> tuple[bool, bool, bool]:
    """(names, e-mails, pseudonym) an export shows: names only when identified."""
    identified = anonymity == "identified"
    return names and identified, emails and names and identified, anonymity == "pseudonymous"


#: How long the counts of a survey's published answers are kept for :func:`export_plan`'s
#: ``reuse_counts`` (they are keyed by what they count, so a new response or batch is
#: counted afresh at once; the time only bounds the memory).
COUNTS_SECONDS = 600

Counted = tuple[list[str], list[set[str]], list[set[str]] | None]


def _count(result: ExportPlan, responses: Any) -> Counted:
    """The questions and breakdown values suppressed below k (two streaming passes)."""
    stream = responses.order_by().values_list("answers", flat=True).iterator(CHUNK_SIZE)
    # answered_counts reads only the questions outside repeats
    _count, answered = answered_counts(
        result.form, (a if isinstance(a, dict) else {} for a in stream), calculated=True
    )
    hidden = [p.question.name for p in result.questions if answered[p.question.name] < result.k]
    if result.identified:
        return hidden, [], None
    combinations = _breakdown_counts(result)
    every = [{c[i] for c in combinations} for i in range(len(BREAKDOWN_COLUMNS))]
    return hidden, every, protect_breakdowns(combinations, result.k)


def _counts_key(survey: Survey, up_to: int, total: int, last: int | None) -> str:
    """What the counts depend on: the survey, its instrument's form and rules, the
    published batches and the rows they hold (responses are never edited; a response
    added or deleted changes the count or the last id)."""
    import hashlib
    import json

    instrument = survey.instrument
    form = json.dumps(instrument.definition, sort_keys=True, default=str).encode()
    return (
        f"peerlearn.export-counts:{survey.pk}:{instrument.pk}:"
        f"{hashlib.sha256(form).hexdigest()[:16]}:"
        f"{instrument.min_respondents}:{instrument.anonymity}:{up_to}:{total}:{last}"
    )


def export_plan(
    survey: Survey,
    *,
    values: Values = "labels",
    language: str | None = None,
    with_names: bool = False,
    with_emails: bool = False,
    headers: Headers = "names",
    split_multiple: bool = False,
    reuse_counts: bool = False,
) -> ExportPlan:
    """Decide columns and suppression (one streaming pass counting answers).

    ``reuse_counts`` (the API, asked page by page): the counts behind the
    suppression are kept in the cache under what they count
    (:func:`_counts_key`), so the next page of the same published answers
    does not count every answer again.
    """
    from django.core.cache import cache
    from django.db.models import Count, Max

    instrument = survey.instrument
    form = instrument.form
    anonymity = instrument.anonymity
    k = max(1, instrument.min_respondents)
    names, emails, pseudonym = identity_columns(anonymity, names=with_names, emails=with_emails)
    up_to = last_batch(survey)
    responses = published(survey, up_to)
    state = responses.order_by().aggregate(total=Count("pk"), last=Max("pk"))
    total = state["total"]
    result = ExportPlan(
        survey=survey,
        form=form,
        values=values,
        language=language,
        with_names=names,
        with_emails=emails,
        with_pseudonym=pseudonym,
        k=k,
        responses=total,
        suppressed=total < k,
        questions=plan(form, calculated=True),
        up_to_batch=up_to,
        headers=headers,
        split_multiple=split_multiple,
    )
    if not result.suppressed:
        key = _counts_key(survey, up_to, total, state["last"]) if reuse_counts else ""
        counted: Counted | None = cache.get(key) if key else None
        if counted is None:
            counted = _count(result, responses)
            if key:
                cache.set(key, counted, COUNTS_SECONDS)
        result.suppressed_questions, result.all_values, result.shown_values = counted
    return result


#: The first columns of a repeat's table, as in KoboToolbox's exports: the
#: instance's number in the file, and the ``_response`` of its main row.
REPEAT_COLUMNS = ("_index", "_parent_index")


def repeat_plans(export: ExportPlan) -> list[ExportPlan]:
    """One plan per repeat of the form: its linked table (one row per instance).

    A repeat row carries only ``_index`` and ``_parent_index`` (the main row's
    ``_response``) before its answers: no name, group, language or date, so
    it joins to nothing but the main row, and comes from the same published
    batches.  A question is left blank when fewer than ``k`` **respondents**
    answered it in any instance (as on the results page).
    """
    plans = []
    for repeat in export.form.repeats():
        inner = repeat.form(export.form)
        child = replace(
            export,
            form=inner,
            questions=plan(inner, calculated=True),
            repeat=repeat.name,
            suppressed_questions=[],
            shown_values=None,
            all_values=[],
        )
        if not export.suppressed:
            respondents: Counter[str] = Counter()
            for answers in (
                published(export.survey, export.up_to_batch)
                .order_by()
                .values_list("answers", flat=True)
                .iterator(CHUNK_SIZE)
            ):
                respondents.update(_answered_in_instances(answers, repeat.name))
            child.suppressed_questions = [
                p.question.name for p in child.questions if respondents[p.question.name] < export.k
            ]
        plans.append(child)
    return plans


def _instances(answers: object, repeat: str) -> list[dict[str, Any]]:
    found = answers.get(repeat) if isinstance(answers, dict) else None
    return [i for i in found if isinstance(i, dict)] if isinstance(found, list) else []


def _answered_in_instances(answers: object, repeat: str) -> set[str]:
    """The questions one response answered in at least one instance."""
    return {
        name
        for instance in _instances(answers, repeat)
        for name, value in instance.items()
        if not is_empty(value)
    }


def _repeat_rows(export: ExportPlan) -> Iterator[list[object]]:
    """A repeat's rows: every instance of every exported response, in main-row order."""
    formatter = _Formatter(export)
    hidden = set(export.suppressed_questions)
    split: dict[str, list[str]] = {}
    for column in export.question_columns():
        if column.choice is not None:
            split.setdefault(column.question.name, []).append(column.choice)
    index = 0
    for parent, record in enumerate(_records(export), start=1):
        for instance in _instances(record[0], export.repeat):
            index += 1
            row: list[object] = [index, parent]
            for item in export.questions:
                name = item.question.name
                value = None if name in hidden else instance.get(name)
                row.append(formatter.cell(item.question.type, name, value))
                if split.get(name):
                    row += _choice_flags(split[name], value)
            yield row


def _breakdown_counts(export: ExportPlan) -> Counter[Breakdowns]:
    """How many rows hold each combination of breakdown values (one streaming pass)."""
    rows = (
        published(export.survey, export.up_to_batch)
        .order_by()
        .values_list("audience", "language", "submitted_at")
        .iterator(CHUNK_SIZE)
    )
    return Counter(
        (audience, language or "", _submitted(moment, export.identified))
        for audience, language, moment in rows
    )


def _shown_in_column(counts: Counter[str], k: int) -> set[str]:
    """Values held by at least k rows, less the smallest ones needed so that
    the suppressed values together hold none or at least k rows."""
    shown = {value for value, n in counts.items() if n >= k}
    hidden = sum(n for value, n in counts.items() if value not in shown)
    while 0 < hidden < k and shown:
        smallest = min(shown, key=lambda value: (counts[value], value))
        shown.discard(smallest)
        hidden += counts[smallest]
    return shown


def protect_breakdowns(combinations: Counter[Breakdowns], k: int) -> list[set[str]]:
    """Per breakdown column, the values that may be written as they are.

    ``combinations`` counts rows by their (group, language, submitted) values.
    On return every combination of written values (with :data:`SUPPRESSED` for
    the others) is held by at least ``k`` rows, provided there are ``k`` rows.
    """
    columns = len(BREAKDOWN_COLUMNS)
    shown = []
    for i in range(columns):
        counts: Counter[str] = Counter()
        for combination, n in combinations.items():
            counts[combination[i]] += n
        shown.append(_shown_in_column(counts, k))
    while True:
        seen: Counter[tuple[str, ...]] = Counter()
        for combination, n in combinations.items():
            seen[_masked(combination, shown)] += n
        if all(n >= k for n in seen.values()):
            return shown
        widest = max((i for i in range(columns) if shown[i]), key=lambda i: (len(shown[i]), i))
        shown[widest] = set()


def _masked(combination: Sequence[str], shown: list[set[str]]) -> tuple[str, ...]:
    return tuple(
        v if v in allowed else SUPPRESSED for v, allowed in zip(combination, shown, strict=True)
    )


def _ordering(anonymity: str) -> tuple[str, ...]:
    if anonymity == "identified":
        return ("submitted_at", "pk")
    if anonymity == "pseudonymous":
        return ("pseudonym", "pk")
    return ("answers", "pk")


def _records(
    export: ExportPlan, start: int = 0, stop: int | None = None
) -> Iterator[tuple[Any, ...]]:
    """The rows in export order; ``start``..``stop`` read only those (OFFSET/LIMIT)."""
    if export.suppressed:
        return iter(())
    rows = (
        published(export.survey, export.up_to_batch)
        .order_by(*_ordering(export.survey.instrument.anonymity))
        .values_list(*_RECORD_FIELDS)
    )
    if start or stop is not None:
        rows = rows[start:stop]
    return rows.iterator(CHUNK_SIZE)


def _submitted(moment: datetime | None, identified: bool) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return local.strftime("%Y-%m-%d %H:%M") if identified else local.date().isoformat()


class _Formatter:
    """Turns a stored answer into a cell value (label or code, number or text)."""

    def __init__(self, export: ExportPlan) -> None:
        form = export.form
        self.values = export.values
        self.labels: dict[str, dict[str, str]] = {}
        for item in export.questions:
            question = item.question
            choice_list = form.choice_lists.get(question.list_name or "")
            if choice_list is not None:
                self.labels[question.name] = {
                    c.name: text_in(c.label, export.language, form.default_language) or c.name
                    for c in choice_list.choices
                }

    def cell(self, kind: str, name: str, value: object) -> object:
        if is_empty(value):
            return None
        if kind in ("integer", "decimal", "calculate") and isinstance(value, int | float):
            return None if isinstance(value, bool) else value
        if kind == "select_multiple":
            codes = choice_codes(value)
            if self.values == "codes":
                return " ".join(codes)
            labels = self.labels.get(name, {})
            return "; ".join(labels.get(code, code) for code in codes)
        if kind == "select_one" and self.values == "labels":
            return self.labels.get(name, {}).get(str(value), str(value))
        return str(value)


def export_rows(
    export: ExportPlan, start: int = 0, stop: int | None = None
) -> Iterator[list[object]]:
    """The data rows (after the header), streamed from the database; ``start``..``stop``:
    those rows only (numbered as in the whole export), read alone from the database."""
    if export.repeat:
        yield from itertools.islice(_repeat_rows(export), start, stop)
        return
    relevance = Relevance(export.questions)
    formatter = _Formatter(export)
    hidden = set(export.suppressed_questions)
    questions = [
        (p.question.type, p.question.name, p.question.name in hidden) for p in export.questions
    ]
    groups = dict(AUDIENCE_CHOICES)
    split: dict[str, list[str]] = {}
    for column in export.question_columns():
        if column.choice is not None:
            split.setdefault(column.question.name, []).append(column.choice)
    for number, record in enumerate(_records(export, start, stop), start=start + 1):
        answers, name, email, pseudonym, audience, language, submitted = record
        answers = answers if isinstance(answers, dict) else {}
        row: list[object] = [number]
        if export.with_names:
            row.append(name or "")
        if export.with_emails:
            row.append(email or "")
        if export.with_pseudonym:
            row.append(pseudonym)
        breakdowns = (audience, language or "", _submitted(submitted, export.identified))
        if export.shown_values is not None:
            breakdowns = _masked(breakdowns, export.shown_values)  # type: ignore[assignment]
        audience, language, when = breakdowns
        if export.values == "labels" and audience != SUPPRESSED:
            audience = str(groups.get(audience, audience))
        row += [audience, language, when]
        flags = relevance.flags(answers)
        for (kind, name_, blank), relevant in zip(questions, flags, strict=True):
            value = answers.get(name_) if relevant and not blank else None
            row.append(formatter.cell(kind, name_, value))
            if split.get(name_):
                row += _choice_flags(split[name_], value)
        yield row


def _choice_flags(codes: list[str], value: object) -> list[object]:
    """The 0/1 columns of a select_multiple; blank when the answer is (or is held back)."""
    if is_empty(value):
        return [None] * len(codes)
    chosen = set(choice_codes(value))
    return [1 if code in chosen else 0 for code in codes]


# ----------------------------------------------------------------- writers


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value  # a number is never a formula
    return neutralise(value)


class _Line:
    """A file-like object whose ``write`` returns what it was given (for csv.writer)."""

    def write(self, text: str) -> str:
        return text


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """CSV text in batches: a byte-order mark for Excel, the header, then the rows."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield "\ufeff" + writer.writerow([neutralise(h) for h in header])
    batch: list[str] = []
    for row in rows:
        batch.append(writer.writerow([_csv_cell(v) for v in row]))
        if len(batch) >= CSV_BATCH:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def _xlsx_cell(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return _ILLEGAL_XML.sub("", neutralise(value)) or None


def write_xlsx(
    target: IO[bytes],
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    codebook: list[list[str]] | None = None,
    notes: list[str] | None = None,
    sheet_title: str = "responses",
    linked: Sequence[tuple[str, Sequence[str], Iterable[Sequence[object]]]] = (),
) -> None:
    """Write a workbook (write-only mode: rows go to disk as they come) to ``target``.

    Text cells are neutralised first, so none starts with ``=`` and openpyxl
    never stores one as a formula.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def header_cells(sheet: Any, names: Sequence[str]) -> list[WriteOnlyCell]:
        cells = []
        for name in names:
            cell = WriteOnlyCell(sheet, value=_xlsx_cell(name))
            cell.font = bold
            cells.append(cell)
        return cells

    sheet = workbook.create_sheet(title=sheet_title)
    sheet.freeze_panes = "A2"
    sheet.append(header_cells(sheet, header))
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
    for title, linked_header, linked_rows in linked:  # one sheet per repeat
        extra = workbook.create_sheet(title=title[:31])
        extra.freeze_panes = "A2"
        extra.append(header_cells(extra, linked_header))
        for row in linked_rows:
            extra.append([_xlsx_cell(v) for v in row])
    if codebook is not None:
        book = workbook.create_sheet(title="codebook")
        book.freeze_panes = "A2"
        book.append(header_cells(book, codebook[0]))
        for line in codebook[1:]:
            book.append([_xlsx_cell(v) for v in line])
    if notes:
        sheet_notes = workbook.create_sheet(title="notes")
        for note in notes:
            sheet_notes.append([_xlsx_cell(note)])
    workbook.save(target)


# ----------------------------------------------------------------- codebook

CODEBOOK_HEADER = [
    "variable",
    "label",
    "type",
    "required",
    "relevant",
    "constraint",
    "code",
    "code_label",
]


def _meta_descriptions() -> dict[str, str]:
    return {
        "_response": _("Response number in this file (1, 2, …), not a database id"),
        "_index": _("Number of this repeated answer in its table (1, 2, …)"),
        "_parent_index": _("The _response of the main row this repeated answer belongs to"),
        # promise: tests/surveys/test_exports.py::test_identity_columns_of_an_identified_instrument_by_persona
        "_name": _("Name of the respondent (identified instruments only)"),
        # promise: tests/surveys/test_exports.py::test_identity_columns_of_an_identified_instrument_by_persona
        "_email": _("E-mail address of the respondent (identified instruments only)"),
        "_pseudonym": _("Stable code of the respondent in this programme"),
        "_group": _("Respondent group: participant or control group"),
        "_language": _("Language the respondent answered in"),
        # promise: tests/surveys/test_exports.py::test_pseudonymous_exports_codes_never_names_even_if_a_person_was_stored
        # promise: tests/surveys/test_answering.py::test_anonymous_response_keeps_neither_person_nor_code_nor_time_nor_language
        "_submitted": _("When the response was submitted (the date only unless identified)"),
    }


def codebook_rows(
    form: Form,
    language: str | None,
    meta_columns: list[str] | None = None,
    *,
    paths: bool = False,
    split_multiple: bool = False,
) -> list[list[str]]:
    """The codebook: the header, one row per column, then a row per choice code.

    Meta columns (``_response``...) come first with a description; then each
    question with its label in ``language``, type, required, relevant and
    constraint; each choice of a select question follows on its own row with
    its code and label.  ``paths`` and ``split_multiple`` name the columns as
    the export with the same options does (``group/question``, and a 0/1
    variable per choice of a select_multiple).
    """
    rows = [list(CODEBOOK_HEADER)]
    descriptions = _meta_descriptions()
    for column in meta_columns or []:
        rows.append([column, descriptions.get(column, ""), "meta", "", "", "", "", ""])
    groups = {code: str(label) for code, label in AUDIENCE_CHOICES}
    if meta_columns and "_group" in meta_columns:
        for code, label in groups.items():
            rows.append(["_group", "", "", "", "", "", code, str(label)])
    named = question_paths(form, calculated=True) if paths else {}
    for item in plan(form, calculated=True):
        question = item.question
        variable = named.get(question.name, question.name)
        kind = question.type + (f" {question.list_name}" if question.list_name else "")
        label = text_in(question.label, language, form.default_language)
        relevant = " and ".join(f"({e})" if len(item.chain) > 1 else e for e in item.chain)
        required = "yes" if question.required else "no"
        rows.append([variable, label, kind, required, relevant, question.constraint, "", ""])
        choice_list = form.choice_lists.get(question.list_name or "")
        choices = choice_list.choices if choice_list else []
        for choice in choices:
            choice_label = text_in(choice.label, language, form.default_language)
            rows.append([variable, "", "", "", "", "", choice.name, choice_label])
        if split_multiple and question.type == "select_multiple":
            for choice in choices:
                choice_label = text_in(choice.label, language, form.default_language)
                flag = f"{variable}/{choice.name}"
                rows.append([flag, f"{label}: {choice_label}", "0/1", "", relevant, "", "", ""])
    return rows


# ----------------------------------------------------------------- SPSS and Stata

#: Longest variable name: Stata allows 32 characters, SPSS 64 bytes.
_NAME_LIMITS = {"sav": 64, "dta": 32}
_NOT_NAME = re.compile(r"[^A-Za-z0-9_]")
_FLAG_LABELS = {0: "no", 1: "yes"}


def statistical_names(header: Sequence[str], fmt: str) -> list[str]:
    """Variable names SPSS (``sav``) or Stata (``dta``) accept, unique, in header order.

    ``group/question`` becomes ``group_question``; SPSS names cannot start with
    ``_``, so ``_response`` becomes ``v_response`` there; clashes get ``_2``...
    """
    limit = _NAME_LIMITS[fmt]
    names: list[str] = []
    taken: set[str] = set()
    for column in header:
        name = _NOT_NAME.sub("_", column) or "v"
        if not name[0].isalpha() and (fmt == "sav" or name[0].isdigit()):
            name = "v" + name
        name = name[:limit]
        base, number = name, 1
        while name.lower() in taken:
            number += 1
            suffix = f"_{number}"
            name = base[: limit - len(suffix)] + suffix
        taken.add(name.lower())
        names.append(name)
    return names


@dataclass
class _Variable:
    """How one column is written: a label, numeric or text, and value labels."""

    label: str
    numeric: bool
    codes: dict[str, int] = field(default_factory=dict)  # choice code -> stored number

    def value_labels(self, labels: dict[str, str]) -> dict[int | float, str]:
        return {number: labels.get(code, code) for code, number in self.codes.items()}


def _numbered_codes(codes: list[str]) -> dict[str, int]:
    """Numeric codes stay themselves (``1``..``5`` of a Likert list); others count from 1."""
    if codes and all(re.fullmatch(r"-?\d{1,9}", code) for code in codes):
        return {code: int(code) for code in codes}
    return {code: position for position, code in enumerate(codes, start=1)}


def _variables(export: ExportPlan) -> tuple[list[_Variable], list[dict[str, str]]]:
    """Per column: how it is written, and the choice labels of its values."""
    form, language = export.form, export.language
    descriptions = _meta_descriptions()
    variables = [_Variable(descriptions.get(name, name), False) for name in export.meta_columns()]
    if "_response" in export.meta_columns():
        variables[0].numeric = True
    if export.repeat:
        for variable in variables:
            variable.numeric = True
    labels: list[dict[str, str]] = [{} for _ in variables]
    for column in export.question_columns():
        question = column.question
        text = text_in(question.label, language, form.default_language) or question.name
        choice_list = form.choice_lists.get(question.list_name or "")
        choices = {
            c.name: text_in(c.label, language, form.default_language) or c.name
            for c in (choice_list.choices if choice_list else [])
        }
        if column.choice is not None:
            label = f"{text}: {choices.get(column.choice, column.choice)}"
            variables.append(_Variable(label, True, {"0": 0, "1": 1}))
            labels.append({str(k): v for k, v in _FLAG_LABELS.items()})
        elif question.type == "select_one":
            variables.append(_Variable(text, True, _numbered_codes(list(choices))))
            labels.append(choices)
        else:
            variables.append(_Variable(text, question.type in ("integer", "decimal")))
            labels.append({})
    return variables, labels


def _statistical_value(variable: _Variable, value: object) -> object:
    if variable.codes and value is not None:
        return variable.codes.get(str(value), None)
    if variable.numeric:
        return float("nan") if value is None else value
    return "" if value is None else str(value)


def _note_lines(notes: list[str]) -> list[str]:
    """SPSS keeps notes as "document" lines of at most 80 bytes."""
    lines: list[str] = []
    for note in notes:
        lines += textwrap.wrap(note, 40)  # 40 characters: room for any UTF-8 text
    return lines


def write_statistical(path: str, export: ExportPlan, fmt: Literal["sav", "dta"]) -> None:
    """An SPSS ``.sav`` or Stata ``.dta`` file with variable and value labels.

    The rows are those of :func:`export_rows` (the plan must use ``codes``), so
    k-suppression and the masking of breakdown values are the same as in CSV
    and XLSX.  pyreadstat needs a whole data frame: unlike CSV and XLSX this
    holds every row in memory at once.
    """
    import pandas as pd
    import pyreadstat

    header = export.header()
    names = statistical_names(header, fmt)
    variables, choice_labels = _variables(export)
    columns: list[list[object]] = [[] for _ in header]
    for row in export_rows(export):
        for index, (variable, value) in enumerate(zip(variables, row, strict=True)):
            columns[index].append(_statistical_value(variable, value))
    frame = pd.DataFrame(
        {
            name: pd.Series(values, dtype="float64" if variable.numeric else "object")
            for name, values, variable in zip(names, columns, variables, strict=True)
        }
    )
    column_labels: list[str | None] = [
        variable.label[: 80 if fmt == "dta" else 256] for variable in variables
    ]
    value_labels = {
        name: variable.value_labels(labels)
        for name, variable, labels in zip(names, variables, choice_labels, strict=True)
        if variable.codes
    }
    if fmt == "sav":
        pyreadstat.write_sav(
            frame,
            path,
            column_labels=column_labels,
            variable_value_labels=value_labels,
            note=_note_lines(export.explanations()) or None,
        )
    else:
        pyreadstat.write_dta(
            frame,
            path,
            column_labels=column_labels,
            variable_value_labels=value_labels,
        )
