"""Every `peerlearn` command in a ```sh block of docs/*.md runs as written.

Same setup and environment as the README's commands (tests/site/shell.py): a
checkout after `make run`'s demo, none of our variables set.  A command that
cannot run here (it asks for input, or runs until stopped) says
``not run in tests: <reason>`` in its comment; the reason must be given.
"""

from __future__ import annotations

from tests.site.shell import NOT_RUN, ROOT, comment, demo_checkout, run, sh_lines, without_comment

DOCS = sorted((ROOT / "docs").glob("*.md"))


def documented_lines() -> list[tuple[str, str]]:
    return [(path.name, line) for path in DOCS for line in sh_lines(path)]


def test_docs_show_commands_and_every_skip_has_a_reason():
    lines = documented_lines()
    assert {name for name, _line in lines} >= {"intake.md", "operations.md", "surveys.md"}
    skipped = [line for _name, line in lines if NOT_RUN in comment(line)]
    assert skipped, "the skip marker is documented by use"
    for line in skipped:
        reason = comment(line).split(NOT_RUN, 1)[1].strip()
        assert len(reason) >= 8, f"a skip needs its reason: {line}"


def test_every_doc_command_runs_after_make_run_setup(tmp_path):
    demo_checkout(tmp_path)
    ran = 0
    for name, line in documented_lines():
        if NOT_RUN in comment(line):
            continue
        command = without_comment(line)
        result = run(command, tmp_path)
        assert result.returncode == 0, f"{name}: {command}\n{result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stderr, f"{name}: {command}\n{result.stderr}"
        ran += 1
    assert ran >= 5
