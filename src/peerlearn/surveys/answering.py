"""Answering a survey through a personal link: checking, saving and submitting answers.

Everything here works on plain data (a parsed form and the raw values a
browser posted), plus two small writes to the database, so the pages
(:mod:`peerlearn.surveys.views_answer`), the JSON autosave and the tests share
one set of rules.

Checking
--------
:func:`check_answers` turns raw values into typed ones (integer -> ``int``,
decimal -> ``float``, date -> ``"YYYY-MM-DD"``, select_one -> ``str``,
select_multiple -> ``list[str]``), works out which questions and groups are
relevant (a question is relevant when its own ``relevant`` holds and so do
its enclosing groups'; answers of irrelevant questions count as empty for the
questions after them), and collects one error per question: a type error, a
text longer than ``settings.SURVEY_MAX_TEXT``, a broken ``constraint`` (with
the form's message in the respondent's language, or a generic translated
one), or a missing answer to a *relevant* required question.  Field names
that are not questions of the form are ignored.

Saving as you go
----------------
A draft is the raw answers, kept on the invitation (``Invitation.draft``)
even when they are incomplete or invalid, so that the respondent can come
back through the same link and carry on.  The first save sets
``started_at``.  Every save is a conditional UPDATE on "not submitted yet":
an autosave arriving after the submission (a slow network, a second tab)
changes nothing.

Submitting exactly once
-----------------------
:func:`submit` checks the answers, then in one transaction *claims* the
invitation with ``UPDATE ... SET submitted_at = now WHERE pk = ... AND
submitted_at IS NULL``.  The database lets exactly one caller change that
row; only the caller whose UPDATE counted one row creates the
:class:`~peerlearn.surveys.models.Response`.  Every other caller (a double
click, the back button, two tabs, concurrent requests on several workers)
gets a :class:`Submitted` marked ``already``.  If creating the response fails, the
transaction rolls the claim back, so the respondent can try again.  The
unique constraints on ``Response`` (person or pseudonym per survey) are a
second line of defence.

Drafts of pseudonymous and anonymous surveys
--------------------------------------------
Until submission a draft necessarily sits on the invitation, which names the
person: that is what makes "resume later" possible without an account.  At
submission the same UPDATE that claims the invitation erases the draft (and
its save time), so afterwards nothing links the person to the answers: the
response carries a pseudonym and an hour-rounded time, or (anonymous)
nothing, no time and no language, while the invitation keeps only the day
(:mod:`~peerlearn.surveys.identity`).  Identified surveys keep the draft,
which holds nothing the response does not already show.  The new response
waits to be published with k others (:mod:`peerlearn.surveys.publication`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peerlearn.surveys import publication
from peerlearn.surveys.identity import answered_mark, pseudonym_for, stored_time
from peerlearn.surveys.languages import choose_language, text_in
from peerlearn.surveys.models import Invitation, InvitationLink, Response, Survey
from peerlearn.surveys.signals import announce_submitted
from peerlearn.surveys.xlsform import NO_LANGUAGE, ExpressionError, Group, Question, evaluate
from peerlearn.surveys.xlsform import Instrument as Form
from peerlearn.surveys.xlsform.expressions import POSITION, choice_matches, compute
from peerlearn.surveys.xlsform.model import MAX_INSTANCES, Choice, CycleError, Item, Repeat

__all__ = [
    "Checked",
    "Submitted",
    "answer_text",
    "availability",
    "change_instances",
    "check_answers",
    "choose_language",
    "has_pipes",
    "initial_answers",
    "pipe",
    "shown_choices",
    "raw_answers",
    "save_draft",
    "submit",
    "text_in",
]

#: A typed answer as stored in ``Response.answers`` (a repeat's value is instead
#: a list of dicts of typed answers, one per instance).
Answer = int | float | str | list[str]
#: A raw answer as posted by the browser and kept in a draft (a repeat's value is
#: instead a list of dicts of raw answers, one per instance).
Raw = str | list[str]
#: Raw answers by name, repeats included.
RawAnswers = dict[str, Any]

#: Longest integer accepted, in digits (beyond it JSON readers lose precision).
MAX_DIGITS = 15
#: A number above this is refused (decimals); keeps exports and charts sane.
MAX_NUMBER = 1e15
#: Most values kept for one select_multiple question in a draft.
MAX_SELECTED = 200
#: Longest single choice value kept in a draft (choice names are short).
MAX_CHOICE_CHARS = 200

_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FUNCTION_CALL = re.compile(r"^[A-Za-z][\w-]*\(")
_PIPE = re.compile(r"\$\{\s*([A-Za-z_][\w.-]*)\s*\}")


def max_text() -> int:
    """Longest text answer accepted, in characters (``settings.SURVEY_MAX_TEXT``)."""
    return int(getattr(settings, "SURVEY_MAX_TEXT", 5000))


# ------------------------------------------------------------------ language


def site_language(language: str) -> str | None:
    """``language`` if the site's pages are translated into it, else ``None``."""
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else None


