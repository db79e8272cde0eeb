"""Which columns peerlearn understands on each sheet, and why others are refused."""

from __future__ import annotations

from dataclasses import replace

from peerlearn.surveys.xlsform.sheets import Column, Sheet

__all__ = [
    "CHOICES_COLUMNS",
    "SETTINGS_COLUMNS",
    "SURVEY_COLUMNS",
    "TRANSLATABLE",
    "normalise",
    "unsupported_message",
]

SURVEY_COLUMNS = frozenset(
    {
        "type",
        "name",
        "label",
        "hint",
        "required",
        "relevant",
        "constraint",
        "constraint_message",
        "appearance",
    }
)
CHOICES_COLUMNS = frozenset({"list_name", "name", "label"})
SETTINGS_COLUMNS = frozenset({"form_title", "form_id", "version", "default_language", "style"})
#: Columns that may carry a ``::Language (code)`` suffix.
TRANSLATABLE = frozenset({"label", "hint", "constraint_message"})

_ALIASES = {
    "survey": {
        "constraint message": "constraint_message",
        "jr:constraintmsg": "constraint_message",
        "relevance": "relevant",
        "caption": "label",
    },
    "choices": {"list name": "list_name", "value": "name", "caption": "label"},
    "settings": {},
}
_MEDIA = "images, audio and video are not supported"
_REASONS = {
    "calculation": "calculations are not supported",
    "choice_filter": "cascading choices (choice_filter) are not supported",
    "repeat_count": "repeats are not supported",
    "default": "default answers are not supported",
    "read_only": "read-only questions are not supported",
    "readonly": "read-only questions are not supported",
    "required_message": "custom 'required' messages are not supported",
    "trigger": "triggers are not supported",
    "parameters": "question parameters are not supported",
    "image": _MEDIA,
    "big-image": _MEDIA,
    "audio": _MEDIA,
    "video": _MEDIA,
    "media": _MEDIA,
}


def normalise(sheet: Sheet, kind: str) -> None:
    """Replace header aliases (``list name``, ``value``...) by canonical names."""
    aliases = _ALIASES[kind]
    sheet.columns = [
        replace(c, base=aliases[c.base]) if c.base in aliases else c for c in sheet.columns
    ]


def is_ignored(column: Column) -> bool:
    """Whether a column is bookkeeping that carries no meaning (Kobo's ``$kuid``...)."""
    return column.base.startswith("$")


def unsupported_message(column: Column, kind: str) -> str | None:
    """Return why ``column`` cannot be imported on a ``kind`` sheet, or ``None``."""
    supported = {"survey": SURVEY_COLUMNS, "choices": CHOICES_COLUMNS}.get(kind, SETTINGS_COLUMNS)
    if is_ignored(column):
        return None
    if column.base in supported:
        if column.language is not None and column.base not in TRANSLATABLE:
            return f"column '{column.header}' cannot be translated (remove '::{column.language}')"
        return None
    reason = _REASONS.get(column.base)
    if reason is None and kind == "choices":
        reason = "extra choice columns (used by cascading choice filters) are not supported"
    if reason is None:
        reason = "it is not supported by peerlearn"
    return f"column '{column.header}': {reason}"
