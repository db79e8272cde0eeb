"""Country codes: parse what people type ("KE", "KEN", "Kenya") into ISO 3166 alpha-2."""

from __future__ import annotations

from functools import cache

import pycountry


@cache
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        for name in (
            code,
            country.alpha_3,
            country.name,
            getattr(country, "common_name", None),
            getattr(country, "official_name", None),
        ):
            if name:
                index[name.lower()] = code
    return index


def country_code(text: str) -> str | None:
    """Return the alpha-2 code for a code or English name, or None when unknown.

    >>> country_code("kenya"), country_code("BOL"), country_code("Atlantis")
    ('KE', 'BO', None)
    """
    return _country_index().get(text.strip().lower())


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if code else None
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name