@contextmanager
def page_language(language: str) -> Iterator[None]:
    """Render messages in ``language`` when the site has it (else leave the request's)."""
    code = site_language(language)
    if code is None:
        yield
        return
    with translation.override(code):
        yield


# ------------------------------------------------------------------ raw answers


def _clean_string(value: object, limit: int) -> str:
    """A posted string as we keep it: no NUL (PostgreSQL refuses them), Unix line
    ends (browsers count a line break as one character in ``maxlength`` but post
    two), and never more than ``limit`` characters in a draft."""
    text = str(value).replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    return text[:limit]


def raw_answers(form: Form, data: Any) -> RawAnswers:
    """The answers in ``data`` (a ``QueryDict`` or a plain dict) for the form's questions.

    Unknown names (the CSRF token, buttons, anything a client made up) are
    ignored; empty answers are left out.  Strings are bounded at twice the
    longest accepted text so an oversized answer can still be reported (and
    kept in a draft) without storing megabytes.
    """
    limit = 2 * max_text()
    found: RawAnswers = {}
    for repeat in form.repeats():
        instances = _instances_raw(form, repeat, data)
        if instances is not None:
            found[repeat.name] = instances
    for question in form.questions():
        values = _values(data, question.name)
        if question.type == "select_multiple":
            chosen = [_clean_string(v, MAX_CHOICE_CHARS) for v in values if str(v).strip()]
            unique = list(dict.fromkeys(v.strip() for v in chosen))[:MAX_SELECTED]
            if unique:
                found[question.name] = unique
        elif values:
            text = _clean_string(values[-1], limit)
            if text.strip():
                found[question.name] = text
    return found


class _Prefixed:
    """The posted fields of one repeat instance (``peers[0].often`` read as ``often``)."""

    def __init__(self, data: Any, prefix: str) -> None:
        self.data, self.prefix = data, prefix

    def getlist(self, name: str) -> list[Any]:
        return list(self.data.getlist(self.prefix + name))


def instance_prefix(repeat: str, index: int) -> str:
    """How the fields of instance ``index`` (0 for the first) are named on the page:
    ``peers[0].often`` (brackets cannot be in an XLSForm name, so no clash)."""
    return f"{repeat}[{index}]."


def _instances_raw(form: Form, repeat: Repeat, data: Any) -> list[dict[str, Any]] | None:
    """The raw answers of each instance, or ``None`` when ``data`` says nothing of them.

    A page posts the number of instances under the repeat's name and their
    fields as ``repeat[i].field``; a draft or a JSON body holds a list of dicts.
    """
    inner = repeat.form(form)
    if hasattr(data, "getlist"):
        counts = data.getlist(repeat.name)
        if not counts:
            return None
        try:
            count = max(0, min(int(str(counts[-1])), MAX_INSTANCES))
        except ValueError:
            return None
        prefixed = (_Prefixed(data, instance_prefix(repeat.name, i)) for i in range(count))
        return [dict(raw_answers(inner, fields)) for fields in prefixed]
    value = data.get(repeat.name) if isinstance(data, Mapping) else None
    if not isinstance(value, list):
        return None
    kept = [v for v in value if isinstance(v, Mapping)][:MAX_INSTANCES]
    return [dict(raw_answers(inner, instance)) for instance in kept]


