"""Recognise the ``type`` column of the survey sheet."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

__all__ = ["ParsedType", "parse_type"]

_SIMPLE = {"text": "text", "string": "text", "integer": "integer", "int": "integer"}
_SIMPLE |= {"decimal": "decimal", "date": "date", "note": "note"}
_SELECT = re.compile(
    r"^(?P<kind>select_one|select one|select_multiple|select multiple)"
    r"(?:\s+(?P<list>\S+))?(?P<other>\s+or_other)?(?P<rest>\s+.*)?$"
)
_METADATA = {
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "start-geopoint",
    "background-audio",
    "background-geopoint",
}
_REPEAT = {"begin_repeat", "begin repeat", "end_repeat", "end repeat"}


@dataclass(frozen=True)
class ParsedType:
    """What a ``type`` cell means.

    ``kind`` is a question type, ``begin_group``/``end_group``,
    ``begin_repeat``/``end_repeat`` (unsupported, but tracked so that groups
    still pair up) or ``error``; ``message`` explains an error.
    """

    kind: str
    list_name: str | None = None
    message: str = ""


def parse_type(text: str) -> ParsedType:
    """Parse a ``type`` cell.

    Examples
    --------
    >>> parse_type("select_one  agree5")
    ParsedType(kind='select_one', list_name='agree5', message='')
    >>> parse_type("begin group").kind
    'begin_group'
    >>> parse_type("geopoint").message
    "type 'geopoint' is not supported by peerlearn"
    """
    spelled = " ".join(text.split())
    low = spelled.lower()
    if low in _SIMPLE:
        return ParsedType(_SIMPLE[low])
    if low in ("begin_group", "begin group"):
        return ParsedType("begin_group")
    if low in ("end_group", "end group"):
        return ParsedType("end_group")
    if low in _REPEAT:
        kind = "begin_repeat" if low.startswith("begin") else "end_repeat"
        return ParsedType(kind, message="repeats (begin_repeat/end_repeat) are not supported")
    match = _SELECT.match(spelled)
    if match:
        kind = "select_one" if "one" in match.group("kind") else "select_multiple"
        if match.group("rest") or (match.group("list") or "").endswith((".csv", ".xml")):
            return _error(f"'{spelled}' is not supported (choices from files are not supported)")
        if not match.group("list"):
            return _error(f"'{spelled}' needs the name of a choice list, e.g. '{kind} agree5'")
        if match.group("other"):
            return _error("'or_other' is not supported: add an 'other' choice and a text question")
        return ParsedType(kind, match.group("list"))
    if low in _METADATA:
        return _error(
            f"metadata type '{spelled}' is not supported: delete the row "
            "(peerlearn records who answered and when)"
        )
    first = low.split(" ")[0]
    if low in QUESTION_TYPE_DICT or first.startswith(
        ("select_", "rank", "range", "begin_", "end_")
    ):
        return _error(f"type '{spelled}' is not supported by peerlearn")
    return _error(f"unknown type '{spelled}'")


def _error(message: str) -> ParsedType:
    return ParsedType("error", message=message)
