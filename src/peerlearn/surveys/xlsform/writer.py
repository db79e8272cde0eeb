"""Write an :class:`~peerlearn.surveys.xlsform.model.Instrument` as an XLSForm workbook.

The workbook has ``survey``, ``choices`` and ``settings`` sheets with the
column spelling KoboToolbox and ODK use (``label::English (en)``). Only
columns that carry something are written.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from peerlearn.surveys.xlsform.model import Group, Instrument, Item, Question, Repeat
from peerlearn.surveys.xlsform.sheets import language_header

__all__ = ["write_xlsform"]


def _rows(items: list[Item]) -> Iterator[tuple[str, Item | None]]:
    for item in items:
        if isinstance(item, Group):
            yield "begin_group", item
            yield from _rows(item.children)
            yield "end_group", None
        elif isinstance(item, Repeat):
            yield "begin_repeat", item
            yield from _rows(item.children)
            yield "end_repeat", None
        else:
            kind = item.type
            yield (f"{kind} {item.list_name}" if item.list_name else kind), item


def _everything(inst: Instrument) -> list[Item]:
    """Every item, inside repeats too."""
    items = list(inst.walk())
    for repeat in inst.repeats():
        items += _everything(repeat.form(inst))
    return items


def _translated(
    inst: Instrument, base: str, used: Callable[[Item], dict[str, str]]
) -> list[tuple[str, Callable[[Item], str]]]:
    columns: list[tuple[str, Callable[[Item], str]]] = []
    items = _everything(inst)
    for code, name in inst.languages.items():
        if any(code in used(i) for i in items):
            columns.append((language_header(base, code, name), _in_language(used, code)))
    return columns


def _in_language(used: Callable[[Item], dict[str, str]], code: str) -> Callable[[Item], str]:
    def get(item: Item) -> str:
        return used(item).get(code, "")

    return get


def _question_text(attr: str) -> Callable[[Item], dict[str, str]]:
    def get(item: Item) -> dict[str, str]:
        value = getattr(item, attr, None) if isinstance(item, Question) else None
        return value or {}

    return get


def _survey_columns(inst: Instrument) -> list[tuple[str, Callable[[Item], str]]]:
    def attr(name: str) -> Callable[[Item], str]:
        return lambda i: str(getattr(i, name, "") or "")

    columns: list[tuple[str, Callable[[Item], str]]] = [("name", attr("name"))]
    columns += _translated(inst, "label", lambda i: i.label)
    columns += _translated(inst, "hint", _question_text("hint"))
    items = _everything(inst)
    if any(isinstance(i, Repeat) and i.count for i in items):
        columns.append(("repeat_count", lambda i: getattr(i, "count", "") or ""))
    if any(isinstance(i, Question) and i.required for i in items):
        columns.append(("required", lambda i: "yes" if getattr(i, "required", False) else ""))
    for name in ("relevant", "constraint"):
        if any(getattr(i, name, "") for i in items):
            columns.append((name, attr(name)))
    columns += _translated(inst, "constraint_message", _question_text("constraint_message"))
    columns += _translated(inst, "required_message", _question_text("required_message"))
    if any(i.appearance for i in items):
        columns.append(("appearance", attr("appearance")))
    for name in ("calculation", "default", "choice_filter"):
        if any(getattr(i, name, "") for i in items):
            columns.append((name, attr(name)))
    if any(isinstance(i, Question) and i.read_only for i in items):
        columns.append(("read_only", lambda i: "yes" if getattr(i, "read_only", False) else ""))
    return columns


def _header(sheet: Worksheet, headers: list[str]) -> None:
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def _write_survey(book: Workbook, inst: Instrument) -> None:
    sheet = book.create_sheet("survey")
    columns = _survey_columns(inst)
    _header(sheet, ["type"] + [h for h, _ in columns])
    for type_text, item in _rows(inst.items):
        if item is None:
            sheet.append([type_text])
        else:
            sheet.append([type_text] + [get(item) or None for _, get in columns])


def _write_choices(book: Workbook, inst: Instrument) -> None:
    sheet = book.create_sheet("choices")
    choices = [c for lst in inst.choice_lists.values() for c in lst.choices]
    codes = [c for c in inst.languages if any(c in ch.label for ch in choices)]
    extras = list(dict.fromkeys(key for choice in choices for key in choice.extra))
    _header(
        sheet,
        ["list_name", "name"]
        + [language_header("label", c, inst.languages[c]) for c in codes]
        + extras,
    )
    for lst in inst.choice_lists.values():
        for choice in lst.choices:
            sheet.append(
                [lst.name, choice.name]
                + [choice.label.get(c) or None for c in codes]
                + [choice.extra.get(key) or None for key in extras]
            )


def _has_duplicates(inst: Instrument) -> bool:
    return any(
        len({c.name for c in lst.choices}) < len(lst.choices) for lst in inst.choice_lists.values()
    )


def _write_settings(book: Workbook, inst: Instrument) -> None:
    sheet = book.create_sheet("settings")
    values = {
        "form_title": inst.title,
        "form_id": inst.form_id,
        "version": inst.version,
        "default_language": (
            language_header(
                "", inst.default_language, inst.languages.get(inst.default_language, "")
            ).removeprefix("::")
            if inst.default_language
            else ""
        ),
        "style": inst.style,
        "allow_choice_duplicates": "yes" if _has_duplicates(inst) else "",
    }
    written = {k: v for k, v in values.items() if v or k in ("form_title", "form_id")}
    _header(sheet, list(written))
    sheet.append([v or None for v in written.values()])


def write_xlsform(instrument: Instrument) -> bytes:
    """Return ``instrument`` as the bytes of an XLSForm .xlsx workbook.

    Reading the result with :func:`~peerlearn.surveys.xlsform.reader.read_xlsform`
    gives an instrument equal to ``instrument`` (for any instrument that was
    itself read from a valid workbook).
    """
    book = Workbook()
    default = book.active
    if default is not None:
        book.remove(default)
    _write_survey(book, instrument)
    _write_choices(book, instrument)
    _write_settings(book, instrument)
    for sheet in book.worksheets:
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width, 8), 60)
    book.properties.creator = "peerlearn"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
