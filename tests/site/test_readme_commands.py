"""Every `peerlearn` command the README shows runs as written after `make run`'s setup.

The commands run in a fresh process each, with none of our environment
variables set (no PEERLEARN_DEBUG, no secret key, no DATABASE_URL): exactly
what someone who typed them in a second terminal would have.
"""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def readme_commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    lines = [line.split(" #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith("peerlearn ")]


def clean_environment() -> dict[str, str]:
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


def test_readme_shows_the_command_line():
    commands = readme_commands()
    assert len(commands) >= 5, commands
    assert any(c.startswith("peerlearn export") for c in commands)
    assert any(c.startswith("peerlearn survey import") for c in commands)


def test_every_readme_command_runs_after_make_run_setup(tmp_path):
    for folder in ("src", "docs"):  # README paths are relative to the checkout
        (tmp_path / folder).symlink_to(ROOT / folder)
    makefile = (ROOT / "Makefile").read_text()
    assert "PEERLEARN_DEBUG=true $(BIN)/peerlearn demo" in makefile
    setup = run("peerlearn demo", tmp_path, PEERLEARN_DEBUG="true")
    assert setup.returncode == 0, setup.stderr
    for command in readme_commands():
        result = run(command, tmp_path)
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stderr, f"{command}\n{result.stderr}"
    key_file = tmp_path / "var" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key_file.read_text().strip()) >= 50


def test_the_local_key_is_made_once_and_reused(tmp_path):
    first = run("peerlearn manage check", tmp_path)
    assert first.returncode == 0, first.stderr
    key = (tmp_path / "var" / "secret_key").read_text()
    again = run("peerlearn manage check", tmp_path)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "var" / "secret_key").read_text() == key


def test_a_real_database_without_a_key_is_refused_without_a_traceback(tmp_path):
    result = run(
        "peerlearn manage check",
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}",
    )
    assert result.returncode == 2
    assert "error: PEERLEARN_SECRET_KEY must be set" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "var" / "secret_key").exists()


def test_make_run_takes_a_port_and_host():
    result = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "run", "PORT=8100", "HOST=0.0.0.0"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "runserver --noreload 0.0.0.0:8100" in result.stdout
    assert shlex.quote("http://0.0.0.0:8100") in result.stdout or "0.0.0.0:8100" in result.stdout