def change_instances(form: Form, raw: RawAnswers, action: str) -> str | None:
    """Apply a page's "add another" (``add:REPEAT``) or "remove" (``remove:REPEAT:I``)
    button to ``raw`` in place; return the anchor of the instance to show, or
    ``None`` when ``action`` is neither (or names no repeat that takes it)."""
    kind, _sep, rest = action.partition(":")
    name, _sep, index_text = rest.partition(":")
    repeat = next((r for r in form.repeats() if r.name == name), None)
    if kind not in ("add", "remove") or repeat is None or repeat.count:
        return None
    instances = raw.get(name)
    current = list(instances) if isinstance(instances, list) else [{}]
    if kind == "add":
        if len(current) >= MAX_INSTANCES:
            return f"q-{name}"
        current.append(dict(initial_answers(repeat.form(form))))
        raw[name] = current
        return f"q-{name}[{len(current) - 1}]"
    if not index_text.isdigit() or int(index_text) >= len(current):
        return None
    del current[int(index_text)]
    raw[name] = current
    return f"q-{name}"


def _values(data: Any, name: str) -> list[Any]:
    if hasattr(data, "getlist"):
        return list(data.getlist(name))
    value = data.get(name) if isinstance(data, Mapping) else None
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


# ------------------------------------------------------------------ parsing


class _Invalid(ValueError):
    """A raw answer of the wrong type; the message is shown to the respondent."""


def _parse(question: Question, raw: Raw, form: Form) -> Answer:
    """The typed value of a non-empty raw answer, or :class:`_Invalid`."""
    if question.type == "select_multiple":
        return _parse_multiple(question, raw, form)
    if isinstance(raw, list):  # a single-valued question posted as a list
        raw = raw[-1] if raw else ""
    value = raw.strip()
    if question.type == "text":
        if len(value) > max_text():
            raise _Invalid(_("At most %(count)d characters.") % {"count": max_text()})
        return value
    if question.type == "integer":
        return _parse_integer(value)
    if question.type == "decimal":
        return _parse_decimal(value)
    if question.type == "date":
        return _parse_date(value)
    if question.type == "select_one":
        if value not in _choice_names(question, form):
            raise _Invalid(_("Choose one of the options."))
        return value
    if question.type == "calculate":
        raise _Invalid(_("This question does not take an answer."))
    raise _Invalid(_("This question does not take an answer."))


def _parse_integer(value: str) -> int:
    if not _INTEGER.match(value):
        raise _Invalid(_("Enter a whole number, digits only."))
    if len(value.lstrip("+-")) > MAX_DIGITS:
        raise _Invalid(_("This number is too large."))
    return int(value)


def _parse_decimal(value: str) -> float:
    if not _DECIMAL.match(value):
        raise _Invalid(_("Enter a number, for example 12.5."))
    number = float(value.replace(",", "."))
    if not math.isfinite(number) or abs(number) >= MAX_NUMBER:
        raise _Invalid(_("This number is too large."))
    return number


def _parse_date(value: str) -> str:
    try:
        if not _ISO_DATE.match(value):
            raise ValueError(value)
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise _Invalid(_("Enter a date as year-month-day, for example 2024-06-30.")) from None


def _parse_multiple(question: Question, raw: Raw, form: Form) -> list[str]:
    chosen = raw if isinstance(raw, list) else raw.split()
    names = _choice_names(question, form)
    if any(value not in names for value in chosen):
        raise _Invalid(_("Choose only among the options shown."))
    wanted = set(chosen)
    return [name for name in dict.fromkeys(names) if name in wanted]  # list order, no repeats


