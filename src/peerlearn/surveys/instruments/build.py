"""Regenerate the built-in XLSForm workbooks from their Python definitions.

Usage::

    python -m peerlearn.surveys.instruments.build          # write changed files
    python -m peerlearn.surveys.instruments.build --check  # exit 1 if any is stale

A workbook is only rewritten when its content changed, so regenerating does
not touch files (and their version-control history) needlessly.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from peerlearn.surveys.instruments import BUILT_IN, DIRECTORY
from peerlearn.surveys.instruments.engagement import end_review, intake, pulse
from peerlearn.surveys.instruments.mel import (
    capabilities,
    followup,
    followup_6m,
    partnership_health,
    peer_contact,
)
from peerlearn.surveys.xlsform import Instrument, XLSFormInvalid, read_xlsform, write_xlsform

__all__ = ["DEFINITIONS", "build", "main", "stale"]

#: File stem -> function returning the instrument.
DEFINITIONS: dict[str, Callable[[], Instrument]] = {
    "intake": intake,
    "pulse": pulse,
    "partnership_health": partnership_health,
    "capabilities": capabilities,
    "followup_3m": followup,
    "followup_6m": followup_6m,
    "end_review": end_review,
    "peer_contact": peer_contact,
}
assert set(DEFINITIONS) == set(BUILT_IN)


def _current(path: Path) -> Instrument | None:
    try:
        return read_xlsform(path)
    except XLSFormInvalid:
        return None


def stale(directory: Path = DIRECTORY) -> list[str]:
    """Return the names whose workbook is missing or differs from its definition."""
    return [
        name
        for name, define in DEFINITIONS.items()
        if _current(directory / f"{name}.xlsx") != define()
    ]


def build(directory: Path = DIRECTORY) -> list[Path]:
    """Write every stale workbook into ``directory``; return the paths written."""
    written = []
    for name in stale(directory):
        path = directory / f"{name}.xlsx"
        path.write_bytes(write_xlsform(DEFINITIONS[name]()))
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale workbooks")
    parser.add_argument("--out", type=Path, default=DIRECTORY, help="directory to write to")
    args = parser.parse_args(argv)
    if args.check:
        names = stale(args.out)
        for name in names:
            print(f"stale: {name}.xlsx")
        return 1 if names else 0
    for path in build(args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
