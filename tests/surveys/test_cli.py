"""``peerlearn survey check``: exit codes, JSON summary, problems, no tracebacks."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from peerlearn.surveys.cli import main, register
from tests.surveys import full_form, simple_survey, write_form


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["survey", "check", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_valid_form_prints_json_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(full_form(tmp_path / "full.xlsx")))
    assert code == 0
    summary = json.loads(out)
    assert summary["questions"] == 7  # notes and groups do not count; nested ones do
    assert summary["types"] == {
        "date": 1,
        "decimal": 1,
        "integer": 1,
        "select_multiple": 1,
        "select_one": 1,
        "text": 2,
    }
    assert sum(summary["types"].values()) == summary["questions"]
    assert summary["title"] == "Full form" and summary["form_id"] == "full_form"
    assert summary["languages"] == ["en", "es", "fr"]
    assert (summary["notes"], summary["groups"]) == (2, 2)


def test_questions_in_nested_groups_are_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    survey = simple_survey(
        ["begin_group", "outer", "Outer"],
        ["begin group", "inner", "Inner"],
        ["integer", "a", "A"],
        ["note", "n", "N"],
        ["end group", None, None],
        ["text", "b", "B"],
        ["end_group", None, None],
        ["text", "c", "C"],
    )
    code, out, _ = run(capsys, str(write_form(tmp_path / "g.xlsx", survey)))
    assert code == 0
    summary = json.loads(out)
    assert summary["questions"] == 3 and summary["types"] == {"integer": 1, "text": 2}


def test_invalid_form_lists_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    survey = simple_survey(["txt", "a", "A"], ["text", "a", "B"])
    code, out, err = run(capsys, str(write_form(tmp_path / "bad.xlsx", survey)))
    assert code == 1
    assert out.splitlines() == [
        "survey, row 2, column A: unknown type 'txt'",
        "survey, row 3, column B: name 'a' is already used on row 2",
    ]
    assert "2 problems" in err


def test_problems_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_form(tmp_path / "bad.xlsx", simple_survey(["txt", "a", "A"]))
    code, out, _ = run(capsys, "--format", "json", str(path))
    assert code == 1
    assert json.loads(out) == {
        "valid": False,
        "problems": [{"sheet": "survey", "row": 2, "column": "A", "message": "unknown type 'txt'"}],
    }


def garbage(tmp_path: Path) -> dict[str, Path]:
    files = {
        "random.xlsx": os.urandom(4096),
        "doc.pdf": b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n",
        "empty.xlsx": b"",
        "archive.zip": b"PK\x05\x06" + b"\0" * 18,
        "text.xlsx": b"type,name\ntext,a\n",
        "truncated.xlsx": full_form(tmp_path / "ok.xlsx").read_bytes()[:999],
    }
    paths = {}
    for name, data in files.items():
        paths[name] = tmp_path / name
        paths[name].write_bytes(data)
    paths["directory"] = tmp_path
    paths["missing"] = tmp_path / "nope.xlsx"
    return paths


def test_garbage_never_crashes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, path in garbage(tmp_path).items():
        code, out, err = run(capsys, str(path))
        assert code == 1, name
        assert out.startswith("file: "), (name, out)
        assert "Traceback" not in out + err, name


def test_subprocess_no_traceback_and_exit_codes(tmp_path: Path) -> None:
    """Run as a real process, the way a facilitator would (one process: keeps it quick)."""
    random_file = tmp_path / "random.xlsx"
    random_file.write_bytes(os.urandom(2048))
    script = (
        "import sys\n"
        "from peerlearn.surveys.cli import main\n"
        "codes = [main(['survey', 'check', p]) for p in sys.argv[1:]]\n"
        "print('CODES', codes)\n"
    )
    good = full_form(tmp_path / "ok.xlsx")
    proc = subprocess.run(
        [sys.executable, "-c", script, str(random_file), str(good)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "CODES [1, 0]" in proc.stdout
    assert "file: this is not an .xlsx workbook" in proc.stdout


def test_python_dash_m_entry_point(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    proc = subprocess.run(
        [sys.executable, "-m", "peerlearn.surveys.cli", "survey", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stdout.strip() == "file: the file is empty"
    assert "Traceback" not in proc.stderr


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["survey", "check"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["survey"])
    assert info.value.code == 2


def test_register_adds_survey_to_another_parser(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser(prog="peerlearn")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("other")
    register(sub)
    args = parser.parse_args(["survey", "check", str(full_form(tmp_path / "f.xlsx"))])
    assert args.func(args) == 0