def _choice_names(question: Question, form: Form) -> list[str]:
    choice_list = form.choice_lists.get(question.list_name or "")
    return [choice.name for choice in choice_list.choices] if choice_list else []


# ------------------------------------------------------------------ checking


@dataclass
class Checked:
    """The outcome of checking one set of raw answers against a form.

    Attributes
    ----------
    raw : dict
        The raw answers as kept in a draft (see :func:`raw_answers`).
    typed : dict
        Valid answers of relevant questions, typed: what a response stores.
    relevant : dict
        Every question, note and group by name: whether it is shown.
    errors : dict
        One message per relevant question that cannot be accepted as it is.
    choices : dict
        For each select with a ``choice_filter``: the names of the choices
        offered given the other answers (cascading selects).

    ``typed`` also holds the values of ``calculate`` fields (and read-only
    questions with a calculation), computed from the answers: a score summed
    from Likert items is stored with the response like any answer.

    Repeats: ``instances`` holds one check per instance shown (keys without
    prefix); ``typed[repeat]`` is the list of the instances' typed answers
    (instances left wholly empty are neither checked nor kept), and
    ``relevant``, ``errors`` and ``choices`` also hold each instance's entries
    under their page names (``peers[0].often``), which the script reads.
    """

    raw: RawAnswers
    typed: dict[str, Any] = field(default_factory=dict)
    relevant: dict[str, bool] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)
    instances: dict[str, list[Checked]] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors


def _holds(expression: str, answers: Mapping[str, object], current: object = None) -> bool:
    """Evaluate a ``relevant``/``constraint``; forms are checked on import, so an
    expression error here means a hand-edited definition: do not block anyone."""
    if not expression:
        return True
    try:
        return evaluate(expression, answers, current=current)
    except ExpressionError:
        return True


def _relevance(items: list[Item], answers: dict[str, Answer]) -> dict[str, bool]:
    """Relevance of every item in form order.

    ``answers`` is updated in place: the answer of an irrelevant question is
    removed, so it counts as empty for the expressions that follow (as in ODK).
    """
    relevant: dict[str, bool] = {}

    def visit(children: list[Item], parent_shown: bool) -> None:
        for item in children:
            shown = parent_shown and _holds(item.relevant, answers)
            relevant[item.name] = shown
            if not shown:
                answers.pop(item.name, None)
            if isinstance(item, Group):
                visit(item.children, shown)

    visit(items, True)
    return relevant


def _stored(value: str | float | bool) -> Answer | None:
    """A computed value as a response keeps it (``None``: nothing to keep)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() and abs(value) < MAX_NUMBER else value
    return value or None


def _compute(form: Form, answers: dict[str, Answer], relevant: Mapping[str, bool]) -> None:
    """Fill in computed fields, in dependency order (cycles are refused on import)."""
    try:
        order = form.calculation_order()
    except (CycleError, ExpressionError):
        return
    for question in order:
        answers.pop(question.name, None)
        if not relevant.get(question.name, True):
            continue
        try:
            value = _stored(compute(question.calculation, answers))
        except ExpressionError:
            continue
        if value is not None:
            answers[question.name] = value


def shown_choices(question: Question, form: Form, answers: Mapping[str, object]) -> list[Choice]:
    """The choices a select offers now: all, or those its ``choice_filter`` keeps."""
    choice_list = form.choice_lists.get(question.list_name or "")
    choices = choice_list.choices if choice_list else []
    if not question.choice_filter:
        return list(choices)
    try:
        return [c for c in choices if choice_matches(question.choice_filter, answers, c.columns())]
    except ExpressionError:
        return list(choices)


def initial_answers(form: Form) -> dict[str, Raw]:
    """The ``default`` answers a respondent sees before saving anything.

    A default is a literal, as pyxform reads one without ``${...}``; one with
    a reference or a function is computed from nothing (most give '').
    """
    found: dict[str, Raw] = {}
    for question in form.questions():
        if not question.default:
            continue
        value = question.default
        if "${" in value or _FUNCTION_CALL.match(value):
            try:
                computed = _stored(compute(value, {}))
            except ExpressionError:
                continue
            value = "" if computed is None else str(computed)
        if question.type == "select_multiple":
            found[question.name] = value.split()
        elif value:
            found[question.name] = value
    return found


def required_message(question: Question, language: str) -> str:
    """The form's ``required_message`` in ``language``, else a generic one."""
    for key in (language, NO_LANGUAGE):
        if question.required_message.get(key):
            return question.required_message[key]
    return _("Please answer this question.")


