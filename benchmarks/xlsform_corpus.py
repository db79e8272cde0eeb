"""Run every XLSForm of the corpus through pyxform and through peerlearn; print a table.

Usage::

    PYTHONPATH=src python benchmarks/xlsform_corpus.py [CORPUS_DIR]

For each form: does pyxform convert it, does peerlearn accept it, how many
answerable questions each sees, and (when peerlearn refuses) the first reason.
The corpus is ``tests/surveys/corpus`` (sources and licences in its
``LICENCES.md``).  ``tests/surveys/test_xlsform_corpus.py`` asserts the target:
every form pyxform converts that uses only supported features is accepted with
the same number of answerable questions.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from pyxform.xls2xform import convert  # noqa: E402

from peerlearn.surveys.xlsform import XLSFormInvalid, read_xlsform  # noqa: E402

CORPUS = ROOT / "tests" / "surveys" / "corpus"
#: pyxform types that take no answer from the respondent.
_NOT_ANSWERED = {
    "note",
    "calculate",
    "hidden",
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "start-geopoint",
    "background-audio",
    "background-geopoint",
    "instanceID",
}


@dataclass
class Row:
    """One line of the table."""

    form: str
    pyxform_ok: bool
    pyxform_questions: int | None
    peerlearn_ok: bool
    peerlearn_questions: int | None
    cause: str


def pyxform_answerable(path: Path) -> int | None:
    """Answerable questions in pyxform's JSON, ``None`` if pyxform refuses the form."""
    try:
        result = convert(xlsform=str(path), warnings=[])
    except Exception:
        return None
    return _count(result._pyxform or {})


def _count(node: dict[str, Any]) -> int:
    total = 0
    for child in node.get("children", []):
        kind = str(child.get("type", ""))
        if kind in ("group", "repeat"):
            total += _count(child)
        elif kind not in _NOT_ANSWERED and child.get("name") != "meta":
            read_only = str(child.get("bind", {}).get("readonly", "")).lower()
            if read_only not in ("true()", "yes", "true"):
                total += 1
    return total


def peerlearn_answerable(path: Path) -> tuple[int | None, str]:
    """Answerable questions peerlearn sees (inside repeats too, as pyxform counts
    them), or ``None`` and the first problem."""
    try:
        form = read_xlsform(path)
    except XLSFormInvalid as err:
        return None, str(err.problems[0]) + (
            f" (+{len(err.problems) - 1} more)" if len(err.problems) > 1 else ""
        )
    inside = sum(len(repeat.form(form).questions()) for repeat in form.repeats())
    return len(form.questions()) + inside, ""


def measure(corpus: Path = CORPUS) -> list[Row]:
    """One :class:`Row` per ``.xlsx`` file of ``corpus``, in name order."""
    rows = []
    for path in sorted(corpus.glob("*.xlsx")):
        theirs = pyxform_answerable(path)
        ours, cause = peerlearn_answerable(path)
        rows.append(Row(path.name, theirs is not None, theirs, ours is not None, ours, cause))
    return rows


def _cell(value: int | None) -> str:
    return "-" if value is None else str(value)


def main(argv: list[str]) -> int:
    corpus = Path(argv[1]) if len(argv) > 1 else CORPUS
    rows = measure(corpus)
    width = max(len(r.form) for r in rows)
    print(f"{'form':<{width}}  pyxform  peerlearn  q(pyx)  q(pl)  refusal cause")
    for r in rows:
        print(
            f"{r.form:<{width}}  {'yes' if r.pyxform_ok else 'no':<7}  "
            f"{'yes' if r.peerlearn_ok else 'no':<9}  {_cell(r.pyxform_questions):>6}  "
            f"{_cell(r.peerlearn_questions):>5}  {r.cause[:110]}"
        )
    converted = [r for r in rows if r.pyxform_ok]
    accepted = [r for r in converted if r.peerlearn_ok]
    same = [r for r in accepted if r.pyxform_questions == r.peerlearn_questions]
    print(
        f"\n{len(rows)} forms; pyxform converts {len(converted)}; peerlearn accepts "
        f"{len(accepted)} of those ({len(same)} with the same number of answerable questions)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
