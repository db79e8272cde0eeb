"""The import rules in pyproject.toml hold, and name every app there is."""

from __future__ import annotations

import tomllib
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "peerlearn"


def _contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["importlinter"]["contracts"]


def test_every_import_contract_is_kept(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert lint_imports(no_cache=True, no_logo=True) == 0


def test_the_engine_contract_forbids_every_app_a_new_one_included():
    (engine,) = [c for c in _contracts() if c["source_modules"] == ["peerlearn.engine"]]
    apps = {
        f"peerlearn.{entry.name}"
        for entry in PACKAGE.iterdir()
        if entry.is_dir() and (entry / "__init__.py").exists() and entry.name != "engine"
    }
    assert apps - set(engine["forbidden_modules"]) == set(), "add the new app to pyproject.toml"
    assert "django" in engine["forbidden_modules"]
