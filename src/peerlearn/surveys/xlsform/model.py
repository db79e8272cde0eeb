"""Plain dataclasses describing an instrument, independent of any file format.

Texts that can be translated (labels, hints, constraint messages) are dicts
keyed by language code (``{"en": "...", "es": "...", "fr": "..."}``). Text
from a column without a language (plain ``label``) is keyed by
:data:`NO_LANGUAGE`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "ANSWERABLE_TYPES",
    "NO_LANGUAGE",
    "Choice",
    "ChoiceList",
    "CycleError",
    "Group",
    "Instrument",
    "Item",
    "Question",
    "QuestionType",
    "Repeat",
    "Text",
    "from_dict",
    "to_dict",
]

QuestionType = Literal[
    "text", "integer", "decimal", "date", "select_one", "select_multiple", "note", "calculate"
]
#: Types that collect an answer (``note`` only shows text, ``calculate`` is computed).
ANSWERABLE_TYPES: tuple[str, ...] = (
    "text",
    "integer",
    "decimal",
    "date",
    "select_one",
    "select_multiple",
)
#: Language key for text from a column without ``::Language (code)``.
NO_LANGUAGE = "default"

Text = dict[str, str]


@dataclass
class Choice:
    """One option of a choice list: the stored ``name`` and its labels.

    ``extra`` holds the choices sheet's other columns by header (``country``
    for a cascading list), which a question's ``choice_filter`` refers to.
    """

    name: str
    label: Text = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)

    def columns(self) -> dict[str, str]:
        """The values a ``choice_filter`` sees: ``name``, ``label`` (and
        ``label::CODE`` per language) and the extra columns."""
        labels = {f"label::{code}": text for code, text in self.label.items()}
        first = next(iter(self.label.values()), "")
        return {**self.extra, **labels, "label": first, "name": self.name}


@dataclass
class ChoiceList:
    """A named list of choices used by ``select_one``/``select_multiple`` questions."""

    name: str
    choices: list[Choice] = field(default_factory=list)


@dataclass
class Question:
    """A question or a note.

    Parameters
    ----------
    type : QuestionType
        One of :data:`ANSWERABLE_TYPES` or ``"note"``.
    name : str
        Field name, unique in the instrument; answers are keyed by it.
    label, hint, constraint_message : Text
        Translatable texts keyed by language code.
    required : bool
        Whether an answer is mandatory.
    relevant, constraint : str
        Expressions in the subset of :mod:`peerlearn.surveys.xlsform.expressions`
        (empty string when absent).
    list_name : str or None
        Choice list of a select question.
    appearance : str
        XLSForm appearance hint passed through unchanged (e.g. ``likert``).
    calculation : str
        For ``calculate`` fields (and read-only questions): the expression
        whose value is stored.
    default : str
        The answer shown before the respondent gives one (a literal, as
        pyxform treats a ``default`` without ``${...}``).
    read_only : bool
        Shown but not editable: its value is the default or the calculation.
    required_message : Text
        What to say when a required question is left empty.
    choice_filter : str
        Which choices of the list to offer (cascading selects).
    """

    type: QuestionType
    name: str
    label: Text = field(default_factory=dict)
    hint: Text = field(default_factory=dict)
    required: bool = False
    relevant: str = ""
    constraint: str = ""
    constraint_message: Text = field(default_factory=dict)
    list_name: str | None = None
    appearance: str = ""
    calculation: str = ""
    default: str = ""
    read_only: bool = False
    required_message: Text = field(default_factory=dict)
    choice_filter: str = ""

    @property
    def answerable(self) -> bool:
        """Whether the question collects an answer (notes, calculations and
        read-only questions do not: the respondent cannot change them)."""
        return self.type in ANSWERABLE_TYPES and not self.read_only


@dataclass
class Group:
    """A group of questions (``begin_group`` ... ``end_group``), possibly nested."""

    name: str
    label: Text = field(default_factory=dict)
    relevant: str = ""
    appearance: str = ""
    children: list[Item] = field(default_factory=list)


@dataclass
class Repeat:
    """A repeat (``begin_repeat`` ... ``end_repeat``): its questions are asked once
    per instance (each peer kept in contact with, say).

    Decisions: a repeat holds questions, notes, calculations and groups, but no
    other repeat (nested repeats are refused on import: one linked table per
    repeat is what the answer page, results and exports can keep clear on a
    phone).  ``count`` is ``repeat_count`` (a number or an expression over the
    questions outside the repeat): it fixes the number of instances; without
    it the respondent adds and removes instances (at most
    :data:`MAX_INSTANCES`).  :meth:`Instrument.walk` yields the repeat but
    does not enter it, so code reading the answers of ordinary questions
    never meets a repeat's questions by mistake; :meth:`form` is the repeat's
    own form, checked once per instance.
    """

    name: str
    label: Text = field(default_factory=dict)
    relevant: str = ""
    appearance: str = ""
    count: str = ""
    children: list[Item] = field(default_factory=list)

    def form(self, instrument: Instrument) -> Instrument:
        """The repeat's questions as a form of their own (the choice lists,
        languages and calculations of ``instrument`` apply)."""
        return Instrument(
            title=instrument.title,
            form_id=instrument.form_id,
            default_language=instrument.default_language,
            languages=instrument.languages,
            items=self.children,
            choice_lists=instrument.choice_lists,
        )


#: Most instances one response may hold per repeat (a phone page stays usable).
MAX_INSTANCES = 50

Item = Question | Group | Repeat


@dataclass
class Instrument:
    """A whole instrument: settings, questions in order, and choice lists.

    Parameters
    ----------
    title, form_id, version : str
        From the ``settings`` sheet.
    default_language : str or None
        Language code of the default language, if the form names one.
    languages : dict of str to str
        Language code to language name (``{"en": "English"}``), in column order.
    style : str
        Form style passed through (e.g. ``pages``).
    items : list of Item
        Top-level questions and groups in order.
    choice_lists : dict of str to ChoiceList
        Choice lists by name.
    ignored : list of str
        What was ignored while reading (settings for ODK servers, comment
        columns, metadata rows), each located; listed on import.
    """

    title: str = ""
    form_id: str = ""
    version: str = ""
    default_language: str | None = None
    languages: dict[str, str] = field(default_factory=dict)
    style: str = ""
    items: list[Item] = field(default_factory=list)
    choice_lists: dict[str, ChoiceList] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)

    def walk(self) -> Iterator[Item]:
        """Yield every group and question, depth first, in form order."""
        stack: list[Iterator[Item]] = [iter(self.items)]
        while stack:
            item = next(stack[-1], None)
            if item is None:
                stack.pop()
                continue
            yield item
            if isinstance(item, Group):
                stack.append(iter(item.children))

    def questions(self) -> list[Question]:
        """Return the answerable questions (no notes, no groups), in any group,
        outside repeats (see :meth:`repeats`)."""
        return [i for i in self.walk() if isinstance(i, Question) and i.answerable]

    def repeats(self) -> list[Repeat]:
        """Return the repeats, in form order (in any group)."""
        return [i for i in self.walk() if isinstance(i, Repeat)]

    def find_anywhere(self, name: str) -> Question | None:
        """Like :meth:`find`, but also inside repeats."""
        found = self.find(name)
        if found is not None:
            return found
        for repeat in self.repeats():
            found = repeat.form(self).find(name)
            if found is not None:
                return found
        return None

    def calculated(self) -> list[Question]:
        """Return the fields whose value is computed (``calculate`` fields and
        read-only questions with a calculation), in form order."""
        return [i for i in self.walk() if isinstance(i, Question) and i.calculation]

    def calculation_order(self) -> list[Question]:
        """The computed fields in an order where each comes after those it uses.

        Raises
        ------
        CycleError
            When calculations depend on each other in a circle.
        """
        from peerlearn.surveys.xlsform.expressions import references

        computed = {q.name: q for q in self.calculated()}
        uses = {name: references(q.calculation) & computed.keys() for name, q in computed.items()}
        done: dict[str, bool] = {}  # False: being visited, True: placed
        order: list[Question] = []

        def place(name: str, path: list[str]) -> None:
            if done.get(name) is True:
                return
            if done.get(name) is False:
                raise CycleError([*path[path.index(name) :], name])
            done[name] = False
            for used in sorted(uses[name]):
                place(used, [*path, name])
            done[name] = True
            order.append(computed[name])

        for name in computed:
            place(name, [])
        return order

    def find(self, name: str) -> Question | None:
        """Return the question or note called ``name``, or ``None``."""
        for item in self.walk():
            if isinstance(item, Question) and item.name == name:
                return item
        return None

    def summary(self) -> dict[str, Any]:
        """Describe the instrument in a JSON-friendly dict (used by ``survey check``).

        ``questions`` counts answerable fields in any group; ``types`` counts
        them by type.
        """
        questions = self.questions()
        types = Counter(q.type for q in questions)
        items = list(self.walk())
        return {
            "title": self.title,
            "form_id": self.form_id,
            "version": self.version,
            "default_language": self.default_language,
            "languages": list(self.languages),
            "questions": len(questions),
            "required": sum(1 for q in questions if q.required),
            "types": dict(sorted(types.items())),
            "notes": sum(1 for i in items if isinstance(i, Question) and i.type == "note"),
            "groups": sum(1 for i in items if isinstance(i, Group)),
            "repeats": {
                r.name: len(r.form(self).questions()) for r in items if isinstance(r, Repeat)
            },
            "choice_lists": len(self.choice_lists),
            "calculated": len(self.calculated()),
            "ignored": list(self.ignored),
        }


class CycleError(ValueError):
    """Calculations that depend on themselves; ``names`` is the circle, closed."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(" -> ".join(names))
        self.names = names


