"""Which of an instrument's languages to show, and a text in that language.

Plain Python (no Django), shared by the answer page (the respondent's
language), the instrument preview, results and exports (the reader's).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from peerlearn.surveys.xlsform import NO_LANGUAGE
from peerlearn.surveys.xlsform import Instrument as Form

__all__ = ["choose_language", "text_in"]


def _language_codes(preferred: Iterable[Any]) -> Iterator[str]:
    """Each language as written, then its base (``pt-BR`` -> ``pt``)."""
    for code in preferred:
        if not isinstance(code, str) or not code.strip():
            continue
        code = code.strip().lower()
        yield code
        if "-" in code or "_" in code:
            yield re.split(r"[-_]", code)[0]


def choose_language(
    form: Form,
    preferred: Iterable[Any] = (),
    *,
    requested: str | None = None,
    remembered: str | None = None,
) -> str:
    """The language to show the instrument in.

    In order: the language asked for with ``?lang=`` and the one remembered on
    an invitation (each only if the instrument has it); the first of the
    ``preferred`` languages (a person's languages, or the page's) the
    instrument has; the form's default language; its first language;
    :data:`NO_LANGUAGE` for forms with plain ``label`` columns only.
    """
    offered = form.languages
    for choice in (requested, remembered):
        if choice and choice in offered:
            return choice
    for code in _language_codes(preferred):
        if code in offered:
            return code
    if form.default_language:
        return form.default_language
    return next(iter(offered), NO_LANGUAGE)


def text_in(text: Mapping[str, str], language: str | None, default_language: str | None) -> str:
    """The text in ``language``, else the form's default language, else any text.

    >>> text_in({"en": "Yes", "fr": "Oui"}, "fr", "en"), text_in({"en": "Yes"}, "es", "en")
    ('Oui', 'Yes')
    >>> text_in({"default": "Plain"}, "es", None), text_in({}, "es", None)
    ('Plain', '')
    """
    for key in (language, default_language, NO_LANGUAGE):
        if key and text.get(key):
            return text[key]
    return next((value for value in text.values() if value), "")
