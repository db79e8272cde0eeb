"""docs/api.md's curl lines and Python blocks run against a live server."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.conftest import token_for

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def curl_lines() -> list[str]:
    return [
        line for block in blocks("sh") for line in block.splitlines() if line.startswith("curl")
    ]


@pytest.fixture
def environment(world, live_server):
    return {
        **os.environ,
        "BASE": f"{live_server.url}/api/v1",
        "TOKEN": token_for(world.users["facilitator"]),
        "SLUG": world.programme.slug,
    }


def test_the_doc_has_examples():
    assert len(curl_lines()) >= 3
    assert len(blocks("python")) >= 3
    assert any("/feeds/" in line for line in curl_lines())
    assert len(blocks("r")) == 1 and "read_csv" in blocks("r")[0]


def test_curl_examples_run(environment):
    for line in curl_lines():
        result = subprocess.run(
            ["bash", "-c", line + " -w '\\n%{http_code}'"],
            env=environment,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 0, (line, result.stderr)
        status = int(result.stdout.strip().splitlines()[-1])
        assert status in (200, 201), (line, result.stdout)


def test_python_examples_run(environment, world):
    outputs = []
    for block in blocks("python"):
        result = subprocess.run(
            [sys.executable, "-c", block],
            env=environment,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 0, (block, result.stderr)
        outputs.append(result.stdout.strip())
    people = world.programme.memberships.values("person").distinct().count()
    assert outputs[0] == f"{people} people"
    assert outputs[1] == "400 unknown_filter"
    roles = world.programme.memberships.count()
    assert outputs[2] == f"{people} people, {roles} roles"


def test_r_example_runs(environment, world):
    """The R block, with Debian's R, readr and httr2 (``make r``, part of ``make test``)."""
    assert shutil.which("Rscript"), "Rscript is missing: run `make r` (make test does)"
    result = subprocess.run(
        ["Rscript", "-e", blocks("r")[0]],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    people = world.programme.memberships.values("person").distinct().count()
    assert f"[1] {people}" in result.stdout
