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
    Repeat,
    Text,
)

__all__ = [
    "LANGUAGES",
    "LEARNED",
    "choices",
    "group",
    "instrument",
    "learned_from_item",
    "note",
    "q",
    "repeat",
    "tr",
]

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


def repeat(name: str, label: Text, children: Sequence[Item], *, relevant: str = "") -> Repeat:
    """Return a repeat group: its questions are asked once per instance ("add another")."""
    return Repeat(name, label, relevant, "", "", list(children))


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
    everything = list(inst.walk())
    for rep in inst.repeats():
        everything += list(rep.form(inst).walk())
    used = {i.list_name for i in everything if isinstance(i, Question) and i.list_name}
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


# "Who did you learn from, and what?" ---------------------------------------------

#: Name of the repeat the mutuality ledger reads (``peerlearn.mel.from_surveys``);
#: its questions are ``learned_from``, ``learned_what``, ``learned_kind``, ``learned_applied``.
LEARNED = "learned"

EXCHANGE_KIND = choices(
    "exchange_kind",
    ("advice", tr("Advice", "Consejo", "Un conseil")),
    ("tool", tr("A tool or document", "Una herramienta o documento", "Un outil ou document")),
    ("visit", tr("A site visit", "Una visita de terreno", "Une visite sur place")),
    ("joint_task", tr("A joint task", "Una tarea conjunta", "Une tâche commune")),
    ("contact", tr("A contact", "Un contacto", "Un contact")),
)
APPLIED = choices(
    "applied",
    ("yes", tr("Yes", "Sí", "Oui")),
    ("no", tr("No", "No", "Non")),
    ("unknown", tr("Not yet", "Todavía no", "Pas encore")),
)


def learned_from_item(*, relevant: str = "") -> Repeat:
    """The "who did you learn from, and what?" item: one instance per peer.

    Each instance the respondent fills becomes a learning exchange when the
    survey is identified (``peerlearn.mel.from_surveys``): the respondent
    learned ``learned_what`` from ``learned_from``.  The choice codes of
    ``learned_kind`` and ``learned_applied`` are the exchange's own.  Someone
    with nobody to name leaves the first instance blank (an instance left
    wholly empty is not stored).
    """
    short = "string-length(.) <= 500"
    short_msg = tr(
        "At most 500 characters.", "Máximo 500 caracteres.", "500 caractères au maximum."
    )
    return repeat(
        LEARNED,
        tr(
            "Who did you learn from, and what? (optional; add another peer for each one)",
            "¿De quién aprendió y qué? (opcional; agregue otro par por cada persona)",
            "De qui avez-vous appris, et quoi ? (facultatif ; ajoutez un pair pour chacun)",
        ),
        [
            q(
                "text",
                "learned_from",
                tr("Whom did you learn from?", "¿De quién aprendió?", "De qui avez-vous appris ?"),
                hint=tr(
                    "Their name as the programme lists it, or their e-mail address.",
                    "Su nombre tal como figura en el programa, o su correo electrónico.",
                    "Son nom tel que le programme l'indique, ou son adresse e-mail.",
                ),
                constraint="string-length(.) <= 200",
                message=tr(
                    "At most 200 characters.",
                    "Máximo 200 caracteres.",
                    "200 caractères au maximum.",
                ),
            ),
            q(
                "text",
                "learned_what",
                tr(
                    "What did you learn from them?",
                    "¿Qué aprendió de esa persona?",
                    "Qu'avez-vous appris de cette personne ?",
                ),
                constraint=short,
                message=short_msg,
            ),
            q(
                "select_one exchange_kind",
                "learned_kind",
                tr("What kind of exchange?", "¿Qué tipo de intercambio?", "Quel type d'échange ?"),
                required=False,
            ),
            q(
                "select_one applied",
                "learned_applied",
                tr(
                    "Have you applied it in your work?",
                    "¿Lo ha aplicado en su trabajo?",
                    "L'avez-vous appliqué dans votre travail ?",
                ),
                required=False,
            ),
        ],
        relevant=relevant,
    )
