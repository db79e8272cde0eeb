"""docs/architecture.md names only files, folders, modules and models that exist.

And its tree lists every folder of src/peerlearn/, so a new app cannot land
without the page showing it.  Rules (see the page's first paragraph):

* in the tree, a name ending in ``/``, ``.py``, ``.json`` or ``.md`` is read
  relative to its line's folder, else to the folders above it;
* in the text, a backticked path is read from the checkout, ``src/peerlearn/``
  or ``docs/``; a backticked bare file name must exist somewhere in
  ``src/peerlearn/``; ``app.Model`` must be a model and ``peerlearn.x`` a module;
* every Markdown link to a page must reach a file in ``docs/``.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
SRC = ROOT / "src" / "peerlearn"

_ENTRY = re.compile(r"^( *)(\S+/|\S+\.py)(?:\s{2,}(.*))?$")
_PATH = re.compile(r"(?<![\w/.-])([\w*.-]+(?:/[\w*.-]+)*(?:/|\.py|\.json|\.md))(?![\w/])")


def tree() -> list[tuple[Path, str]]:
    """(folder or file the line names, its description) for each entry of the tree."""
    block = re.search(r"```\n(src/peerlearn/.*?)```", DOC.read_text(), re.DOTALL)
    assert block, "the tree of src/peerlearn/ is the page's first code block"
    entries: list[tuple[Path, str]] = []
    top = ROOT
    for line in block.group(1).splitlines():
        found = _ENTRY.match(line)
        if found and len(found.group(1)) <= 2:
            indent, name, description = found.groups()
            path = (ROOT if not indent else top) / name
            top = path if not indent else top
            entries.append((path, description or ""))
        else:
            path, description = entries[-1]
            entries[-1] = (path, f"{description} {line.strip()}")
    return entries


def resolve(name: str, folders: list[Path]) -> bool:
    return any(list(folder.glob(name.rstrip("/"))) for folder in folders)


def test_every_tree_entry_and_the_names_in_its_description_exist():
    entries = tree()
    assert len(entries) >= 10
    for path, description in entries:
        assert path.exists(), f"{path.relative_to(ROOT)} is in the tree but not in the checkout"
        folder = path if path.is_dir() else path.parent
        above = [folder, *[p for p in folder.parents if ROOT in (p, *p.parents)]]
        for name in _PATH.findall(description):
            assert resolve(name, above), f"{name} (under {path.relative_to(ROOT)}) does not exist"


def test_the_tree_lists_every_folder_of_src_peerlearn():
    listed = {path.name for path, _d in tree() if path.parent == SRC}
    folders = {p.name for p in SRC.iterdir() if p.is_dir() and p.name not in {"__pycache__", "var"}}
    assert folders <= listed, f"missing from docs/architecture.md: {sorted(folders - listed)}"


def backticked() -> list[str]:
    text = re.sub(r"```.*?```", "", DOC.read_text(), flags=re.DOTALL)
    return re.findall(r"`([^`\s]+)`", text)


def test_every_backticked_path_model_and_module_exists():
    names = backticked()
    assert "roster/service.py" in names  # the reader finds the page's names
    for name in names:
        if _PATH.fullmatch(name):
            where = [ROOT, SRC, ROOT / "docs"]
            found = resolve(name, where) or ("/" not in name and any(SRC.rglob(name)))
            assert found, f"docs/architecture.md names {name}, which does not exist"
        elif name.startswith("peerlearn."):
            importlib.import_module(name)
        elif re.fullmatch(r"[a-z]+\.[A-Z]\w+", name):
            apps.get_model(name)  # LookupError names a model that is gone


def test_every_linked_page_exists():
    links = re.findall(r"\]\(([^)#]+\.md)\)", DOC.read_text())
    assert links
    for link in links:
        assert (ROOT / "docs" / link).exists(), link
