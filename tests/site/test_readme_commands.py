"""Every `peerlearn` command the README shows runs as written after `make run`'s setup.

The commands run in a fresh process each, with none of our environment
variables set (no PEERLEARN_DEBUG, no secret key, no DATABASE_URL): exactly
what someone who typed them in a second terminal would have.
"""

from __future__ import annotations

import shlex
import stat
import subprocess

from tests.site.shell import ROOT, demo_checkout, run, sh_lines, without_comment


def readme_commands() -> list[str]:
    return [without_comment(line) for line in sh_lines(ROOT / "README.md")]


def test_readme_shows_the_command_line():
    commands = readme_commands()
    assert len(commands) >= 5, commands
    assert any(c.startswith("peerlearn export") for c in commands)
    assert any(c.startswith("peerlearn survey import") for c in commands)


def test_every_readme_command_runs_after_make_run_setup(tmp_path):
    demo_checkout(tmp_path)
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
