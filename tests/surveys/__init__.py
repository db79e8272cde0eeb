"""Tests of the XLSForm layer; helpers to write workbooks the way Kobo/ODK do."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

Rows = Sequence[Sequence[object]]

EN, ES, FR = "English (en)", "Español (es)", "Français (fr)"


def write_form(
    path: Path,
    survey: Rows | None,
    choices: Rows | None = None,
    settings: Rows | None = None,
    extra: dict[str, Rows] | None = None,
) -> Path:
    """Write an .xlsx with the given sheets (first row = headers) and return ``path``."""
    book = Workbook()
    default = book.active
    assert default is not None
    book.remove(default)
    sheets = {"survey": survey, "choices": choices, "settings": settings, **(extra or {})}
    for name, rows in sheets.items():
        if rows is None:
            continue
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


#: A form using every supported feature, in three languages.
FULL_SURVEY: Rows = [
    [
        "type",
        "name",
        f"label::{EN}",
        f"label::{ES}",
        f"label::{FR}",
        f"hint::{EN}",
        f"hint::{ES}",
        "required",
        "relevant",
        "constraint",
        f"constraint_message::{EN}",
        "appearance",
    ],
    [
        "note",
        "intro",
        "Welcome",
        "Bienvenida",
        "Bienvenue",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ],
    [
        "text",
        "role",
        "Role",
        "Cargo",
        "Poste",
        "Your title",
        "Su cargo",
        "yes",
        None,
        "string-length(.) <= 80",
        "Too long",
        None,
    ],
    [
        "integer",
        "years",
        "Years",
        "Años",
        "Années",
        None,
        None,
        "yes",
        None,
        ". >= 0 and . <= 60",
        "0 to 60",
        None,
    ],
    [
        "decimal",
        "budget",
        "Budget",
        "Presupuesto",
        "Budget",
        None,
        None,
        "no",
        "${years} > 0",
        ". > 0",
        "Positive",
        None,
    ],
    [
        "date",
        "started",
        "Start date",
        "Fecha de inicio",
        "Date de début",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ],
    [
        "begin_group",
        "views",
        "Views",
        "Opiniones",
        "Avis",
        None,
        None,
        None,
        "${role} != ''",
        None,
        None,
        "field-list",
    ],
    [
        "select_one agree5",
        "trust",
        "Trust",
        "Confianza",
        "Confiance",
        None,
        None,
        "yes",
        None,
        None,
        None,
        "likert",
    ],
    [
        "begin group",
        "inner",
        "Inner",
        "Interior",
        "Intérieur",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ],
    [
        "select_multiple topics",
        "topics",
        "Topics",
        "Temas",
        "Thèmes",
        "Pick some",
        None,
        None,
        None,
        "not(selected(., 'none') and count-selected(.) > 1)",
        "None alone",
        None,
    ],
    [
        "text",
        "other_topic",
        "Other",
        "Otro",
        "Autre",
        None,
        None,
        None,
        "selected(${topics}, 'other')",
        None,
        None,
        None,
    ],
    ["end group", None, None, None, None, None, None, None, None, None, None, None],
    ["end_group", None, None, None, None, None, None, None, None, None, None, None],
    [
        "note",
        "bye",
        "Thanks",
        "Gracias",
        "Merci",
        None,
        None,
        None,
        "${trust} >= 4 or not(${years} < 2)",
        None,
        None,
        None,
    ],
]
FULL_CHOICES: Rows = [
    ["list_name", "name", f"label::{EN}", f"label::{ES}", f"label::{FR}"],
    *[["agree5", str(n), f"A{n}", f"Ae{n}", f"Af{n}"] for n in range(1, 6)],
    ["topics", "budget", "Budget", "Presupuesto", "Budget"],
    ["topics", "hr", "People", "Personas", "Personnes"],
    ["topics", "other", "Other", "Otro", "Autre"],
    ["topics", "none", "None", "Ninguno", "Aucun"],
]
FULL_SETTINGS: Rows = [
    ["form_title", "form_id", "version", "default_language"],
    ["Full form", "full_form", "2024061201", EN],
]


def full_form(path: Path) -> Path:
    """Write the form with every supported feature."""
    return write_form(path, FULL_SURVEY, FULL_CHOICES, FULL_SETTINGS)


def simple_survey(*rows: Sequence[object]) -> list[Sequence[object]]:
    """Return a survey sheet with the headers type, name, label and ``rows``."""
    return [["type", "name", "label"], *rows]
