"""``peerlearn export-package --programme SLUG --out DIR --as EMAIL``.

Decision: the command always acts as a named account (``--as``, the e-mail of
a facilitator or an evaluator of the programme, or of a facilitator of some of
its cohorts, who gets a package of those cohorts only), never as an
all-seeing operator, so a package made at the shell holds exactly what that
reader would get from the button: an operator who hands a package to an
evaluator names the evaluator.  Exit codes: 0 written, 2 bad usage (unknown programme or
account, a reader not allowed, a directory that is not empty).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub) -> None:
    cmd = sub.add_parser(
        "export-package",
        help="write a programme's evaluation data package (Frictionless) into a new directory",
    )
    cmd.add_argument("--programme", required=True, help="programme short name (slug)")
    cmd.add_argument("--out", required=True, help="a new or empty directory")
    cmd.add_argument(
        "--as",
        dest="as_email",
        required=True,
        help="e-mail of the facilitator (of the programme or of cohorts) or evaluator "
        "whose package it is",
    )
    cmd.set_defaults(func=cmd_export_package)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def cmd_export_package(args: argparse.Namespace) -> int:
    from peerlearn.core.startup import setup_django

    setup_django()
    from peerlearn import audit
    from peerlearn.accounts.models import User
    from peerlearn.evidence.datapackage import NotAllowed, PackageError, build_package
    from peerlearn.programmes.models import Programme

    programme = Programme.objects.filter(slug=args.programme).first()
    if programme is None:
        return _fail(f"no programme {args.programme!r}")
    user = User.objects.filter(email__iexact=args.as_email.strip()).first()
    if user is None:
        return _fail(f"no account {args.as_email!r}")
    try:
        summary = build_package(programme, user, Path(args.out))
    except NotAllowed:
        return _fail(
            f"{args.as_email} is neither a facilitator nor an evaluator of {programme.slug}, "
            "nor a facilitator of one of its cohorts"
        )
    except PackageError as error:
        return _fail(str(error))
    tables = [r for r in summary.resources if r.rows is not None]
    audit.record(
        "evidence.package_build",
        actor=user,
        programme=programme,
        detail={"via": "cli", "tables": len(tables), "cohorts": summary.cohorts or None},
    )
    if summary.cohorts:
        print("cohorts only: " + ", ".join(summary.cohorts))
    for resource in tables:
        print(f"{resource.rows:>8}  {resource.path}")
    print(f"data package written to {summary.directory}")
    return 0