# ---------------------------------------------------------------- JSON form
#
# The web app stores an instrument as JSON (parsing the workbook again on every
# page would cost a pyxform run).  ``to_dict`` / ``from_dict`` round-trip exactly.


def _item_to_dict(item: Item) -> dict[str, Any]:
    if isinstance(item, Repeat):
        return {
            "kind": "repeat",
            "name": item.name,
            "label": dict(item.label),
            "relevant": item.relevant,
            "appearance": item.appearance,
            "count": item.count,
            "children": [_item_to_dict(child) for child in item.children],
        }
    if isinstance(item, Group):
        return {
            "kind": "group",
            "name": item.name,
            "label": dict(item.label),
            "relevant": item.relevant,
            "appearance": item.appearance,
            "children": [_item_to_dict(child) for child in item.children],
        }
    return {
        "kind": "question",
        "type": item.type,
        "name": item.name,
        "label": dict(item.label),
        "hint": dict(item.hint),
        "required": item.required,
        "relevant": item.relevant,
        "constraint": item.constraint,
        "constraint_message": dict(item.constraint_message),
        "list_name": item.list_name,
        "appearance": item.appearance,
        "calculation": item.calculation,
        "default": item.default,
        "read_only": item.read_only,
        "required_message": dict(item.required_message),
        "choice_filter": item.choice_filter,
    }


