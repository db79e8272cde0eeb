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
    (engine,) = [c for c in _contracts() if c.get("source_modules") == ["peerlearn.engine"]]
    apps = {
        f"peerlearn.{entry.name}"
        for entry in PACKAGE.iterdir()
        if entry.is_dir() and (entry / "__init__.py").exists() and entry.name != "engine"
    }
    assert apps - set(engine["forbidden_modules"]) == set(), "add the new app to pyproject.toml"
    assert "django" in engine["forbidden_modules"]


def _drawn_layers() -> list[str]:
    """The layers drawn in docs/architecture.md: the first code block under "## Layers"."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    section = text.split("\n## Layers\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```\n", 2)[1]
    # Each line: the layer (apps joined by " | "), then two or more spaces and its gloss.
    return [line.split("   ")[0].strip() for line in block.splitlines() if line.strip()]


def test_the_layers_drawn_in_the_architecture_doc_are_the_contract():
    (layers,) = [c for c in _contracts() if c["type"] == "layers"]
    assert layers["containers"] == ["peerlearn"] and layers["exhaustive"] is True
    assert _drawn_layers() == layers["layers"]


def test_every_app_sits_in_a_layer():
    (layers,) = [c for c in _contracts() if c["type"] == "layers"]
    placed = {app.strip() for layer in layers["layers"] for app in layer.split("|")}
    packages = {
        entry.name
        for entry in PACKAGE.iterdir()
        if entry.is_dir() and (entry / "__init__.py").exists()
    }
    assert packages - placed == set(), "place the new app in a layer of pyproject.toml"
