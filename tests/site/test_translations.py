"""The Spanish and French catalogues: complete, compiled, and safe to format.

A tiny .po reader keeps this free of new dependencies. It understands what
``makemessages`` writes: comments and flags, ``msgctxt``, ``msgid``,
``msgid_plural``, ``msgstr`` / ``msgstr[n]`` and continuation lines; obsolete
(``#~``) entries are skipped.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LANGUAGES = {
    "es": "nplurals=2; plural=(n != 1);",
    "fr": "nplurals=2; plural=(n > 1);",
}

# %(name)s, %(count)d, %(mb).1f ...; the whole spec must survive translation.
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def read_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal entry, target
        if entry is not None:
            entries.append(entry)
        entry, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = Entry(line=number)
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line)
        if match:
            keyword, index, text = match.groups()
            if keyword == "msgid" and (entry.msgid or entry.msgstr):
                finish()  # an entry that follows without a blank line
                entry = Entry(line=number)
            target = (keyword, int(index or 0))
            value = ast.literal_eval(text)
            if keyword == "msgstr":
                entry.msgstr[target[1]] = value
            else:
                setattr(entry, keyword, value)
        elif line.startswith('"') and entry is not None and target is not None:
            value = ast.literal_eval(line)
            keyword, index = target
            if keyword == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, keyword, (getattr(entry, keyword) or "") + value)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    finish()
    return entries


def catalogue(language: str) -> Path:
    return Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES"


def header(entries: list[Entry]) -> dict[str, str]:
    first = entries[0]
    assert first.msgid == "", "the header comes first"
    pairs = (line.partition(":") for line in first.msgstr[0].splitlines() if line)
    return {key.strip(): value.strip() for key, _, value in pairs}


def messages(language: str) -> list[Entry]:
    return [e for e in read_po(catalogue(language) / "django.po") if e.msgid]


def placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text))


def where(entry: Entry) -> str:
    return f"line {entry.line}: {entry.msgid!r}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_header(language):
    fields = header(read_po(catalogue(language) / "django.po"))
    assert fields["Language"] == language
    assert fields["Plural-Forms"] == LANGUAGES[language]
    assert "charset=UTF-8" in fields["Content-Type"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language):
    entries = messages(language)
    assert len(entries) > 100, "makemessages found the templates and Python strings"
    fuzzy = [where(e) for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, f"{language}: fuzzy entries are not compiled: {fuzzy}"
    for entry in entries:
        forms = 2 if entry.msgid_plural is not None else 1
        assert sorted(entry.msgstr) == list(range(forms)), where(entry)
        empty = [i for i, text in entry.msgstr.items() if not text.strip()]
        assert not empty, f"{language}: untranslated {where(entry)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_their_placeholders(language):
    for entry in messages(language):
        english = [entry.msgid, entry.msgid_plural or entry.msgid]
        for index, text in entry.msgstr.items():
            source = english[min(index, 1)]
            assert placeholders(text) == placeholders(source), f"{language}: {where(entry)}"
            if "python-format" in entry.flags:
                rest = PLACEHOLDER.sub("", text).replace("%%", "")
                assert "%" not in rest, f"{language}: stray % would break formatting: {text!r}"
                if not placeholders(source):
                    continue
                values = dict.fromkeys(PLACEHOLDER.findall(source), 1)
                text % values  # noqa: B018 - formats without KeyError/ValueError


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(language):
    compiled = catalogue(language) / "django.mo"
    assert compiled.is_file(), f"run compilemessages: {compiled} is missing"
    with compiled.open("rb") as handle:
        mo = gettext.GNUTranslations(handle)
    for entry in messages(language):
        if entry.msgctxt is not None:
            continue  # none yet; pgettext lookups would go here
        if entry.msgid_plural is None:
            assert mo.gettext(entry.msgid) == entry.msgstr[0], f"stale .mo: {where(entry)}"
        else:
            singular = mo.ngettext(entry.msgid, entry.msgid_plural, 1)
            plural = mo.ngettext(entry.msgid, entry.msgid_plural, 2)
            assert (singular, plural) == (entry.msgstr[0], entry.msgstr[1]), where(entry)


KEY_STRINGS = ["Sign in", "Programmes", "Import a roster", "My challenges", "Sign out", "Save"]
SPELLED_ALIKE = {"fr": {"Programmes"}}  # the right French word is the English one


@pytest.mark.parametrize("language", LANGUAGES)
def test_key_ui_strings_are_translated_at_run_time(language):
    catalogue_entries = {e.msgid: e.msgstr[0] for e in messages(language)}
    with translation.override(language):
        for text in KEY_STRINGS:
            translated = translation.gettext(text)
            assert translated == catalogue_entries[text], f"{language}: {text!r}"
            if text not in SPELLED_ALIKE.get(language, ()):
                assert translated != text, f"{language}: {text!r} is still English"
        people = translation.ngettext("%(counter)s person", "%(counter)s people", 3)
        assert people % {"counter": 3} != "3 people"


def test_greetings_in_each_language():
    expected = {"es": "Hola Ana,", "fr": "Bonjour Ana,", "en": "Hello Ana,"}
    for language, greeting in expected.items():
        with translation.override(language):
            assert translation.gettext("Hello %(name)s,") % {"name": "Ana"} == greeting
