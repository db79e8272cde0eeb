"""Command line for surveys: ``peerlearn survey check FORM.xlsx`` and
``peerlearn survey import FORM.xlsx --programme SLUG``.

The project's ``peerlearn`` command calls :func:`register`; until then the
module runs on its own (``python -m peerlearn.surveys.cli survey check FORM.xlsx``)
through :func:`main`. Exit codes: 0 valid form, 1 problems found (printed one
per line as ``sheet, row N, column C: message``), 2 bad command-line usage.
``check`` needs no Django; ``import`` sets Django up and writes to the
configured database.  Never a traceback, whatever the file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["cmd_check", "cmd_import", "cmd_import_responses", "main", "register", "verdict"]

#: Same variable, default and floor as ``XLSFORM_MAX_UNPACKED_BYTES`` in the
#: site settings, read here without Django so that ``check`` needs none.
_UNPACKED_VARIABLE = "PEERLEARN_XLSFORM_MAX_UNPACKED_BYTES"
_UNPACKED_DEFAULT = 50 * 1024 * 1024
_UNPACKED_FLOOR = 1024 * 1024


def _max_unpacked() -> int:
    import os

    try:
        value = int(os.environ.get(_UNPACKED_VARIABLE, _UNPACKED_DEFAULT))
    except ValueError:
        value = _UNPACKED_DEFAULT
    return max(value, _UNPACKED_FLOOR)


def verdict(form: str) -> Any:
    """Read the workbook at ``form`` as every importer does: the one verdict of
    ``survey check``, ``survey import`` and the web page.

    The form id of a form without one comes from the file name, the unpacking
    limit from the same setting the web import uses.  Returns the parsed
    :class:`~peerlearn.surveys.xlsform.Instrument`; raises ``XLSFormInvalid``.
    """
    from pathlib import Path

    from peerlearn.surveys.xlsform import read_xlsform

    return read_xlsform(form, max_unpacked=_max_unpacked(), filename=Path(form).name)


def _print_problems(args: argparse.Namespace, problems: list[Any], tail: str = "") -> None:
    if getattr(args, "format", "text") == "json":
        found = [p.as_dict() for p in problems]
        print(json.dumps({"valid": False, "problems": found}, ensure_ascii=False, indent=2))
        return
    for problem in problems:
        print(problem)
    count = len(problems)
    print(f"{args.form}: {count} problem{'s' if count != 1 else ''}{tail}", file=sys.stderr)


def cmd_check(args: argparse.Namespace) -> int:
    """Validate one XLSForm file; print a JSON summary or the problems.

    Returns
    -------
    int
        0 when the form can be imported, 1 otherwise.
    """
    from peerlearn.surveys.xlsform import XLSFormInvalid

    try:
        instrument = verdict(args.form)
    except XLSFormInvalid as err:
        _print_problems(args, err.problems)
        return 1
    except Exception as err:  # last resort: a bug must still not print a traceback
        print(f"file: the form could not be checked ({type(err).__name__}: {err})")
        return 1
    summary = instrument.summary()
    if args.format == "json":
        summary = {"valid": True, **summary}
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


def _setup_django() -> None:
    """Configure Django as ``peerlearn``'s own database commands do."""
    from peerlearn.core.startup import setup_django

    setup_django()


def cmd_import(args: argparse.Namespace) -> int:
    """Import one XLSForm into a programme; print its id, title, form id and questions.

    Returns
    -------
    int
        0 when stored, 1 when the form has problems or is already there,
        2 when the programme or the file cannot be found.
    """
    from pathlib import Path

    try:
        data = Path(args.form).read_bytes()
    except OSError as err:
        print(f"error: {args.form} cannot be read ({err.strerror or err})", file=sys.stderr)
        return 2
    try:
        _setup_django()
        return _import_into(args, data)
    except Exception as err:  # last resort: a bug or a database error, never a traceback
        print(f"error: the form could not be imported ({type(err).__name__}: {err})")
        return 1


