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
from peerlearn.surveys.xlsform.columns import is_ignored, normalise, unsupported_message
from peerlearn.surveys.xlsform.model import (
    NO_LANGUAGE,
    Choice,
    ChoiceList,
    Group,
    Instrument,
    Question,
    QuestionType,
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

__all__ = ["MAX_BYTES", "read_xlsform"]

#: Largest workbook accepted (instruments are a few tens of kilobytes).
MAX_BYTES = 20 * 1024 * 1024
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_PIPED = re.compile(r"\$\{([^}]*)\}")
_YES = {"yes", "true", "true()", "1"}
_NO = {"no", "false", "false()", "0"}
_SHEET_ORDER = {None: 0, "survey": 1, "choices": 2, "settings": 3}


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
    """A group (or unsupported repeat) that has begun but not yet ended."""

    group: Group
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

    def problem(self, sheet: str | None, row: int | None, column: str | None, msg: str) -> None:
        self.problems.append(FormProblem(sheet, row, column, msg))

    # --- columns and languages -----------------------------------------------------

    def check_columns(self, sheet: Sheet, kind: str) -> None:
        normalise(sheet, kind)
        for column in sheet.columns:
            message = unsupported_message(column, kind)
            if message is None:
                if column.language is not None and not is_ignored(column):
                    self.note_language(sheet, column.letter, column.language, column.language_name)
                elif column.base in ("label", "hint", "constraint_message"):
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
        label_letter = sheet.letter("label", name_col.letter)
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
            if (list_name, name) in seen:
                self.problem(
                    sheet.name,
                    row.number,
                    name_col.letter,
                    f"choice '{name}' appears twice in list '{list_name}' "
                    f"(also on row {seen[list_name, name]})",
                )
                continue
            seen[list_name, name] = row.number
            if not label:
                self.problem(sheet.name, row.number, label_letter, f"choice '{name}' has no label")
            self.list_rows.setdefault(list_name, row.number)
            choices = self.instrument.choice_lists.setdefault(list_name, ChoiceList(list_name))
            choices.choices.append(Choice(name, label))

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
            for message in expressions.check(expression, self.fields):
                self.problem(sheet.name, number, letter, message)
        self.check_piped(sheet)

    def check_piped(self, sheet: Sheet) -> None:
        """Check ``${name}`` inserted in labels, hints and constraint messages."""
        texts = [c for c in sheet.columns if c.base in ("label", "hint", "constraint_message")]
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

    def read_row(self, sheet: Sheet, row: Row, stack: list[_Open]) -> None:
        type_letter = sheet.letter("type")
        text = sheet.value(row, "type")
        if not text:
            if any(sheet.value(row, b) for b in ("name", "label")) or sheet.texts(row, "label"):
                self.problem(sheet.name, row.number, type_letter, "the row has no type")
            return
        parsed = parse_type(text)
        if parsed.kind in ("end_group", "end_repeat"):
            repeat = parsed.kind == "end_repeat"
            if not stack or stack[-1].repeat != repeat:
                what = parsed.kind.replace("_", " ")
                self.problem(
                    sheet.name, row.number, type_letter, f"{what} without a matching begin"
                )
            else:
                stack.pop()
            if parsed.message:
                self.problem(sheet.name, row.number, type_letter, parsed.message)
            return
        if parsed.message:
            self.problem(sheet.name, row.number, type_letter, parsed.message)
        name = self.read_name(sheet, row)
        parent = stack[-1].group.children if stack else self.instrument.items
        if parsed.kind in ("begin_group", "begin_repeat"):
            group = Group(
                name,
                sheet.texts(row, "label"),
                self.expression(sheet, row, "relevant"),
                sheet.value(row, "appearance"),
            )
            self.refuse(sheet, row, ("hint", "required", "constraint", "constraint_message"))
            if parsed.kind == "begin_group":
                parent.append(group)
            stack.append(_Open(group, row.number, repeat=parsed.kind == "begin_repeat"))
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
        if not label:
            letter = sheet.letter("label", sheet.letter("type"))
            self.problem(sheet.name, row.number, letter, f"'{name}' has no label")
        required = False
        if kind == "note":
            self.refuse(sheet, row, ("required", "constraint", "constraint_message"))
        else:
            required = self.read_required(sheet, row)
        return Question(
            type=kind,
            name=name,
            label=label,
            hint=sheet.texts(row, "hint"),
            required=required,
            relevant=self.expression(sheet, row, "relevant"),
            constraint=self.expression(sheet, row, "constraint"),
            constraint_message=sheet.texts(row, "constraint_message"),
            appearance=sheet.value(row, "appearance"),
        )

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
        what = "a group" if "hint" in bases else "a note"
        for col in sheet.columns:
            value = row.cells.get(col.letter, "")
            if col.base == "required" and value.lower() in _NO:
                continue  # Kobo writes required=false on every row
            if col.base in bases and value:
                self.problem(
                    sheet.name, row.number, col.letter, f"'{col.base}' cannot be used on {what}"
                )

    def expression(self, sheet: Sheet, row: Row, base: str) -> str:
        value = sheet.value(row, base)
        letter = sheet.letter(base)
        if value and letter:
            self.pending.append((row.number, letter, value))
        return value

    # --- settings ------------------------------------------------------------------

    def read_settings(self) -> None:
        sheet = self.sheets.get("settings")
        if sheet is None:
            return
        row = next((r for r in sheet.rows if r.number == 2), Row(2))
        inst = self.instrument
        inst.title = sheet.value(row, "form_title")
        inst.form_id = sheet.value(row, "form_id")
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


def read_xlsform(data: bytes | str | Path, *, max_unpacked: int = MAX_UNPACKED_BYTES) -> Instrument:
    """Read an XLSForm workbook.

    Parameters
    ----------
    data : bytes or path
        The .xlsx content, or the path of the file.
    max_unpacked : int
        Most bytes the workbook may unpack to (zip bombs are refused before
        openpyxl or pyxform open anything).

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
    reader = _Reader(sheets)
    reader.check_all_columns()
    reader.read_choices()
    reader.read_survey()
    reader.read_settings()
    problems += reader.problems
    if "survey" in sheets:
        located = {(p.sheet, p.row) for p in problems}
        for extra in pyxform_problems(sheets):
            if (extra.sheet, extra.row) not in located and (extra.row or not problems):
                problems.append(extra)
    if problems:
        raise XLSFormInvalid(sorted(set(problems), key=_sort_key))
    return reader.instrument
