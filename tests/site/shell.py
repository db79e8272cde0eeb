"""Running documented `peerlearn` commands as a reader would: helpers for the doc tests.

Used by tests/site/test_readme_commands.py (README) and
tests/site/test_doc_commands.py (docs/*.md), so both read code blocks and run
commands the same way.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

#: A documented command the tests do not run says so in its comment, with the reason:
#: ``peerlearn manage db_worker   # not run in tests: runs until stopped``.
NOT_RUN = "not run in tests:"

#: A command line: optional VAR=value assignments, then `peerlearn ...`.
_COMMAND = re.compile(r"^(?:[A-Z_]+=\S+ +)*peerlearn ")


def sh_lines(path: Path) -> list[str]:
    """Every `peerlearn` line of the file's ```sh blocks, comments kept."""
    blocks = re.findall(r"```sh\n(.*?)```", path.read_text(), re.DOTALL)
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if _COMMAND.match(line)]


def without_comment(line: str) -> str:
    return line.split(" #")[0].strip()


def comment(line: str) -> str:
    return line.split(" #", 1)[1].strip() if " #" in line else ""


def clean_environment() -> dict[str, str]:
    """None of our variables: what someone typing the command in a new terminal has."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PEERLEARN_", "DJANGO_")) and k != "DATABASE_URL"
    }
    environment["PATH"] = f"{BIN}{os.pathsep}{environment.get('PATH', '')}"
    environment["PYTHONPATH"] = str(ROOT / "src")
    return environment


def run(command: str, cwd: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env={**clean_environment(), **extra},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def demo_checkout(tmp_path: Path) -> Path:
    """A directory set up as `make run` leaves a checkout: demo loaded, src/ and docs/ beside."""
    for folder in ("src", "docs"):  # documented paths are relative to the checkout
        (tmp_path / folder).symlink_to(ROOT / folder)
    makefile = (ROOT / "Makefile").read_text()
    assert "PEERLEARN_DEBUG=true $(BIN)/peerlearn demo" in makefile
    setup = run("peerlearn demo", tmp_path, PEERLEARN_DEBUG="true")
    assert setup.returncode == 0, setup.stderr
    return tmp_path
