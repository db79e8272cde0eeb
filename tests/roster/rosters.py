"""Builders of real roster files for the roster tests.

The files are written with the standard ``csv`` module and plain openpyxl,
the way other programs would write them, not with peerlearn's writer.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import openpyxl

from peerlearn.roster.columns import TEMPLATE_COLUMNS

KNOWN_ORGANISATIONS = ["Ministry of Finance", "City of Nairobi", "Revenue Authority"]
KNOWN_COHORTS = ["Foundational event", "Kenya cohort"]

_NAMES = [
    "Ngozi Okonjo-Iweala",
    "Zoë Müller",
    "Олена Коваленко",
    "محمد الأمين",
    "王芳",
    "José Álvarez",
    "Nguyễn Thị Hoa",
    "Amina Diallo",
]
_COUNTRIES = ["NG", "Germany", "UKR", "Morocco", "cn", "Colombia", "Viet Nam", "SN"]
_SENIORITY = ["Political", "senior", "Middle", "technical", "head of unit", "", "adviser"]
_KINDS = ["ministry", "Think tank", "civil-society", "Agency", "", "municipality"]
_LANGUAGES = ["en", "fr|en", "Spanish, English", "ar|fr", "zh", "", "ru|uk|en"]
_BOOLEANS = ["yes", "no", "", "TRUE", "0", "sí", "non", "Y"]
_ROLES = ["", "participant", "Facilitator", "evaluator", "observer"]


def person_row(i: int) -> dict[str, str]:
    """A valid roster row for person ``i``, varied in script and spelling."""
    organisation = (KNOWN_ORGANISATIONS + [f"Agency {i % 7}", ""])[i % 5]
    return {
        "email": f"Person{i}@Example.org" if i % 3 == 0 else f"person{i}@example.org",
        "name": f"{_NAMES[i % len(_NAMES)]} {i}",
        "organisation": organisation,
        # One kind per new organisation (a second kind is a problem).
        "organisation_kind": (
            ""
            if not organisation
            else "Agency"
            if organisation.startswith("Agency")
            else _KINDS[i % len(_KINDS)]
        ),
        "country": _COUNTRIES[i % len(_COUNTRIES)],
        "role_title": "Director of Budget" if i % 2 else "Adviser, public finance",
        "seniority": _SENIORITY[i % len(_SENIORITY)],
        "languages": _LANGUAGES[i % len(_LANGUAGES)],
        "gender": ["", "woman", "man", "non-binary"][i % 4],
        "external": _BOOLEANS[i % len(_BOOLEANS)],
        "alumni": _BOOLEANS[(i + 3) % len(_BOOLEANS)],
        "consent_to_contact": _BOOLEANS[(i + 5) % len(_BOOLEANS)],
        "programme_role": _ROLES[i % len(_ROLES)],
        "cohort": ["", "Foundational event", "kenya COHORT"][i % 3],
        "challenge_1": f"Building a reform team, case {i}",
        "challenge_1_tags": "reform teams|people",
        "challenge_2": 'Managing a difficult political principal; "quotes", commas',
        "challenge_2_tags": "",
        "challenge_3": "Bringing other ministries on board\nacross two lines",
        "challenge_3_tags": "coordination",
        "expectation_1": "Learn from peers",
        "expectation_2": "",
    }


def people_rows(count: int) -> list[dict[str, str]]:
    return [person_row(i) for i in range(count)]


def csv_bytes(
    rows: Sequence[dict[str, str]],
    columns: Sequence[str] = TEMPLATE_COLUMNS,
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(
    rows: Sequence[Sequence[object]] | Sequence[dict[str, str]],
    columns: Sequence[str] | None = TEMPLATE_COLUMNS,
) -> bytes:
    """A workbook; ``rows`` are dicts keyed by ``columns`` or raw lists of values
    (``columns=None`` then writes no header of its own)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if columns is not None:
        sheet.append(list(columns))
    for row in rows:
        if isinstance(row, dict):
            sheet.append([row.get(column, "") or None for column in columns or ()])
        else:
            sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def save(directory: Path, filename: str, data: bytes) -> Path:
    path = directory / filename
    path.write_bytes(data)
    return path
