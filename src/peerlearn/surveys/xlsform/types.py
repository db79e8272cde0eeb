"""Recognise the ``type`` column of the survey sheet."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

__all__ = ["METADATA", "ParsedType", "parse_type"]

_SIMPLE = {"text": "text", "string": "text", "integer": "integer", "int": "integer"}
_SIMPLE |= {"decimal": "decimal", "date": "date", "note": "note", "calculate": "calculate"}
#: Every spelling of a select that pyxform accepts, longest first (legacy
#: ``select one from LIST`` and ``select all that apply LIST`` included).
_SELECT_KINDS = {
    "select all that apply from": "select_multiple",
    "select all that apply": "select_multiple",
    "select multiple from": "select_multiple",
    "select_multiple": "select_multiple",
    "select multiple": "select_multiple",
    "select one from": "select_one",
    "select_one": "select_one",
    "select one": "select_one",
    "select1": "select_one",
}
_SELECT = re.compile(
    r"^(?P<kind>"
    + "|".join(re.escape(k) for k in _SELECT_KINDS)
    + r")(?:\s+(?P<list>\S+))?(?P<other>\s+(?:or_other|or specify other))?(?P<rest>\s+.*)?$",
    re.IGNORECASE,
)
_FROM_FILE = re.compile(
    r"^(select_one_from_file|select_multiple_from_file|select one from file|"
    r"select multiple from file|select_one_external|select one external)\b",
    re.IGNORECASE,
)
#: Metadata that ODK records by itself: peerlearn records who answered and
#: when on its own, so these rows are ignored (with a note), not refused.
METADATA = {
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
    "imei",
    "uri:deviceid",
    "uri:subscriberid",
    "uri:simserial",
    "uri:phonenumber",
    "uri:username",
    "uri:email",
    "start-geopoint",
    "background-audio",
    "background-geopoint",
}
_REPEAT = {"begin_repeat", "begin repeat", "end_repeat", "end repeat"}
#: What to do instead of a type peerlearn cannot ask on its answer page.
_INSTEAD = {
    "geopoint": "ask for the place as text (or a select of places)",
    "gps": "ask for the place as text (or a select of places)",
    "geotrace": "ask for the route as text",
    "geoshape": "ask for the area as text",
    "image": "remove the row: peerlearn does not take photos or files",
    "photo": "remove the row: peerlearn does not take photos or files",
    "audio": "remove the row: peerlearn does not take recordings",
    "video": "remove the row: peerlearn does not take recordings",
    "file": "remove the row: peerlearn does not take files",
    "background-video": "remove the row: peerlearn does not take recordings",
    "barcode": "ask for the code as text",
    "time": "ask for the time as text, or use a date question",
    "datetime": "use a date question (and a text question for the time)",
    "range": "use an integer question with a constraint, or a select_one scale",
    "rank": "use one select_one question per position",
    "acknowledge": "use a select_one with a single 'yes' choice",
    "hidden": "use a calculate row",
    "xml-external": "remove the row: peerlearn has no external data files",
    "csv-external": "remove the row: peerlearn has no external data files",
    "trigger": "use a note",
}


@dataclass(frozen=True)
class ParsedType:
    """What a ``type`` cell means.

    ``kind`` is a question type, ``begin_group``/``end_group``,
    ``begin_repeat``/``end_repeat`` (loops are read as unsupported repeats, tracked
    so that groups still pair up), ``metadata`` (ignored) or ``error``; ``message`` explains
    an error; ``unsupported`` marks a real XLSForm feature peerlearn lacks
    (the one cause worth reporting); ``other`` is ``or_other`` (ODK adds an
    "other" choice and a text question).
    """

    kind: str
    list_name: str | None = None
    message: str = ""
    other: bool = False
    unsupported: bool = False


def parse_type(text: str) -> ParsedType:
    """Parse a ``type`` cell.

    Examples
    --------
    >>> parse_type("select_one  agree5")
    ParsedType(kind='select_one', list_name='agree5', message='', other=False, unsupported=False)
    >>> parse_type("select one from yes_no").list_name
    'yes_no'
    >>> parse_type("select_one yn or_other").other
    True
    >>> parse_type("begin group").kind
    'begin_group'
    >>> parse_type("geopoint").message.split(":")[0]
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
        return ParsedType("begin_repeat" if low.startswith("begin") else "end_repeat")
    if low.startswith(("begin loop", "begin_loop", "end loop", "end_loop")):
        kind = "begin_repeat" if low.startswith("begin") else "end_repeat"
        return ParsedType(
            kind,
            message=f"type '{spelled}': loops are not supported; write one group per item",
            unsupported=kind == "begin_repeat",
        )
    if _FROM_FILE.match(spelled):
        return _unsupported(
            f"type '{spelled}': choices from a file or external choices are not supported: "
            "copy the choices into the 'choices' sheet and use select_one/select_multiple"
        )
    match = _SELECT.match(spelled)
    if match:
        kind = _SELECT_KINDS[" ".join(match.group("kind").lower().split())]
        list_name = match.group("list") or ""
        if list_name.lower().endswith((".csv", ".xml", ".geojson")):
            return _unsupported(
                f"type '{spelled}': choices from a file are not supported: "
                "copy the choices into the 'choices' sheet"
            )
        if match.group("rest"):
            return _error(f"type '{spelled}' is not understood: write '{kind} LIST_NAME'")
        if not list_name:
            return _error(f"'{spelled}' needs the name of a choice list, e.g. '{kind} agree5'")
        return ParsedType(kind, list_name, other=bool(match.group("other")))
    if low in METADATA:
        return ParsedType("metadata")
    first = low.split(" ")[0]
    if first in _INSTEAD:
        return _unsupported(f"type '{spelled}' is not supported by peerlearn: {_INSTEAD[first]}")
    known = _from_pyxform(spelled)
    if known is not None:
        return known
    if (
        spelled in QUESTION_TYPE_DICT
        or low in QUESTION_TYPE_DICT
        or first.startswith(("select_", "rank", "range", "begin_", "end_"))
    ):
        return _unsupported(f"type '{spelled}' is not supported by peerlearn: remove the row")
    return _error(f"unknown type '{spelled}'")


_BIND_TYPES = {"string": "text", "int": "integer", "decimal": "decimal", "date": "date"}


def _from_pyxform(spelled: str) -> ParsedType | None:
    """Other spellings pyxform knows (``phone number``, ``q int``, ``add text prompt``...)
    that are one of peerlearn's types under another name."""
    entry = QUESTION_TYPE_DICT.get(spelled) or QUESTION_TYPE_DICT.get(spelled.lower())
    if not entry:
        return None
    bind = entry.get("bind") or {}
    tag = (entry.get("control") or {}).get("tag")
    if "jr:preload" in bind:
        return ParsedType("metadata")
    if tag is None and bind.get("type") == "string":
        return ParsedType("calculate")
    if tag == "input" and bind.get("readonly") == "true()":
        return ParsedType("note")
    if tag == "input" and bind.get("type") in _BIND_TYPES:
        return ParsedType(_BIND_TYPES[bind["type"]])
    return None


def _error(message: str) -> ParsedType:
    return ParsedType("error", message=message)


def _unsupported(message: str) -> ParsedType:
    return ParsedType("error", message=message, unsupported=True)
