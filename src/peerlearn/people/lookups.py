"""Turn what people type in a roster cell into codes.

Every table here is built once (on first use) and kept, and the look-up
functions remember their recent answers, so validating a 10,000-row roster
costs about one dictionary look-up per cell.

Countries
    ISO 3166 alpha-2 or alpha-3 codes, the English short, official or common
    name (pycountry, offline), case- and accent-insensitive ("Cote d'Ivoire",
    "turkiye"), the inverted ISO forms ("Korea, Republic of" also reads as
    "Republic of Korea", "Bolivia, Plurinational State of" as "Bolivia" when
    that is unambiguous), and a few everyday variants (UK, USA, Russia, Ivory
    Coast, DRC, Kosovo -> XK, ...).  Normalised to alpha-2.

Languages
    ISO 639-1 codes, the matching ISO 639-2 three-letter codes, and English
    names (with "(macrolanguage)"-style qualifiers dropped) plus everyday
    variants (Farsi, Greek, Punjabi, Pashto, Kyrgyz...) and the names in the
    interface languages (español, français...).  Normalised to the ISO 639-1
    code.  Languages without a two-letter code are refused with a message
    saying so.

Choices
    Seniority, organisation kind and programme role accept the code, the
    English label and a few variants, case-insensitively, treating spaces,
    hyphens and underscores alike ("Think tank", "civil-society").

Yes/no
    true/false, yes/no, y/n, 1/0, sí/si/no, oui/non, vrai/faux,
    verdadero/falso, case-insensitive; blank is no.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import pycountry

_SPACES = re.compile(r"[\s_\-]+")
_QUALIFIER = re.compile(r"\s*\([^)]*\)")


def fold(text: str) -> str:
    """A comparison key: lower case, no accents, one space between words.

    >>> fold("  Côte d’Ivoire ")
    "cote d'ivoire"
    """
    text = text.replace("’", "'").replace("‘", "'")
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip()


def _without_the(key: str) -> str:
    return key[4:] if key.startswith("the ") else key


# ---------------------------------------------------------------- countries

_COUNTRY_VARIANTS = {
    "uk": "GB",
    "u.k.": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "us": "US",
    "u.s.": "US",
    "usa": "US",
    "u.s.a.": "US",
    "united states of america": "US",
    "america": "US",
    "russia": "RU",
    "turkey": "TR",
    "ivory coast": "CI",
    "drc": "CD",
    "dr congo": "CD",
    "d.r. congo": "CD",
    "democratic republic of congo": "CD",
    "congo kinshasa": "CD",
    "congo brazzaville": "CG",
    "republic of congo": "CG",
    "czech republic": "CZ",
    "macedonia": "MK",
    "swaziland": "SZ",
    "cape verde": "CV",
    "burma": "MM",
    "east timor": "TL",
    "palestine": "PS",
    "vatican": "VA",
    "vatican city": "VA",
    "holy see": "VA",
    "brunei": "BN",
    "the gambia": "GM",
    "south korea": "KR",
    "north korea": "KP",
    "micronesia": "FM",
    "st kitts and nevis": "KN",
    "st lucia": "LC",
    "st vincent and the grenadines": "VC",
    "sao tome and principe": "ST",
    # Kosovo has no ISO 3166 code yet; XK is the user-assigned code used by
    # the EU, the IMF and the World Bank.
    "kosovo": "XK",
    "xk": "XK",
    "xkx": "XK",
}


@cache
def country_index() -> dict[str, str]:
    """Folded code or name -> alpha-2 code."""
    index: dict[str, str] = {}
    prefixes: dict[str, str | None] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        names = [getattr(country, attr, None) for attr in ("name", "official_name", "common_name")]
        for text in (code, country.alpha_3, *names):
            if text:
                index[_without_the(fold(text))] = code
        for name in filter(None, names):
            if ", " in name:  # "Korea, Republic of" -> "Republic of Korea", "Korea"
                head, tail = name.split(", ", 1)
                index.setdefault(_without_the(fold(f"{tail} {head}")), code)
                key = fold(head)
                prefixes[key] = code if prefixes.get(key, code) == code else None
            if "(" in name:  # "Holy See (Vatican City State)" -> "Holy See"
                index.setdefault(_without_the(fold(_QUALIFIER.sub("", name))), code)
    for key, unique in prefixes.items():
        if unique is not None:
            index.setdefault(key, unique)
    for text, code in _COUNTRY_VARIANTS.items():
        index[_without_the(fold(text))] = code
    return index


@lru_cache(maxsize=8192)
def country_code(text: str) -> str | None:
    """The alpha-2 code for a code or English name, or None when unknown.

    >>> country_code("kenya"), country_code("BOL"), country_code("Korea, Republic of")
    ('KE', 'BO', 'KR')
    >>> country_code("Cote d'Ivoire"), country_code("Atlantis")
    ('CI', None)
    """
    return country_index().get(_without_the(fold(text)))


# ---------------------------------------------------------------- languages

_LANGUAGE_VARIANTS = {
    "greek": "el",
    "farsi": "fa",
    "dari": "fa",
    "punjabi": "pa",
    "pashto": "ps",
    "kyrgyz": "ky",
    "haitian creole": "ht",
    "creole": "ht",
    "castilian": "es",
    "flemish": "nl",
    "mandarin": "zh",
    "mandarin chinese": "zh",
    "filipino": "tl",
    "dhivehi": "dv",
    "maldivian": "dv",
    "moldovan": "ro",
    "frisian": "fy",
    "sinhalese": "si",
    "uyghur": "ug",
    "azeri": "az",
    "kiswahili": "sw",
    "bangla": "bn",
    "slovene": "sl",
    "laotian": "lo",
    "gaelic": "gd",
    "khmer": "km",
    "bokmal": "nb",
    "nynorsk": "nn",
    # Names in the interface languages (the people form accepts these too).
    "espanol": "es",
    "espagnol": "es",
    "castellano": "es",
    "ingles": "en",
    "anglais": "en",
    "francais": "fr",
    "frances": "fr",
    "portugues": "pt",
    "arabe": "ar",
    "aleman": "de",
    "allemand": "de",
    "ruso": "ru",
    "russe": "ru",
}


@cache
def _language_tables() -> tuple[dict[str, str], dict[str, str]]:
    """(folded code or name -> ISO 639-1 code, folded name -> name of languages
    that have no ISO 639-1 code)."""
    index: dict[str, str] = {}
    others: dict[str, str] = {}
    for language in pycountry.languages:
        code = getattr(language, "alpha_2", None)
        names = [getattr(language, attr, None) for attr in ("name", "common_name")]
        if code is None:
            for name in filter(None, names):
                others.setdefault(fold(name), name)
                others.setdefault(fold(_QUALIFIER.sub("", name)), name)
            others.setdefault(fold(language.alpha_3), language.name)
            continue
        for text in (code, language.alpha_3, getattr(language, "bibliographic", None)):
            if text:
                index[fold(text)] = code
        for name in filter(None, names):
            index[fold(name)] = code
            index.setdefault(fold(_QUALIFIER.sub("", name)), code)
            for part in name.split(";"):
                index.setdefault(fold(part), code)
    for text, code in _LANGUAGE_VARIANTS.items():
        index[fold(text)] = code
    return index, others


@lru_cache(maxsize=8192)
def language_code(text: str) -> str | None:
    """The ISO 639-1 code for a code or English name, or None when unknown.

    >>> language_code("French"), language_code("ES"), language_code("Swahili")
    ('fr', 'es', 'sw')
    >>> language_code("Klingon") is None
    True
    """
    return _language_tables()[0].get(fold(text))


@lru_cache(maxsize=8192)
def language_without_two_letter_code(text: str) -> str | None:
    """The ISO name when ``text`` is a language that has no ISO 639-1 code.

    >>> language_without_two_letter_code("Tetum")
    'Tetum'
    """
    return _language_tables()[1].get(fold(text))


# ---------------------------------------------------------------- choices

#: Extra spellings accepted for each code, in English (folded).  The code
#: itself and its English label are always accepted.
_CHOICE_VARIANTS: dict[str, dict[str, tuple[str, ...]]] = {
    "seniority": {
        "political": (
            "political (minister, deputy minister)",
            "minister",
            "deputy minister",
            "vice minister",
            "secretary of state",
            "politician",
        ),
        "senior": (
            "senior (head of agency, director-general)",
            "senior management",
            "senior official",
            "head of agency",
            "director general",
            "permanent secretary",
            "executive",
        ),
        "middle": (
            "middle management (director, head of unit)",
            "middle management",
            "middle manager",
            "mid",
            "mid level",
            "director",
            "head of unit",
            "manager",
        ),
        "technical": (
            "technical (adviser, analyst, specialist)",
            "adviser",
            "advisor",
            "analyst",
            "specialist",
            "expert",
            "officer",
            "technical staff",
        ),
    },
    "organisation_kind": {
        "ministry": ("ministry", "government ministry", "department"),
        "municipality": (
            "municipality or city government",
            "city",
            "city government",
            "local government",
            "municipal government",
        ),
        "agency": ("agency", "government agency", "public agency"),
        "think_tank": ("think tank", "thinktank", "research institute"),
        "civil_society": (
            "civil-society organisation",
            "civil society organisation",
            "civil society organization",
            "civil society",
            "cso",
            "ngo",
        ),
        "international": (
            "international organisation",
            "international organization",
            "international",
        ),
        "other": ("other",),
    },
    "programme_role": {
        "participant": ("participant", "peer"),
        "facilitator": ("facilitator",),
        "evaluator": ("evaluator",),
        "observer": ("observer",),
    },
}

CHOICE_CODES: dict[str, tuple[str, ...]] = {
    column: tuple(variants) for column, variants in _CHOICE_VARIANTS.items()
}


@cache
def _choice_index(column: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for code, variants in _CHOICE_VARIANTS[column].items():
        index[fold(code)] = code
        for variant in variants:
            index[fold(variant)] = code
    return index


@lru_cache(maxsize=8192)
def choice_code(column: str, text: str) -> str | None:
    """The code ``text`` means in ``column``'s vocabulary, or None.

    >>> choice_code("organisation_kind", "Think tank"), choice_code("seniority", "HEAD OF UNIT")
    ('think_tank', 'middle')
    """
    return _choice_index(column).get(fold(text))


# ---------------------------------------------------------------- yes/no

_BOOLEANS = {
    **dict.fromkeys(("true", "yes", "y", "1", "si", "oui", "vrai", "verdadero", "t"), True),
    **dict.fromkeys(("false", "no", "n", "0", "non", "faux", "falso", "f"), False),
}


@lru_cache(maxsize=8192)
def parse_bool(text: str) -> bool | None:
    """True, False, or None when ``text`` is not a yes/no value; blank is False.

    >>> parse_bool("Sí"), parse_bool("non"), parse_bool(""), parse_bool("maybe")
    (True, False, False, None)
    """
    if not text:
        return False
    return _BOOLEANS.get(fold(text))
