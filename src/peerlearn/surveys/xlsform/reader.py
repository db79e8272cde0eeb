"""Read an XLSForm workbook into an :class:`~peerlearn.surveys.xlsform.model.Instrument`.

Every problem is collected with its sheet, row and column, then the same data
is converted by pyxform (the reference XLSForm implementation used by ODK and
KoboToolbox) so that nothing it would reject is imported. Either the whole
instrument is returned, or :class:`XLSFormInvalid` lists every problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from peerlearn.surveys.xlsform import expressions
from peerlearn.surveys.xlsform.columns import (
    TRANSLATABLE,
    ignored_note,
    is_ignored,
    normalise,
    unsupported_message,
)
from peerlearn.surveys.xlsform.model import (
    NO_LANGUAGE,
    Choice,
    ChoiceList,
    CycleError,
    Group,
    Instrument,
    Item,
    Question,
    QuestionType,
    Repeat,
)
from peerlearn.surveys.xlsform.problems import FormProblem, XLSFormInvalid
from peerlearn.surveys.xlsform.pyxform_check import pyxform_problems
from peerlearn.surveys.xlsform.sheets import (
    MAX_UNPACKED_BYTES,
    Row,
    Sheet,
    load_sheets,
    parse_language,
)
from peerlearn.surveys.xlsform.types import parse_type

__all__ = ["MAX_BYTES", "form_id_from", "read_xlsform"]

#: Largest workbook accepted (instruments are a few tens of kilobytes).
MAX_BYTES = 20 * 1024 * 1024
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_PIPED = re.compile(r"\$\{([^}]*)\}")
_YES = {"yes", "true", "true()", "1"}
_NO = {"no", "false", "false()", "0"}
_SHEET_ORDER = {None: 0, "survey": 1, "choices": 2, "settings": 3}
_SMART_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_FORM_ID = re.compile(r"[^A-Za-z0-9_.-]+")
#: Deepest nesting of groups accepted: a phone page cannot show more levels usefully.
MAX_DEPTH = 10
#: Label ODK gives the choice and the text question ``or_other`` adds.
OTHER_CHOICE = "other"
OTHER_LABEL = "Other"
SPECIFY_OTHER = "Specify other."


def _read_bytes(data: bytes | str | Path) -> tuple[bytes, list[FormProblem]]:
    if isinstance(data, bytes | bytearray):
        raw = bytes(data)
    else:
        path = Path(data)
        try:
            if path.is_dir():
                return b"", [FormProblem(None, None, None, f"{path} is a directory, not a file")]
            if path.stat().st_size > MAX_BYTES:
                raw = b""
                return raw, [_too_big()]
            raw = path.read_bytes()
        except FileNotFoundError:
            return b"", [FormProblem(None, None, None, f"{path} does not exist")]
        except OSError as err:
            return b"", [FormProblem(None, None, None, f"{path} cannot be read ({err.strerror})")]
    if len(raw) > MAX_BYTES:
        return b"", [_too_big()]
    return raw, []


def _too_big() -> FormProblem:
    return FormProblem(None, None, None, f"the file is larger than {MAX_BYTES // 2**20} MB")


@dataclass
class _Open:
    """A group or repeat that has begun but not yet ended."""

    group: Group | Repeat
    row: int
    repeat: bool = False


@dataclass
class _Reader:
    sheets: dict[str, Sheet]
    problems: list[FormProblem] = field(default_factory=list)
    instrument: Instrument = field(default_factory=Instrument)
    list_rows: dict[str, int] = field(default_factory=dict)
    names: dict[str, int] = field(default_factory=dict)
    fields: set[str] = field(default_factory=set)
    pending: list[tuple[int, str, str]] = field(default_factory=list)
    filters: list[tuple[int, str, str]] = field(default_factory=list)
    #: The repeat each field (and each survey row) is in; None: outside repeats.
    repeat_of: dict[str, str | None] = field(default_factory=dict)
    repeat_of_row: dict[int, str | None] = field(default_factory=dict)
    choice_columns: set[str] = field(default_factory=lambda: {"name"})
    label_names: dict[str, str] = field(default_factory=dict)
    unsupported: list[FormProblem] = field(default_factory=list)
    rows_of: dict[str, int] = field(default_factory=dict)

    def problem(self, sheet: str | None, row: int | None, column: str | None, msg: str) -> None:
        self.problems.append(FormProblem(sheet, row, column, msg))

    # --- columns and languages -----------------------------------------------------

    def note(self, sheet: str, row: int | None, column: str | None, msg: str) -> None:
        """Record something ignored: listed on import, never fatal."""
        self.instrument.ignored.append(str(FormProblem(sheet, row, column, msg)))

    def check_columns(self, sheet: Sheet, kind: str) -> None:
        normalise(sheet, kind)
        for column in sheet.columns:
            used = any(column.letter in row.cells for row in sheet.rows)
            note = ignored_note(column, kind)
            if note is not None:
                if used:
                    self.note(sheet.name, None, column.letter, note)
                continue
            message = unsupported_message(column, kind)
            if message is None:
                if column.base not in TRANSLATABLE or is_ignored(column):
                    continue
                if column.language is not None:
                    self.note_language(sheet, column.letter, column.language, column.language_name)
                else:
                    self.note_language(sheet, column.letter, NO_LANGUAGE, "")
                continue
            for row in sheet.rows:
                if column.letter in row.cells:
                    self.problem(sheet.name, row.number, column.letter, message)

    def note_language(self, sheet: Sheet, letter: str, code: str, name: str) -> None:
        if not code:
            self.problem(sheet.name, 1, letter, "the language after '::' is empty")
        elif any(letter in row.cells for row in sheet.rows):
            self.instrument.languages.setdefault(code, name)

    def check_all_columns(self) -> None:
        for kind in ("survey", "choices", "settings"):
            if kind in self.sheets:
                self.check_columns(self.sheets[kind], kind)

    # --- choices -------------------------------------------------------------------

    def allow_duplicates(self) -> bool:
        """The ``allow_choice_duplicates`` setting: cascading lists often repeat a
        name under two parents (a county 'king' in two states)."""
        sheet = self.sheets.get("settings")
        if sheet is None:
            return False
        row = next((r for r in sheet.rows if r.number == 2), Row(2))
        return sheet.value(row, "allow_choice_duplicates").lower() in _YES

    def read_choices(self) -> None:
        sheet = self.sheets.get("choices")
        if sheet is None:
            return
        list_col, name_col = sheet.column("list_name"), sheet.column("name")
        for base, col in (("list_name", list_col), ("name", name_col)):
            if col is None:
                self.problem(sheet.name, 1, None, f"the choices sheet has no '{base}' column")
        if list_col is None or name_col is None:
            return
        extras = [
            c
            for c in sheet.columns
            if c.base not in ("list_name", "name")
            and unsupported_message(c, "choices") is None
            and not is_ignored(c)
        ]
        self.choice_columns = {c.header for c in extras} | {"name"}
        # a filter may test a label (``label::English != ''``): Choice.columns()
        # offers each as ``label::CODE``, so headers are rewritten to that
        self.label_names = {
            c.header: f"label::{c.language}" for c in extras if c.base == "label" and c.language
        }
        seen: dict[tuple[str, str], int] = {}
        for row in sheet.rows:
            list_name, name = sheet.value(row, "list_name"), sheet.value(row, "name")
            label = sheet.texts(row, "label")
            if not list_name:
                if name or label:
                    self.problem(sheet.name, row.number, list_col.letter, "list_name is empty")
                continue
            if not name:
                self.problem(sheet.name, row.number, name_col.letter, "the choice has no name")
                continue
            if any(c.isspace() for c in name):
                self.problem(
                    sheet.name,
                    row.number,
                    name_col.letter,
                    f"choice name '{name}' contains spaces (use '_' instead)",
                )
            if (list_name, name) in seen and not self.allow_duplicates():
                self.problem(
                    sheet.name,
                    row.number,
                    name_col.letter,
                    f"choice '{name}' appears twice in list '{list_name}' "
                    f"(also on row {seen[list_name, name]})",
                )
                continue
            seen[list_name, name] = row.number
            if not label:  # pyxform accepts it; the name is what a respondent would see
                label = {NO_LANGUAGE: name}
            self.list_rows.setdefault(list_name, row.number)
            choices = self.instrument.choice_lists.setdefault(list_name, ChoiceList(list_name))
            extra = {
                c.header: row.cells[c.letter]
                for c in extras
                if c.letter in row.cells and c.base != "label"
            }
            choices.choices.append(Choice(name, label, extra))

    # --- survey --------------------------------------------------------------------

    def read_survey(self) -> None:
        sheet = self.sheets.get("survey")
        if sheet is None:
            self.problem("survey", None, None, "the workbook has no 'survey' sheet")
            return
        for base in ("type", "name"):
            if sheet.column(base) is None:
                self.problem(sheet.name, 1, None, f"the survey sheet has no '{base}' column")
        if sheet.column("type") is None:
            return
        stack: list[_Open] = []
        for row in sheet.rows:
            self.read_row(sheet, row, stack)
        for still_open in stack:
            kind = "repeat" if still_open.repeat else "group"
            self.problem(
                sheet.name,
                still_open.row,
                sheet.letter("type"),
                f"{kind} '{still_open.group.name}' is never closed (add an end_{kind} row)",
            )
        for number, letter, expression in self.pending:
            for message in self.check_expression(number, expression):
                self.problem(sheet.name, number, letter, message)
        columns = self.choice_columns | {"label", *self.label_names.values()}
        for number, letter, expression in self.filters:
            for message in self.check_expression(number, expression, columns):
                self.problem(sheet.name, number, letter, message)
        self.check_cycles(sheet)
        self.check_piped(sheet)

    def out_of_reach(self, number: int, name: str) -> str | None:
        """The repeat holding field ``name`` when the row ``number`` cannot see it
        (a field inside a repeat means one instance: only its own repeat's rows
        can refer to it)."""
        inside = self.repeat_of.get(name)
        if inside is None or inside == self.repeat_of_row.get(number):
            return None
        return inside

    def check_expression(
        self, number: int, expression: str, columns: set[str] | None = None
    ) -> list[str]:
        messages = expressions.check(expression, self.fields, columns)
        if messages:
            return messages
        try:
            used = expressions.references(expression)
        except expressions.ExpressionError:
            return []
        return [
            f"${{{name}}} is inside repeat '{inside}': only the rows of that repeat can use it"
            for name in sorted(used)
            if (inside := self.out_of_reach(number, name)) is not None
        ]

    def check_cycles(self, sheet: Sheet) -> None:
        """Refuse calculations that depend on themselves, directly or not
        (in each repeat too)."""
        forms = [self.instrument] + [r.form(self.instrument) for r in self.instrument.repeats()]
        for form in forms:
            self.check_cycles_of(sheet, form)

    def check_cycles_of(self, sheet: Sheet, form: Instrument) -> None:
        letter = sheet.letter("calculation")
        try:
            form.calculation_order()
        except CycleError as cycle:
            row = self.rows_of.get(cycle.names[0])
            path = " -> ".join(f"${{{n}}}" for n in cycle.names)
            self.problem(sheet.name, row, letter, f"the calculation depends on itself ({path})")
        except expressions.ExpressionError:
            pass  # already reported with its row and column

    def check_piped(self, sheet: Sheet) -> None:
        """Check ``${name}`` inserted in labels, hints and constraint messages."""
        texts = [c for c in sheet.columns if c.base in TRANSLATABLE]
        for row in sheet.rows:
            for col in texts:
                for name in _PIPED.findall(row.cells.get(col.letter, "")):
                    if name.strip() not in self.fields:
                        self.problem(
                            sheet.name,
                            row.number,
                            col.letter,
                            f"${{{name}}} in the text does not refer to any field of the form",
                        )
                    elif (inside := self.out_of_reach(row.number, name.strip())) is not None:
                        self.problem(
                            sheet.name,
                            row.number,
                            col.letter,
                            f"${{{name}}} is inside repeat '{inside}': only the rows of that "
                            "repeat can show it",
                        )

    def read_row(self, sheet: Sheet, row: Row, stack: list[_Open]) -> None:
        type_letter = sheet.letter("type")
        text = sheet.value(row, "type")
        if not text:
            if any(sheet.value(row, b) for b in ("name", "label")) or sheet.texts(row, "label"):
                self.problem(sheet.name, row.number, type_letter, "the row has no type")
            return
        parsed = parse_type(text)
        self.repeat_of_row[row.number] = next(
            (o.group.name for o in reversed(stack) if o.repeat), None
        )
        if parsed.unsupported:
            self.unsupported.append(
                FormProblem(sheet.name, row.number, type_letter, parsed.message)
            )
        if parsed.kind in ("end_group", "end_repeat"):
            repeat = parsed.kind == "end_repeat"
            if not stack or stack[-1].repeat != repeat:
                what = parsed.kind.replace("_", " ")
                self.problem(
                    sheet.name, row.number, type_letter, f"{what} without a matching begin"
                )
            else:
                stack.pop()
            return
        if parsed.message and not parsed.kind.endswith("repeat"):
            self.problem(sheet.name, row.number, type_letter, parsed.message)
        if parsed.kind == "metadata":
            self.fields.add(sheet.value(row, "name"))
            self.note(
                sheet.name,
                row.number,
                type_letter,
                f"metadata '{text}' ignored: peerlearn records who answered and when itself",
            )
            return
        if parsed.kind == "note" and not sheet.value(row, "name"):
            # pyxform accepts a note without a name (nothing refers to it)
            name = f"note_row_{row.number}"
            self.names.setdefault(name, row.number)
        else:
            name = self.read_name(sheet, row)
        self.rows_of.setdefault(name, row.number)
        self.repeat_of.setdefault(name, self.repeat_of_row[row.number])
        parent = stack[-1].group.children if stack else self.instrument.items
        if parsed.kind in ("begin_group", "begin_repeat"):
            self.begin(sheet, row, parsed.kind, name, parent, stack)
            return
        if parsed.kind == "error":
            return
        self.fields.add(name)
        question = self.read_question(sheet, row, parsed.kind, name)  # type: ignore[arg-type]
        if parsed.list_name and parsed.list_name not in self.list_rows:
            if "choices" not in self.sheets:
                msg = f"list '{parsed.list_name}' not found: the workbook has no 'choices' sheet"
            else:
                msg = f"choice list '{parsed.list_name}' is not on the 'choices' sheet"
            self.problem(sheet.name, row.number, type_letter, msg)
        question.list_name = parsed.list_name
        parent.append(question)
        if parsed.other and parsed.list_name in self.instrument.choice_lists:
            parent.append(self.or_other(question, row.number))

    def begin(
        self,
        sheet: Sheet,
        row: Row,
        kind: str,
        name: str,
        parent: list[Item],
        stack: list[_Open],
    ) -> None:
        """Open a group or a repeat (a repeat inside a repeat is refused, but
        tracked so that the rows after it still pair up)."""
        if len(stack) >= MAX_DEPTH:
            self.problem(
                sheet.name,
                row.number,
                sheet.letter("type"),
                f"groups are nested more than {MAX_DEPTH} deep: flatten some of them",
            )
        label = sheet.texts(row, "label")
        relevant = self.expression(sheet, row, "relevant")
        appearance = sheet.value(row, "appearance")
        self.refuse(sheet, row, ("required", "constraint", "constraint_message"))
        if sheet.texts(row, "hint"):
            self.note(
                sheet.name, row.number, sheet.letter("hint"), "a hint on a group is not shown"
            )
        count = sheet.value(row, "repeat_count")
        if count and kind == "begin_group":
            self.problem(
                sheet.name,
                row.number,
                sheet.letter("repeat_count"),
                "repeat_count is only for begin_repeat rows",
            )
        if kind == "begin_group":
            group: Group | Repeat = Group(name, label, relevant, appearance)
            parent.append(group)
            stack.append(_Open(group, row.number))
            return
        group = Repeat(name, label, relevant, appearance, count=self.repeat_count(sheet, row))
        outer = next((o for o in stack if o.repeat), None)
        if outer is not None:
            self.problem(
                sheet.name,
                row.number,
                sheet.letter("type"),
                f"repeat '{name}' is inside repeat '{outer.group.name}': repeats inside "
                "repeats are not supported (make it a repeat of its own after the first)",
            )
        else:
            parent.append(group)
        stack.append(_Open(group, row.number, repeat=True))

    def repeat_count(self, sheet: Sheet, row: Row) -> str:
        """``repeat_count``: checked like any expression; it may use only the
        questions outside the repeat (they fix the number of instances)."""
        value = sheet.value(row, "repeat_count").translate(_SMART_QUOTES)
        letter = sheet.letter("repeat_count")
        if value and letter:
            # checked as a row outside the repeat: it is computed before any instance
            self.pending.append((row.number, letter, value))
        return value

    def or_other(self, question: Question, number: int) -> Question:
        """Do what ODK does for ``select_one LIST or_other``: offer an "other"
        choice and ask a text question when it is chosen."""
        assert question.list_name is not None
        base = self.instrument.choice_lists[question.list_name]
        other_name = f"{question.list_name}_or_other"
        if other_name not in self.instrument.choice_lists:
            labels = dict.fromkeys(base.choices[0].label if base.choices else {}, OTHER_LABEL)
            copy = ChoiceList(other_name, list(base.choices))
            if all(c.name != OTHER_CHOICE for c in base.choices):
                copy.choices.append(Choice(OTHER_CHOICE, labels or {NO_LANGUAGE: OTHER_LABEL}))
            self.instrument.choice_lists[other_name] = copy
        question.list_name = other_name
        name = f"{question.name}_other"
        if name in self.names:
            self.problem(
                "survey", number, None, f"or_other adds a question '{name}', but that name is used"
            )
        self.names[name] = number
        self.fields.add(name)
        labels = dict.fromkeys(question.label, SPECIFY_OTHER) or {NO_LANGUAGE: SPECIFY_OTHER}
        return Question(
            type="text",
            name=name,
            label=labels,
            relevant=f"selected(${{{question.name}}}, '{OTHER_CHOICE}')",
        )

    def read_name(self, sheet: Sheet, row: Row) -> str:
        name = sheet.value(row, "name")
        letter = sheet.letter("name", sheet.letter("type"))
        if not name:
            self.problem(sheet.name, row.number, letter, "the name is empty")
        elif not _NAME.match(name):
            self.problem(
                sheet.name,
                row.number,
                letter,
                f"name '{name}' is not valid: use letters, digits and '_', starting with a letter",
            )
        elif name in RESERVED_NAMES:
            self.problem(
                sheet.name,
                row.number,
                letter,
                f"name '{name}' is reserved by peerlearn's answer page: choose another name",
            )
        elif name in self.names:
            self.problem(
                sheet.name,
                row.number,
                letter,
                f"name '{name}' is already used on row {self.names[name]}",
            )
        else:
            self.names[name] = row.number
        return name

    def read_question(self, sheet: Sheet, row: Row, kind: QuestionType, name: str) -> Question:
        label = sheet.texts(row, "label")
        hint = sheet.texts(row, "hint")
        if not label and not hint and kind != "calculate":
            letter = sheet.letter("label", sheet.letter("type"))
            self.problem(sheet.name, row.number, letter, f"'{name}' has no label")
        required = False
        if kind in ("note", "calculate"):
            self.refuse(sheet, row, ("required", "constraint", "constraint_message"))
        else:
            required = self.read_required(sheet, row)
        calculation = self.expression(sheet, row, "calculation")
        if kind == "calculate" and not calculation:
            letter = sheet.letter("calculation", sheet.letter("type"))
            self.problem(sheet.name, row.number, letter, f"calculate '{name}' has no calculation")
        choice_filter = sheet.value(row, "choice_filter").translate(_SMART_QUOTES)
        for header, spelled in self.label_names.items():
            choice_filter = choice_filter.replace(header, spelled)
        filter_letter = sheet.letter("choice_filter")
        if choice_filter and filter_letter:
            if kind not in ("select_one", "select_multiple"):
                self.problem(
                    sheet.name, row.number, filter_letter, "choice_filter is only for selects"
                )
            self.filters.append((row.number, filter_letter, choice_filter))
        self.expression(sheet, row, "trigger", trigger=True)
        return Question(
            type=kind,
            name=name,
            label=label,
            hint=hint,
            required=required,
            relevant=self.expression(sheet, row, "relevant"),
            constraint=self.expression(sheet, row, "constraint"),
            constraint_message=sheet.texts(row, "constraint_message"),
            appearance=sheet.value(row, "appearance"),
            calculation=calculation,
            default=sheet.value(row, "default"),
            read_only=self.read_yes_no(sheet, row, "read_only"),
            required_message=sheet.texts(row, "required_message"),
            choice_filter=choice_filter,
        )

    def read_yes_no(self, sheet: Sheet, row: Row, base: str) -> bool:
        value = sheet.value(row, base).lower()
        if value and value not in _YES | _NO:
            self.problem(
                sheet.name,
                row.number,
                sheet.letter(base),
                f"{base} must be yes or no (got '{value}')",
            )
        return value in _YES

    def read_required(self, sheet: Sheet, row: Row) -> bool:
        value = sheet.value(row, "required").lower()
        if value in _YES:
            return True
        if value and value not in _NO:
            self.problem(
                sheet.name,
                row.number,
                sheet.letter("required"),
                f"required must be yes or no (got '{value}'); conditions are not supported",
            )
        return False

    def refuse(self, sheet: Sheet, row: Row, bases: tuple[str, ...]) -> None:
        kind = parse_type(sheet.value(row, "type")).kind
        what = {"note": "a note", "calculate": "a calculate row"}.get(kind, "a group")
        for col in sheet.columns:
            value = row.cells.get(col.letter, "")
            if col.base == "required" and value.lower() in _NO:
                continue  # Kobo writes required=false on every row
            if col.base in bases and value:
                self.problem(
                    sheet.name, row.number, col.letter, f"'{col.base}' cannot be used on {what}"
                )

    def expression(self, sheet: Sheet, row: Row, base: str, *, trigger: bool = False) -> str:
        """Queue an expression for checking once every field name is known.

        Smart quotes become plain ones, as pyxform does (spreadsheets type them).
        A ``trigger`` is a field reference only: peerlearn recomputes on every
        change, so it needs nothing else.
        """
        value = sheet.value(row, base).translate(_SMART_QUOTES)
        letter = sheet.letter(base)
        if value and letter:
            self.pending.append((row.number, letter, value))
        return "" if trigger else value

    # --- settings ------------------------------------------------------------------

    def read_settings(self, fallback_id: str = "") -> None:
        """Title, id, version, languages; without a form_id (or a settings sheet),
        the id is the file name without extension, as pyxform does."""
        sheet = self.sheets.get("settings")
        inst = self.instrument
        inst.form_id = fallback_id
        if sheet is None:
            return
        row = next((r for r in sheet.rows if r.number == 2), Row(2))
        inst.title = sheet.value(row, "form_title")
        inst.form_id = sheet.value(row, "form_id") or fallback_id
        inst.version = sheet.value(row, "version")
        inst.style = sheet.value(row, "style")
        default = sheet.value(row, "default_language")
        if default:
            code, _name = parse_language(default)
            known = inst.languages.keys()
            if code not in known and NO_LANGUAGE not in known:
                self.problem(
                    sheet.name,
                    2,
                    sheet.letter("default_language"),
                    f"default_language '{default}' is not one of the form's languages "
                    f"({', '.join(known) or 'none'})",
                )
            inst.default_language = code


def _tidy_sheets(sheets: dict[str, Sheet]) -> list[str]:
    """What pyxform tolerates: an empty choices or settings sheet is no sheet, and
    a workbook whose only sheet is not called 'survey' has its survey there."""
    notes = []
    for name in ("choices", "settings"):
        if name in sheets and not sheets[name].columns and not sheets[name].rows:
            del sheets[name]
    if "survey" not in sheets and len(sheets) == 1:
        (only,) = sheets.values()
        if only.column("type") is not None:
            sheets["survey"] = only
            notes.append(f"{only.name}: read as the 'survey' sheet (the only sheet)")
    return notes


def form_id_from(filename: str | Path | None) -> str:
    """The form id pyxform derives from a file name: its stem (``data`` without one).

    Examples
    --------
    >>> form_id_from("/tmp/Baseline survey (v2).xlsx")
    'Baseline_survey_v2'
    >>> form_id_from(None)
    'data'
    """
    stem = Path(str(filename)).stem if filename else ""
    return _FORM_ID.sub("_", stem).strip("_") or "data"


def _sort_key(problem: FormProblem) -> tuple[int, int, int, str, str]:
    column = problem.column or ""
    return (
        _SHEET_ORDER.get(problem.sheet, 4),
        problem.row or 0,
        len(column),
        column,
        problem.message,
    )


#: Field names the web answer page posts itself; a question or group cannot take them.
RESERVED_NAMES = frozenset({"action", "csrfmiddlewaretoken", "lang"})


def read_xlsform(
    data: bytes | str | Path,
    *,
    max_unpacked: int = MAX_UNPACKED_BYTES,
    filename: str | None = None,
) -> Instrument:
    """Read an XLSForm workbook: the one verdict ``survey check``, ``survey
    import`` and the web import all give.

    Parameters
    ----------
    data : bytes or path
        The .xlsx content, or the path of the file.
    max_unpacked : int
        Most bytes the workbook may unpack to (zip bombs are refused before
        openpyxl or pyxform open anything).
    filename : str, optional
        The uploaded file's name, for the form id of a form without one
        (defaults to the path's name when ``data`` is a path).

    Returns
    -------
    Instrument
        The whole instrument.

    Raises
    ------
    XLSFormInvalid
        With every problem found (sheet, row, column, message); nothing is
        partially imported. Never raises anything else for bad input.
    """
    raw, problems = _read_bytes(data)
    if problems:
        raise XLSFormInvalid(problems)
    sheets, problems = load_sheets(raw, max_unpacked)
    if not sheets:
        raise XLSFormInvalid(problems or [FormProblem(None, None, None, "no sheets")])
    notes = _tidy_sheets(sheets)
    reader = _Reader(sheets)
    reader.instrument.ignored += notes
    entities = sheets.get("entities")
    if entities is not None and entities.rows:
        reader.unsupported.append(
            FormProblem(
                entities.name,
                None,
                None,
                "ODK entities are not supported: remove the 'entities' sheet "
                "(peerlearn keeps people in its own roster)",
            )
        )
    reader.check_all_columns()
    if filename is None and not isinstance(data, bytes | bytearray):
        filename = str(data)
    reader.read_choices()
    reader.read_survey()
    reader.read_settings(form_id_from(filename))
    if reader.unsupported:
        # A feature peerlearn lacks explains everything else that looks wrong
        # (a repeat's rows, its count...): say only that, one line per row.
        raise XLSFormInvalid(sorted(set(problems + reader.unsupported), key=_sort_key))
    problems += reader.problems
    if "survey" in sheets:
        located = {(p.sheet, p.row) for p in problems}
        for extra in pyxform_problems(sheets):
            if (extra.sheet, extra.row) not in located and (extra.row or not problems):
                problems.append(extra)
    if problems:
        raise XLSFormInvalid(sorted(set(problems), key=_sort_key))
    return reader.instrument
