"""The committed constraints file pins every dependency pyproject.toml names.

`make install` installs with ``-c requirements/constraints.txt``; a dependency
added to pyproject.toml without `make lock` would install whatever version is
newest on the day, which is what the lock exists to prevent.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pinned() -> dict[str, set[str]]:
    pins: dict[str, set[str]] = {}
    for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line)
        if match:
            pins.setdefault(_canonical(match[1]), set()).add(match[2])
    return pins


def _declared() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements.extend(extra)
    return requirements


def test_every_declared_dependency_is_pinned():
    pins = _pinned()
    missing = []
    for requirement in _declared():
        name = _canonical(NAME.match(requirement)[0])
        if name not in pins:
            missing.append(name)
    assert not missing, f"run `make lock`: not pinned {missing}"


def test_torch_stays_at_the_build_on_disk():
    assert _pinned()["torch"] == {"2.13.0"}


def test_makefile_installs_with_the_constraints():
    makefile = (ROOT / "Makefile").read_text()
    installs = [line for line in makefile.splitlines() if "pip install" in line and "-e" in line]
    assert installs
    assert all("-c $(CONSTRAINTS)" in line for line in installs)
