"""Which columns peerlearn understands on each sheet, and why others are refused."""

from __future__ import annotations

from dataclasses import replace

from peerlearn.surveys.xlsform.sheets import Column, Sheet

__all__ = [
    "CHOICES_COLUMNS",
    "ignored_note",
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
        "required_message",
        "relevant",
        "constraint",
        "constraint_message",
        "appearance",
        "calculation",
        "default",
        "read_only",
        "choice_filter",
        "trigger",
        "repeat_count",
    }
)
CHOICES_COLUMNS = frozenset({"list_name", "name", "label"})
SETTINGS_COLUMNS = frozenset(
    {"form_title", "form_id", "version", "default_language", "style", "allow_choice_duplicates"}
)
#: Columns that may carry a ``::Language (code)`` suffix.
TRANSLATABLE = frozenset({"label", "hint", "constraint_message", "required_message"})

_ALIASES = {
    "survey": {
        "constraint message": "constraint_message",
        "jr:constraintmsg": "constraint_message",
        "constraining_message": "constraint_message",
        "jr:requiredmsg": "required_message",
        "requiredmsg": "required_message",
        "relevance": "relevant",
        "caption": "label",
        "readonly": "read_only",
        "calculate": "calculation",
        "command": "type",
        "tag": "name",
        "count": "repeat_count",
        "jr:count": "repeat_count",
    },
    "choices": {"list name": "list_name", "value": "name", "caption": "label"},
    "settings": {"set_form_title": "form_title", "set_form_id": "form_id"},
}
_MEDIA = "images, audio and video are not supported"
_REASONS = {
    "save_to": "ODK entities are not supported: remove the column",
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


def ignored_note(column: Column, kind: str) -> str | None:
    """Why ``column`` is ignored (not fatal), or ``None`` when it is used or refused.

    On the survey sheet peerlearn ignores, as pyxform does, columns that change
    nothing about what is asked (comments, SMS and Enketo attributes,
    ``guidance_hint``, ``parameters``...).  On the settings sheet everything but
    title, id, version, default language and style is about sending forms to
    ODK servers.  The choices sheet has no ignored columns: extra ones are kept
    for ``choice_filter``.
    """
    if is_ignored(column) or kind == "choices":
        return None
    supported = SURVEY_COLUMNS if kind == "survey" else SETTINGS_COLUMNS
    if column.base in supported or column.base in _REASONS:
        return None
    if kind == "settings":
        return f"setting '{column.header}' changes nothing in peerlearn: ignored"
    return f"column '{column.header}' changes nothing in peerlearn: ignored"


def unsupported_message(column: Column, kind: str) -> str | None:
    """Return why ``column`` cannot be imported on a ``kind`` sheet, or ``None``."""
    if is_ignored(column):
        return None
    if column.base in _REASONS:
        return f"column '{column.header}': {_REASONS[column.base]}"
    known = {"survey": SURVEY_COLUMNS, "choices": CHOICES_COLUMNS}.get(kind, SETTINGS_COLUMNS)
    if column.language is not None and column.base in known and column.base not in TRANSLATABLE:
        return f"column '{column.header}' cannot be translated (remove '::{column.language}')"
    return None
