"""Every privacy promise the pages make names the test that keeps it.

A promise is a sentence in a template, a form or model ``help_text`` or a
gettext string of the Python sources that tells people who sees what
("Only the facilitators read this.", "Fewer than k answers: not shown").
Each one carries a marker next to it:

* in a template, a comment on the same line or on the lines just above:
  ``{# promise: tests/site/test_x.py::test_name #}``;
* in Python, a comment on the same line or on the comment lines just above
  the string (or above the ``help_text=`` keyword):
  ``# promise: tests/site/test_x.py::test_name``.

This module fails when a marker names a test that does not exist, and when a
sentence that reads like a promise (``PROMISE_PATTERNS``) carries no marker:
a new promise without a test fails the suite.  Sentences the patterns catch
that promise nothing about privacy are listed, with the reason, in
``NOT_PROMISES``.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "src" / "peerlearn"

MARKER = re.compile(r"promise:\s*(?P<path>tests/[\w/]+\.py)::(?P<name>[\w:]+)")

#: Words that make a sentence a promise about who sees what, anywhere.
STRONG = [
    r"\bprivate\b",
    r"\bconfidential",
    r"\banonymous\b",
    r"\bpseudonym",
    r"\bsuppress",
    r"\bfewer than\b",
    r"\bhidden\b",
    r"\bnever\b",
    r"(?<!-)\bprotect",
    r"\bidentified\b",
    r"identifies (a|the) respondent",
    r"\bnothing links\b",
    r"\bcan (read|see)\b",
    r"\bread (by|this)\b",
    r"\breadable\b",
    r"\bvisible\b",
]
#: Words that make a sentence a promise in templates and help texts (too common
#: in error messages to be read as promises everywhere).
WEAK = [
    r"\bonly\b",
    r"\bnot shown\b",
    r"\bshown to\b",
    r"\bshared with\b",
]
PROMISE_PATTERNS = [re.compile(p, re.IGNORECASE) for p in STRONG + WEAK]
STRONG_PATTERNS = [re.compile(p, re.IGNORECASE) for p in STRONG]

#: Sentences the patterns catch that promise nothing about who sees what.
NOT_PROMISES = {
    "Only people added by hand": "a choice of survey audience",
    "Some questions appear only after certain answers: press “Save and continue later” "
    "to see them.": "how the form behaves",
    "“{{ a_title }}” uses the instrument “{{ a_instrument }}” and “{{ b_title }}” uses "
    "“{{ b_instrument }}”. Only surveys of the same instrument can be compared, question "
    "by question.": "what can be compared",
    "pseudonym": "the name of a field",
    "Staff opened a group's private material": "the name of an audit log action",
    "Made a private calendar address": "the name of an audit log action",
    "Switched off a private calendar address": "the name of an audit log action",
    "There are no surveys here whose results you can read.": "an empty list's message "
    "(who reads which results: tests/surveys/test_permissions_results.py)",
}

TEMPLATE_STRING = re.compile(
    r"\{%\s*(?:translate|trans)\s+(?P<q>[\"'])(?P<simple>.*?)(?P=q).*?%\}"
    r"|\{%\s*blocktrans(?:late)?\b[^%]*%\}(?P<block>.*?)\{%\s*endblocktrans(?:late)?\s*%\}",
    re.DOTALL,
)
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext"}


@dataclass(frozen=True)
class Sentence:
    path: Path
    line: int
    text: str
    help_text: bool = False

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.text!r}"


@dataclass(frozen=True)
class Marker:
    path: Path
    line: int
    test_path: str
    test_name: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.test_path}::{self.test_name}"


# ------------------------------------------------------------------ reading the sources


def template_files() -> list[Path]:
    return sorted(p for p in SOURCES.rglob("templates/**/*") if p.is_file())


def python_files() -> list[Path]:
    return sorted(p for p in SOURCES.rglob("*.py") if "migrations" not in p.parts)


def template_sentences(path: Path) -> Iterator[Sentence]:
    text = path.read_text(encoding="utf-8")
    for match in TEMPLATE_STRING.finditer(text):
        sentence = match.group("simple") if match.group("simple") is not None else ""
        sentence = sentence or match.group("block") or ""
        yield Sentence(path, text.count("\n", 0, match.start()) + 1, sentence)


def _gettext_string(node: ast.AST) -> ast.Constant | None:
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in GETTEXT
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0]
    return None


def _help_text_strings(tree: ast.AST) -> set[int]:
    """Ids of the string nodes given as ``help_text=`` or in a ``help_texts`` dict."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "help_text":
            string = _gettext_string(node.value)
            if string is not None:
                found.add(id(string))
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Dict)
            and any(isinstance(t, ast.Name) and t.id == "help_texts" for t in node.targets)
        ):
            for value in node.value.values:
                string = _gettext_string(value) if value is not None else None
                if string is not None:
                    found.add(id(string))
    return found