def constraint_message(question: Question, language: str) -> str:
    """The form's constraint message in ``language`` (or a language-less column),
    else a generic message in the page's language."""
    for key in (language, NO_LANGUAGE):
        if question.constraint_message.get(key):
            return question.constraint_message[key]
    return _("This answer is not accepted; please check it.")


def check_answers(form: Form, data: Any, language: str) -> Checked:
    """Check the answers in ``data`` (a ``QueryDict``, a dict, or a saved draft).

    Messages are in ``language`` when the site has it.
    """
    with page_language(language):
        return _check(form, raw_answers(form, data), language)


def _check(
    form: Form, raw: RawAnswers, language: str, outer: Mapping[str, object] | None = None
) -> Checked:
    """Check one form's answers; ``outer`` are the answers a repeat instance
    sees around it (the questions outside the repeat, and ``position(..)``)."""
    questions = form.questions()
    parsed: dict[str, Answer] = {}
    type_errors: dict[str, str] = {}
    for question in questions:
        if question.name not in raw:
            continue
        try:
            parsed[question.name] = _parse(question, raw[question.name], form)
        except _Invalid as error:
            type_errors[question.name] = str(error)
    own = {name: value for name, value in parsed.items() if value not in ("", [])}
    answers: dict[str, Any] = {**(outer or {}), **own}
    _compute(form, answers, {})  # so that relevance may depend on a score
    relevant = _relevance(form.items, answers)
    _compute(form, answers, relevant)  # again, without the answers now irrelevant
    if outer is not None:
        names = {i.name for i in form.walk() if isinstance(i, Question)}
        answers = {name: value for name, value in answers.items() if name in names}
    offered = {
        q.name: [c.name for c in shown_choices(q, form, answers)]
        for q in questions
        if q.choice_filter and relevant.get(q.name, True)
    }
    errors: dict[str, str] = {}
    for question in questions:
        if not relevant.get(question.name, True):
            continue
        value = answers.get(question.name)
        if question.name in type_errors:
            errors[question.name] = type_errors[question.name]
        elif value is None:
            if question.required:
                errors[question.name] = required_message(question, language)
        elif question.name in offered and not set(_chosen(value)) <= set(offered[question.name]):
            errors[question.name] = _("Choose only among the options shown.")
        elif not _holds(question.constraint, {**(outer or {}), **answers}, current=value):
            errors[question.name] = constraint_message(question, language)
    checked = Checked(raw=raw, typed=answers, relevant=relevant, errors=errors, choices=offered)
    for repeat in form.repeats():
        _check_repeat(form, repeat, checked, language)
    return checked


def instance_count(repeat: Repeat, answers: Mapping[str, object]) -> int | None:
    """The number of instances ``repeat_count`` fixes (``None``: the respondent
    chooses); an empty or broken count gives none."""
    if not repeat.count:
        return None
    try:
        value = compute(repeat.count, answers)
    except ExpressionError:
        return 0
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0
    return max(0, min(int(number), MAX_INSTANCES)) if math.isfinite(number) else 0


