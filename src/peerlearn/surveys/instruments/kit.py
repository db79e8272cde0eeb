"""Helpers to write built-in instruments as Python data, in three languages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from peerlearn.surveys.xlsform.model import (
    Choice,
    ChoiceList,
    Group,
    Instrument,
    Item,
    Question,
    QuestionType,
    Text,
)

__all__ = ["LANGUAGES", "choices", "group", "instrument", "note", "q", "tr"]

LANGUAGES = {"en": "English", "es": "Español", "fr": "Français"}


def tr(en: str, es: str, fr: str) -> Text:
    """Return a text in English, Spanish and French."""
    return {"en": en, "es": es, "fr": fr}


def q(
    kind: str,
    name: str,
    label: Text,
    *,
    hint: Text | None = None,
    required: bool = True,
    relevant: str = "",
    constraint: str = "",
    message: Text | None = None,
    appearance: str = "",
) -> Question:
    """Return a question; ``kind`` may be ``"select_one LIST"``."""
    base, _, list_name = kind.partition(" ")
    return Question(
        type=cast(QuestionType, base),
        name=name,
        label=label,
        hint=hint or {},
        required=required,
        relevant=relevant,
        constraint=constraint,
        constraint_message=message or {},
        list_name=list_name or None,
        appearance=appearance,
    )


def note(name: str, label: Text, *, relevant: str = "") -> Question:
    """Return a note (text shown, nothing asked)."""
    return Question(type="note", name=name, label=label, relevant=relevant)


def group(
    name: str, label: Text, children: Sequence[Item], *, relevant: str = "", appearance: str = ""
) -> Group:
    """Return a group of questions."""
    return Group(name, label, relevant, appearance, list(children))


def choices(name: str, *options: tuple[str, Text]) -> ChoiceList:
    """Return a choice list from ``(name, text)`` pairs."""
    return ChoiceList(name, [Choice(value, label) for value, label in options])


def instrument(
    form_id: str, title: str, version: str, items: Sequence[Item], lists: list[ChoiceList]
) -> Instrument:
    """Return a trilingual instrument with English as its default language.

    Only the choice lists that a question uses are kept.
    """
    inst = Instrument(
        title=title,
        form_id=form_id,
        version=version,
        default_language="en",
        languages=dict(LANGUAGES),
        items=list(items),
    )
    used = {i.list_name for i in inst.walk() if isinstance(i, Question) and i.list_name}
    inst.choice_lists = {lst.name: lst for lst in lists if lst.name in used}
    return inst


# Shared choice lists ---------------------------------------------------------------

AGREE5 = choices(
    "agree5",
    ("1", tr("Strongly disagree", "Muy en desacuerdo", "Pas du tout d'accord")),
    ("2", tr("Disagree", "En desacuerdo", "Plutôt pas d'accord")),
    (
        "3",
        tr(
            "Neither agree nor disagree",
            "Ni de acuerdo ni en desacuerdo",
            "Ni d'accord ni pas d'accord",
        ),
    ),
    ("4", tr("Agree", "De acuerdo", "Plutôt d'accord")),
    ("5", tr("Strongly agree", "Muy de acuerdo", "Tout à fait d'accord")),
)
YES_NO = choices(
    "yes_no",
    ("yes", tr("Yes", "Sí", "Oui")),
    ("no", tr("No", "No", "Non")),
)
FREQUENCY = choices(
    "frequency",
    ("weekly", tr("Every week or more", "Cada semana o más", "Chaque semaine ou plus")),
    (
        "monthly",
        tr("About once a month", "Más o menos una vez al mes", "Environ une fois par mois"),
    ),
    ("quarterly", tr("Every few months", "Cada pocos meses", "Tous les quelques mois")),
    ("once", tr("Only once", "Solo una vez", "Une seule fois")),
)