def python_sentences(path: Path) -> Iterator[tuple[Sentence, int]]:
    """Every gettext string, with the line of its call (a marker may sit above either)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    help_texts = _help_text_strings(tree)
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    for node in ast.walk(tree):
        string = _gettext_string(node)
        if string is None:
            continue
        parent = parents.get(id(node))
        outer = parent.lineno if isinstance(parent, ast.keyword) else node.lineno
        yield Sentence(path, string.lineno, str(string.value), id(string) in help_texts), outer


def python_comments(path: Path) -> tuple[dict[int, str], set[int]]:
    """Comments by line, and the lines that hold nothing but a comment."""
    comments: dict[int, str] = {}
    code_lines: set[int] = set()
    source = path.read_text(encoding="utf-8")
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string
        elif token.type not in (
            tokenize.NL,
            tokenize.NEWLINE,
            tokenize.INDENT,
            tokenize.DEDENT,
            tokenize.ENDMARKER,
        ):
            for line in range(token.start[0], token.end[0] + 1):
                code_lines.add(line)
    comment_only = {line for line in comments if line not in code_lines}
    return comments, comment_only


def markers_in(path: Path) -> Iterator[Marker]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for match in MARKER.finditer(line):
            yield Marker(path, number, match["path"], match["name"])


def all_markers() -> list[Marker]:
    return [m for p in template_files() + python_files() for m in markers_in(p)]


def is_promise(sentence: Sentence, *, everywhere: bool) -> bool:
    if sentence.text.strip() in NOT_PROMISES:
        return False
    patterns = PROMISE_PATTERNS if everywhere else STRONG_PATTERNS
    return any(p.search(sentence.text) for p in patterns)


def _template_marked(lines: list[str], line: int) -> bool:
    """A marker on the sentence's line or on the comment-only lines just above it."""
    if MARKER.search(lines[line - 1]):
        return True
    above = line - 1
    while above >= 1 and re.fullmatch(r"\s*\{#.*#\}\s*", lines[above - 1]):
        if MARKER.search(lines[above - 1]):
            return True
        above -= 1
    return False


def _python_marked(comments: dict[int, str], comment_only: set[int], lines: set[int]) -> bool:
    for line in lines:
        if MARKER.search(comments.get(line, "")):
            return True
        above = line - 1
        while above in comment_only:
            if MARKER.search(comments[above]):
                return True
            above -= 1
    return False


def unmarked_promises() -> list[Sentence]:
    missing: list[Sentence] = []
    for path in template_files():
        lines = path.read_text(encoding="utf-8").splitlines()
        for sentence in template_sentences(path):
            if is_promise(sentence, everywhere=True) and not _template_marked(lines, sentence.line):
                missing.append(sentence)
    for path in python_files():
        comments, comment_only = python_comments(path)
        for sentence, outer in python_sentences(path):
            if is_promise(sentence, everywhere=sentence.help_text) and not _python_marked(
                comments, comment_only, {sentence.line, outer}
            ):
                missing.append(sentence)
    return missing


def named_test_exists(test_path: str, name: str) -> bool:
    file = ROOT / test_path
    if not file.is_file():
        return False
    tree = ast.parse(file.read_text(encoding="utf-8"))
    scope: list[ast.stmt] = tree.body
    *classes, function = name.split("::")
    for class_name in classes:
        found = [n for n in scope if isinstance(n, ast.ClassDef) and n.name == class_name]
        if not found:
            return False
        scope = found[0].body
    return any(
        isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == function for n in scope
    )


# ------------------------------------------------------------------ the tests


def test_there_are_promises_to_keep():
    """The scan reads the sources at all (a broken path would pass everything)."""
    markers = all_markers()
    assert len(markers) >= 30
    assert any(m.path.name == "answer_form.html" for m in markers)
    assert any(m.path.suffix == ".py" for m in markers)


def test_every_promise_names_a_test_that_exists():
    wrong = [m for m in all_markers() if not named_test_exists(m.test_path, m.test_name)]
    assert not wrong, "These promises name no existing test:\n" + "\n".join(map(str, wrong))


def test_every_promise_has_a_marker():
    missing = unmarked_promises()
    assert not missing, (
        "These sentences promise something about privacy but name no test; add "
        "{# promise: tests/...::test_name #} (templates) or # promise: tests/...::test_name "
        "(Python) next to each:\n" + "\n".join(str(s) for s in missing)
    )


def test_the_scan_catches_an_unmarked_promise(tmp_path):
    """The checker itself: an unmarked promise is found, a marked one is not."""
    template = tmp_path / "templates" / "x.html"
    template.parent.mkdir()
    template.write_text(
        '{% translate "Only facilitators read this." %}\n'
        "{# promise: tests/site/test_privacy_promises.py::test_there_are_promises_to_keep #}\n"
        '<p>{% translate "Answers are private." %}</p>\n'
        '{% translate "Save" %}\n',
        encoding="utf-8",
    )
    lines = template.read_text(encoding="utf-8").splitlines()
    found = [
        (s.line, _template_marked(lines, s.line))
        for s in template_sentences(template)
        if is_promise(s, everywhere=True)
    ]
    assert found == [(1, False), (3, True)]


def test_the_check_of_test_names_finds_methods_and_refuses_unknown_names():
    here = "tests/site/test_privacy_promises.py"
    assert named_test_exists(here, "test_every_promise_has_a_marker")
    assert not named_test_exists(here, "test_that_does_not_exist")
    assert not named_test_exists("tests/site/nope.py", "test_every_promise_has_a_marker")
    assert named_test_exists(
        "tests/site/test_privacy_promises.py", "TestPromiseScanner::test_a_method_is_found"
    )


class TestPromiseScanner:
    def test_a_method_is_found(self):
        """Referred to by name above: markers may name methods of test classes."""
        assert named_test_exists(
            "tests/site/test_privacy_promises.py", "TestPromiseScanner::test_a_method_is_found"
        )
