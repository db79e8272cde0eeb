"""Language codes: parse what people type ("en", "French", "español") into ISO 639-1."""

from __future__ import annotations

from functools import cache

import pycountry


@cache
def _language_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for language in pycountry.languages:
        code = getattr(language, "alpha_2", None)
        if not code:
            continue
        index[code.lower()] = code
        index[language.name.lower()] = code
        alpha_3 = getattr(language, "alpha_3", None)
        if alpha_3:
            index[alpha_3.lower()] = code
    # Names people commonly type in the three interface languages.
    index.update(
        {
            "español": "es",
            "espanol": "es",
            "castellano": "es",
            "français": "fr",
            "francais": "fr",
            "anglais": "en",
            "inglés": "en",
            "ingles": "en",
            "português": "pt",
            "portugues": "pt",
            "arabe": "ar",
            "árabe": "ar",
        }
    )
    return index


def language_code(text: str) -> str | None:
    """Return the ISO 639-1 code for a code or name, or None when unknown.

    >>> language_code("French"), language_code("ES"), language_code("Klingon")
    ('fr', 'es', None)
    """
    return _language_index().get(text.strip().lower())


def language_name(code: str) -> str:
    language = pycountry.languages.get(alpha_2=code)
    return language.name if language else code