def _import_into(args: argparse.Namespace, data: bytes) -> int:
    from pathlib import Path

    from peerlearn.programmes.models import Programme
    from peerlearn.surveys.library import DuplicateInstrument, import_xlsform
    from peerlearn.surveys.xlsform import XLSFormInvalid

    programme = Programme.objects.filter(slug=args.programme).first()
    if programme is None:
        known = ", ".join(Programme.objects.values_list("slug", flat=True)) or "none"
        print(f"error: no programme '{args.programme}' (known: {known})", file=sys.stderr)
        return 2
    try:
        verdict(args.form)  # exactly what ``survey check`` says, before anything is stored
        instrument = import_xlsform(
            programme, data, filename=Path(args.form).name[:255], anonymity=args.anonymity
        )
    except XLSFormInvalid as err:
        _print_problems(args, err.problems, "; nothing imported")
        return 1
    except DuplicateInstrument as err:
        print(f"error: {err}; change the version in the settings sheet", file=sys.stderr)
        return 1
    summary = {
        "instrument": instrument.pk,
        "title": instrument.title,
        "form_id": instrument.form_id,
        "questions": len(instrument.form.questions()),
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def cmd_import_responses(args: argparse.Namespace) -> int:
    """Import answers collected in KoboToolbox or ODK (their CSV or XLSX export)
    into a survey: the same service, checks and all-or-nothing verdict as the
    web import page (:mod:`peerlearn.surveys.imports`).

    Returns
    -------
    int
        0 when stored (prints JSON counts), 1 when the file has problems
        (printed as ``row N, column C: message``; nothing stored), 2 when the
        file, the programme or the survey cannot be found.
    """
    from pathlib import Path

    try:
        data = Path(args.file).read_bytes()
    except OSError as err:
        print(f"error: {args.file} cannot be read ({err.strerror or err})", file=sys.stderr)
        return 2
    try:
        _setup_django()
        return _import_responses(args, data, Path(args.file).name)
    except Exception as err:  # last resort: a bug or a database error, never a traceback
        print(f"error: the answers could not be imported ({type(err).__name__}: {err})")
        return 1


def _import_responses(args: argparse.Namespace, data: bytes, filename: str) -> int:
    from django.db import transaction

    from peerlearn import audit
    from peerlearn.programmes.models import Programme
    from peerlearn.surveys.imports import (
        ImportFileError,
        ImportRace,
        apply_import,
        preview_import,
    )
    from peerlearn.surveys.models import Survey

    programme = Programme.objects.filter(slug=args.programme).first()
    if programme is None:
        known = ", ".join(Programme.objects.values_list("slug", flat=True)) or "none"
        print(f"error: no programme '{args.programme}' (known: {known})", file=sys.stderr)
        return 2
    survey = Survey.objects.filter(programme=programme, pk=args.survey).first()
    if survey is None:
        known = ", ".join(
            f"{pk} ({title})" for pk, title in programme.surveys.values_list("pk", "title")
        )
        print(
            f"error: no survey {args.survey} in '{programme.slug}' (surveys: {known or 'none'})",
            file=sys.stderr,
        )
        return 2
    try:
        preview = preview_import(survey, data, filename)
    except ImportFileError as err:
        print(f"{args.file}: {err}")
        return 1
    if not preview.is_valid:
        for problem in sorted(preview.problems, key=lambda p: (p.row or 0, p.column or "")):
            where = ", ".join(
                part
                for part in (
                    f"row {problem.row}" if problem.row else "",
                    f"column {problem.column}" if problem.column else "",
                )
                if part
            )
            print(f"{where}: {problem.message}" if where else problem.message)
        count = len(preview.problems)
        print(
            f"{args.file}: {count} problem{'s' if count != 1 else ''}; nothing imported",
            file=sys.stderr,
        )
        return 1
    try:
        with transaction.atomic():
            imported = apply_import(preview)
            counts = {
                "imported": imported,
                "skipped": preview.skipped,
                "duplicates": preview.duplicates,
                "already_answered": preview.already_answered,
                "without_id": preview.without_id,
            }
            audit.record(
                "survey.import",
                programme=programme,
                target=survey,
                detail={"format": preview.sheet.format, "via": "command line", **counts},
            )
    except ImportRace:
        print("error: another import stored some of these answers meanwhile; nothing stored")
        return 1
    print(json.dumps({"survey": survey.pk, **counts}, ensure_ascii=False))
    return 0


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``survey`` (with ``check``) to a ``peerlearn`` argument parser.

    Each leaf parser sets ``func(args) -> int``.

    Examples
    --------
    >>> parser = argparse.ArgumentParser(prog="peerlearn")
    >>> register(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["survey", "check", "form.xlsx"])
    >>> args.form, args.func.__name__
    ('form.xlsx', 'cmd_check')
    """
    survey = subparsers.add_parser(
        "survey",
        help="work with survey instruments (XLSForm)",
        description="Work with survey instruments written as XLSForm workbooks.",
    )
    commands = survey.add_subparsers(dest="survey_command", metavar="COMMAND", required=True)
    check = commands.add_parser(
        "check",
        help="validate an XLSForm without storing it",
        description="Validate an XLSForm (.xlsx) without storing it. On success print a JSON "
        "summary (questions, types, title, languages, form_id) and exit 0; otherwise print "
        "each problem as 'sheet, row N, column C: message' and exit 1.",
    )
    check.add_argument("form", metavar="FORM.xlsx", help="the XLSForm workbook")
    check.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="how to print problems (default: text, one per line); success is always JSON",
    )
    check.set_defaults(func=cmd_check)
    imp = commands.add_parser(
        "import",
        help="import an XLSForm into a programme",
        description="Import an XLSForm (.xlsx) as an instrument of a programme (uses the "
        "configured database). On success print JSON {instrument, title, form_id, questions} "
        "and exit 0; otherwise print each problem as 'sheet, row N, column C: message', store "
        "nothing and exit 1 (2 when the file or the programme is not found).",
    )
    imp.add_argument("form", metavar="FORM.xlsx", help="the XLSForm workbook")
    imp.add_argument("--programme", required=True, help="programme short name (slug)")
    imp.add_argument(
        "--anonymity",
        choices=("identified", "pseudonymous", "anonymous"),
        default="pseudonymous",
        help="what respondents are promised (default: pseudonymous)",
    )
    imp.set_defaults(func=cmd_import)
    answers = commands.add_parser(
        "import-responses",
        help="import answers from a KoboToolbox or ODK export into a survey",
        description="Import the answers of a KoboToolbox or ODK export (CSV or XLSX, one sheet "
        "per repeat) into a survey of the same instrument, as the web import page does: every "
        "row or none. On success print JSON counts and exit 0; otherwise print each problem as "
        "'row N, column C: message', store nothing and exit 1 (2 when the file, the programme "
        "or the survey is not found).",
    )
    answers.add_argument("file", metavar="FILE", help="the CSV or XLSX export")
    answers.add_argument("--programme", required=True, help="programme short name (slug)")
    answers.add_argument("--survey", required=True, type=int, help="the survey's number (id)")
    answers.set_defaults(func=cmd_import_responses)


def build_parser() -> argparse.ArgumentParser:
    """Return a stand-alone parser with the ``survey`` command."""
    parser = argparse.ArgumentParser(prog="peerlearn", description="peerlearn survey tools")
    register(parser.add_subparsers(dest="command", required=True))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen subcommand; returns the exit code."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