def _item_from_dict(data: dict[str, Any]) -> Item:
    if data["kind"] == "repeat":
        return Repeat(
            name=data["name"],
            label=dict(data.get("label", {})),
            relevant=data.get("relevant", ""),
            appearance=data.get("appearance", ""),
            count=data.get("count", ""),
            children=[_item_from_dict(child) for child in data.get("children", [])],
        )
    if data["kind"] == "group":
        return Group(
            name=data["name"],
            label=dict(data.get("label", {})),
            relevant=data.get("relevant", ""),
            appearance=data.get("appearance", ""),
            children=[_item_from_dict(child) for child in data.get("children", [])],
        )
    return Question(
        type=data["type"],
        name=data["name"],
        label=dict(data.get("label", {})),
        hint=dict(data.get("hint", {})),
        required=bool(data.get("required", False)),
        relevant=data.get("relevant", ""),
        constraint=data.get("constraint", ""),
        constraint_message=dict(data.get("constraint_message", {})),
        list_name=data.get("list_name"),
        appearance=data.get("appearance", ""),
        calculation=data.get("calculation", ""),
        default=data.get("default", ""),
        read_only=bool(data.get("read_only", False)),
        required_message=dict(data.get("required_message", {})),
        choice_filter=data.get("choice_filter", ""),
    )


def to_dict(instrument: Instrument) -> dict[str, Any]:
    """The instrument as JSON-friendly data (see :func:`from_dict`)."""
    return {
        "title": instrument.title,
        "form_id": instrument.form_id,
        "version": instrument.version,
        "default_language": instrument.default_language,
        "languages": dict(instrument.languages),
        "style": instrument.style,
        "ignored": list(instrument.ignored),
        "items": [_item_to_dict(item) for item in instrument.items],
        "choice_lists": {
            name: {
                "name": choice_list.name,
                "choices": [
                    {"name": c.name, "label": dict(c.label), "extra": dict(c.extra)}
                    for c in choice_list.choices
                ],
            }
            for name, choice_list in instrument.choice_lists.items()
        },
    }


def from_dict(data: dict[str, Any]) -> Instrument:
    """Rebuild an :class:`Instrument` from :func:`to_dict` output."""
    return Instrument(
        title=data.get("title", ""),
        form_id=data.get("form_id", ""),
        version=data.get("version", ""),
        default_language=data.get("default_language"),
        languages=dict(data.get("languages", {})),
        style=data.get("style", ""),
        ignored=list(data.get("ignored", [])),
        items=[_item_from_dict(item) for item in data.get("items", [])],
        choice_lists={
            name: ChoiceList(
                name=value["name"],
                choices=[
                    Choice(c["name"], dict(c.get("label", {})), dict(c.get("extra", {})))
                    for c in value["choices"]
                ],
            )
            for name, value in data.get("choice_lists", {}).items()
        },
    )