def _check_repeat(form: Form, repeat: Repeat, checked: Checked, language: str) -> None:
    """Check each instance against the repeat's own form, seeing the outer answers.

    The page starts with one instance (as Enketo does); an instance with no
    answer at all is not checked and not stored, so a respondent with nothing
    to add simply leaves it empty.
    """
    inner = repeat.form(form)
    repeats = {r.name for r in form.repeats()}
    outer = {k: v for k, v in checked.typed.items() if k not in repeats}
    stored = checked.raw.get(repeat.name)
    instances: list[dict[str, Any]] = (
        [dict(i) for i in stored if isinstance(i, dict)]
        if isinstance(stored, list)
        else [dict(initial_answers(inner))]
    )
    fixed = instance_count(repeat, outer)
    if fixed is not None:
        instances = (instances + [{} for _ in range(fixed)])[:fixed]
    checked.raw[repeat.name] = instances
    shown = checked.relevant.get(repeat.name, True)
    kept: list[dict[str, Any]] = []
    results = []
    for index, raw in enumerate(instances):
        one = _check(inner, raw, language, {**outer, POSITION: index + 1})
        results.append(one)
        prefix = instance_prefix(repeat.name, index)
        checked.relevant.update({prefix + k: shown and v for k, v in one.relevant.items()})
        checked.choices.update({prefix + k: v for k, v in one.choices.items()})
        if not shown or not raw:
            continue
        checked.errors.update({prefix + k: v for k, v in one.errors.items()})
        kept.append(one.typed)
    checked.instances[repeat.name] = results
    checked.typed.pop(repeat.name, None)
    if shown and kept:
        checked.typed[repeat.name] = kept


def _chosen(value: Answer) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


# ------------------------------------------------------------------ state

State = Literal["open", "submitted", "closed", "not_open"]


def availability(invitation: Invitation, now: datetime | None = None) -> State:
    """Whether the link shows the form, and if not, why.

    A submitted invitation says so even after the survey closed: the
    respondent learns their answers arrived.
    """
    now = now or timezone.now()
    survey = invitation.survey
    if invitation.submitted_at is not None:
        return "submitted"
    if survey.cancelled_at is not None or (
        survey.closes_at is not None and now >= survey.closes_at
    ):
        return "closed"
    if now < survey.opens_at:
        return "not_open"
    return "open"


def closed_on(survey: Survey) -> datetime | None:
    """When the survey stopped taking answers (cancelled or closed, the earlier)."""
    moments = [m for m in (survey.cancelled_at, survey.closes_at) if m is not None]
    return min(moments) if moments else None


# ------------------------------------------------------------------ saving


def save_draft(
    invitation: Invitation, data: Any, language: str, *, now: datetime | None = None
) -> Checked | None:
    """Keep the answers in ``data`` as the invitation's draft, valid or not.

    Returns the check (relevance and errors for the page), or ``None`` when
    the invitation was submitted meanwhile: the draft is then left alone (for
    pseudonymous and anonymous surveys it was erased on purpose).
    """
    now = now or timezone.now()
    form = invitation.survey.instrument.form
    checked = check_answers(form, data, language)
    saved = Invitation.objects.filter(pk=invitation.pk, submitted_at__isnull=True).update(
        draft=checked.raw,
        draft_saved_at=now,
        language=language,
        started_at=Coalesce(F("started_at"), Value(now, output_field=DateTimeField())),
    )
    if not saved:
        return None
    invitation.draft, invitation.draft_saved_at, invitation.language = checked.raw, now, language
    invitation.started_at = invitation.started_at or now
    return checked


# ------------------------------------------------------------------ submitting


@dataclass
class Submitted:
    """A submission attempt: the check, and the response if one was created."""

    checked: Checked
    response: Response | None = None
    already: bool = False

    @property
    def ok(self) -> bool:
        return self.response is not None


def _author(invitation: Invitation) -> dict[str, Any]:
    """What the response keeps of its author, by the instrument's anonymity."""
    anonymity = invitation.survey.instrument.anonymity
    if anonymity == "identified":
        return {"person": invitation.person}
    if anonymity == "pseudonymous":
        return {"pseudonym": pseudonym_for(invitation.survey.programme_id, invitation.person_id)}
    return {}


