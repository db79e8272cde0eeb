"""The ``peerlearn`` command line.

Engine commands (``match``, ``pair``, ``topics``) run without Django. The
others set Django up with ``DJANGO_SETTINGS_MODULE`` (default
``peerlearn.site.settings``) and work on the configured database.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from peerlearn.core.startup import setup_django


def cmd_demo(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from peerlearn.demo.load import DEMO_PASSWORD, load_demo

    summary = load_demo()
    print(
        f"Demo network loaded: {summary.people} people, {summary.organisations} organisations, "
        f"programme '{summary.programme}'."
    )
    print(f"Sign in as {summary.facilitator_email} with the password {DEMO_PASSWORD}")
    return 0


def _programme(slug: str):
    from peerlearn.programmes.models import Programme

    programme = Programme.objects.filter(slug=slug).first()
    if programme is None:
        known = ", ".join(Programme.objects.values_list("slug", flat=True)) or "none"
        raise SystemExit(f"error: no programme '{slug}' (known: {known})")
    return programme


def cmd_import(args: argparse.Namespace) -> int:
    setup_django()
    from peerlearn import audit
    from peerlearn.roster.apply import apply_roster
    from peerlearn.roster.reading import RosterFileError
    from peerlearn.roster.service import preview_roster

    programme = _programme(args.programme)
    path = Path(args.roster)
    if not path.is_file():
        print(f"error: {path} is not a file", file=sys.stderr)
        return 2
    try:
        preview = preview_roster(path.read_bytes(), path.name, programme)
    except RosterFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for problem in preview.problems:
        print(f"row {problem.row}, column {problem.column}: {problem.message}", file=sys.stderr)
    if not preview.is_valid:
        print(f"{len(preview.problems)} problems; nothing imported.", file=sys.stderr)
        return 1
    print(f"{preview.new_count} new, {preview.update_count} to update.")
    if args.dry_run:
        print("Dry run: nothing imported.")
        return 0
    # An operator action: the command line manages every programme, so known
    # people are updated (never re-linked to another account; see docs/privacy.md).
    result = apply_roster(preview, programme)
    audit.record(
        "roster.import",
        programme=programme,
        detail={
            "via": "cli",
            "created": result.created,
            "updated": result.updated,
            "organisations_created": result.organisations_created,
        },
    )
    print(
        f"Imported: {result.created} created, {result.updated} updated, "
        f"{result.organisations_created} organisations created."
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    setup_django()
    from peerlearn import audit
    from peerlearn.roster.export import programme_roster_rows
    from peerlearn.roster.writing import write_roster_csv, write_roster_xlsx

    programme = _programme(args.programme)
    rows = programme_roster_rows(programme)
    out = Path(args.out)
    as_xlsx = out.suffix.lower() == ".xlsx"
    out.write_bytes(write_roster_xlsx(rows) if as_xlsx else write_roster_csv(rows))
    audit.record("roster.export", programme=programme, detail={"via": "cli", "rows": len(rows)})
    print(f"{len(rows)} people written to {out}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    setup_django()
    from peerlearn.site.backup import backup

    try:
        count = backup(Path(args.file))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    from peerlearn import audit

    # Written after the dump, so the backup does not hold its own event.
    audit.record("backup.create", actor=None, detail={"records": count})
    print(f"{count} records written to {args.file}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    setup_django()
    from peerlearn.site.backup import DatabaseNotEmpty, restore

    try:
        count = restore(Path(args.file), replace=args.replace)
    except (DatabaseNotEmpty, FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{count} records restored from {args.file}")
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["peerlearn manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="peerlearn", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="migrate the database and load the demo network")
    demo.set_defaults(func=cmd_demo)

    imp = sub.add_parser("import", help="import a roster (CSV or XLSX) into a programme")
    imp.add_argument("roster")
    imp.add_argument("--programme", required=True, help="programme short name (slug)")
    imp.add_argument("--dry-run", action="store_true", help="check only, write nothing")
    imp.set_defaults(func=cmd_import)

    exp = sub.add_parser("export", help="export a programme's roster (CSV, or XLSX by extension)")
    exp.add_argument("--programme", required=True)
    exp.add_argument("--out", required=True, help="file.csv or file.xlsx")
    exp.set_defaults(func=cmd_export)

    bak = sub.add_parser("backup", help="write every record to a portable .json.gz file")
    bak.add_argument("file")
    bak.set_defaults(func=cmd_backup)

    res = sub.add_parser("restore", help="load a backup made by 'peerlearn backup'")
    res.add_argument("file")
    res.add_argument("--replace", action="store_true", help="erase the current data first")
    res.set_defaults(func=cmd_restore)

    man = sub.add_parser("manage", help="run a Django management command")
    man.add_argument("rest", nargs=argparse.REMAINDER)
    man.set_defaults(func=cmd_manage)

    from peerlearn.engine.cli import register as register_engine
    from peerlearn.evidence.cli import register as register_evidence
    from peerlearn.surveys.cli import register as register_surveys

    register_engine(sub)
    register_surveys(sub)
    register_evidence(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from django.core.exceptions import ImproperlyConfigured

    from peerlearn.site.env import ImproperSetting

    try:
        return int(args.func(args))
    except (ImproperSetting, ImproperlyConfigured) as error:
        # A configuration mistake, not a bug: say which variable, no traceback.
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
