"""Run pyxform on a workbook's data and locate its complaint in the sheets."""

from __future__ import annotations

import re
from typing import Any

from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from peerlearn.surveys.xlsform.problems import FormProblem
from peerlearn.surveys.xlsform.sheets import Sheet

__all__ = ["pyxform_problems"]

_ROW = re.compile(r"\[row\s*:\s*(\d+)\]\s*")
_SHEET = re.compile(r"\bon the '?(survey|choices|settings)'? sheet", re.IGNORECASE)
_COLUMN = re.compile(r"the '([^']+)'\s+(?:column|value)", re.IGNORECASE)


def _definition(sheets: dict[str, Sheet]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "sheet_names": [s.name for s in sheets.values()],
        "fallback_form_name": "data",
    }
    for key in ("survey", "choices", "settings"):
        if key in sheets:
            data[key], data[f"{key}_header"] = sheets[key].as_pyxform()
    return data


def locate(message: str, sheets: dict[str, Sheet]) -> FormProblem:
    """Turn a pyxform error message into a :class:`FormProblem`.

    Examples
    --------
    >>> locate("[row : 3] On the 'survey' sheet, the 'name' column is bad.", {}).row
    3
    """
    row_match = _ROW.search(message)
    row = int(row_match.group(1)) if row_match else None
    sheet_match = _SHEET.search(message)
    sheet_name = sheet_match.group(1).lower() if sheet_match else ("survey" if row else None)
    column = None
    column_match = _COLUMN.search(message)
    sheet = sheets.get(sheet_name or "")
    if column_match and sheet is not None:
        column = sheet.letter(column_match.group(1).split("::")[0].strip().lower())
    text = _ROW.sub("", message).strip()
    if sheet is not None:
        sheet_name = sheet.name
    return FormProblem(sheet_name, row, column, f"pyxform: {text}")


def pyxform_problems(sheets: dict[str, Sheet]) -> list[FormProblem]:
    """Convert the workbook data with pyxform; return its error, if any, as a problem.

    pyxform stops at the first error, so the list has at most one problem.
    """
    try:
        convert(xlsform=_definition(sheets), warnings=[])
    except PyXFormError as err:
        return [locate(str(err), sheets)]
    except Exception as err:  # a pyxform bug must not crash the import
        return [FormProblem(None, None, None, f"pyxform could not convert the form: {err}")]
    return []