def submit(
    invitation: Invitation, data: Any, language: str, *, now: datetime | None = None
) -> Submitted:
    """Check and submit the answers in ``data`` once and for all.

    Returns a :class:`Submitted`: with ``response`` set on success, with
    ``already`` when the invitation was submitted before (nothing changes),
    or with neither when the answers have errors (``checked.errors``; nothing
    is stored, not even the draft, which the page still holds).
    """
    now = now or timezone.now()
    survey = invitation.survey
    form = survey.instrument.form
    checked = check_answers(form, data, language)
    if not checked.valid:
        return Submitted(checked)
    anonymity = survey.instrument.anonymity
    keeps_draft = survey.instrument.keeps_identity
    anonymous = anonymity == "anonymous"
    answered = answered_mark(anonymity, now, survey.created_at)
    try:
        with transaction.atomic():
            publication.lock_survey(survey)
            claimed = Invitation.objects.filter(pk=invitation.pk, submitted_at__isnull=True).update(
                **_claim(anonymity, answered, language, checked if keeps_draft else None)
            )
            if not claimed:
                return Submitted(checked, already=True)
            if anonymous:
                InvitationLink.objects.filter(invitation=invitation).update(created_at=answered)
            response = Response.objects.create(
                survey=survey,
                audience=invitation.audience,
                language="" if anonymous else language,
                answers=checked.typed,
                submitted_at=stored_time(anonymity, now),
                **_author(invitation),
            )
            publication.release(survey)
    except IntegrityError:
        # A response for this person or pseudonym exists already (see the
        # constraints on Response): the same outcome as losing the claim.
        return Submitted(checked, already=True)
    invitation.submitted_at, invitation.language = answered, "" if anonymous else language
    if not keeps_draft:
        invitation.draft, invitation.draft_saved_at = {}, None
    announce_submitted(response)
    return Submitted(checked, response=response)


def _claim(
    anonymity: str, answered: datetime, language: str, kept: Checked | None
) -> dict[str, Any]:
    """The invitation's new values when it is claimed at submission.

    Anonymous: every time becomes ``answered`` (one value for everyone, see
    :func:`~peerlearn.surveys.identity.answered_mark`), reminders and the
    language are forgotten, so that the invitation (which names the person)
    neither shares anything with the response nor orders the respondents.
    Drafts are kept only for identified ones.
    """
    values: dict[str, Any] = {
        "submitted_at": answered,
        "language": language,
        "started_at": Coalesce(F("started_at"), Value(answered, output_field=DateTimeField())),
        "draft": kept.raw if kept is not None else {},
        "draft_saved_at": answered if kept is not None else None,
    }
    if anonymity == "anonymous":
        values.update(
            language="",
            started_at=answered,
            created_at=answered,
            sent_at=answered,
            last_reminded_at=None,
            reminder_count=0,
        )
    return values


# ------------------------------------------------------------------ showing answers


def answer_text(question: Question, value: Answer, form: Form, language: str) -> str:
    """An answer as the respondent reads it: choice labels in their language."""
    if question.type in ("select_one", "select_multiple"):
        choice_list = form.choice_lists.get(question.list_name or "")
        choices = choice_list.choices if choice_list else []
        labels = {c.name: text_in(c.label, language, form.default_language) for c in choices}
        values = value if isinstance(value, list) else [str(value)]
        return ", ".join(labels.get(v) or v for v in values)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def has_pipes(texts: Mapping[str, str]) -> bool:
    """Whether a label quotes answers (``${field}``) in any language."""
    return any(_PIPE.search(text) for text in texts.values())


def pipe(text: str, form: Form, answers: Mapping[str, Answer], language: str) -> str:
    """``text`` with each ``${field}`` replaced by that answer as the respondent reads
    it (choice labels, not codes); an unanswered field leaves a blank, as in ODK."""

    def answer(match: re.Match[str]) -> str:
        value = answers.get(match.group(1))
        if value is None or value == "":
            return ""
        question = form.find(match.group(1))
        if question is None:
            return str(value)
        return answer_text(question, value, form, language)

    return _PIPE.sub(answer, text)
