"""Problems found in an XLSForm, located by sheet, row and column."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FormProblem", "XLSFormInvalid"]


@dataclass(frozen=True, order=True)
class FormProblem:
    """One thing wrong with a workbook.

    Parameters
    ----------
    sheet : str or None
        Sheet name (``"survey"``, ``"choices"``, ``"settings"``); ``None`` when
        the problem concerns the whole file.
    row : int or None
        Spreadsheet row number as shown by Excel (the header row is 1).
    column : str or None
        Column letter as shown by Excel (``"A"``, ``"B"``...).
    message : str
        What is wrong and, where possible, how to fix it (plain English).

    Examples
    --------
    >>> str(FormProblem("survey", 4, "A", "unknown type 'txt'"))
    "survey, row 4, column A: unknown type 'txt'"
    >>> str(FormProblem(None, None, None, "the file is empty"))
    'file: the file is empty'
    """

    sheet: str | None
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        parts = [self.sheet or "file"]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return f"{', '.join(parts)}: {self.message}"

    def as_dict(self) -> dict[str, str | int | None]:
        """Return the problem as a JSON-friendly mapping."""
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class XLSFormInvalid(Exception):
    """The workbook cannot be imported; ``problems`` lists every reason.

    Parameters
    ----------
    problems : list of FormProblem
        All problems found, in sheet/row order. Never empty.
    """

    def __init__(self, problems: list[FormProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
