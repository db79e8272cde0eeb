"""Survey results without Django: counts, shares, numbers, comparisons, suppression.

Everything here works on the parsed form (:class:`~peerlearn.surveys.xlsform.Instrument`)
and plain answer dicts (``{"useful": "4", "topics": ["hr", "budget"], ...}``; a
missing key means "not answered").  The web pages and exports call it; the
tests call it directly.

Decisions
---------
* **Denominator** of a question: the responses for which it was *relevant*,
  i.e. its own ``relevant`` and those of all enclosing groups evaluate true.
  An expression that cannot be evaluated counts as relevant (the question was
  shown).  An answer stored for a question that was not relevant is ignored,
  as ODK and Kobo blank such answers.
* **Answered**: relevant and not empty (``None``, blank text, empty list).
* **Shares** are over the people who answered the question; for
  ``select_multiple`` they therefore add up to more than 100 %.
* **k-suppression** (``k`` = the instrument's ``min_respondents``): a set of
  fewer than ``k`` responses shows nothing at all; a question answered by
  fewer than ``k`` people shows only that fact (not even the count).  In
  breakdowns, a group or cell below ``k`` is suppressed and, because the
  overall figures are shown beside them, one more group or cell is suppressed
  with it (complementary suppression) so the hidden one cannot be recovered
  by subtraction.
* **Speed**: one pass over the responses; relevance expressions are evaluated
  once per distinct combination of the answers they refer to (memoised), so
  10,000 responses x 10 questions take a few tens of milliseconds.

>>> from peerlearn.surveys.xlsform import Question, Instrument as Form
>>> form = Form(items=[Question("integer", "age", {"en": "Age"})])
>>> result = summarise(form, [{"age": 30}, {"age": 40}, {}], k=2, language="en")
>>> q = result.questions[0]
>>> (q.answered, q.respondents, q.numbers.mean)
(2, 3, 35.0)
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from peerlearn.surveys.languages import text_in
from peerlearn.surveys.xlsform import ExpressionError, Group, Question, evaluate
from peerlearn.surveys.xlsform import Instrument as Form
from peerlearn.surveys.xlsform.expressions import references
from peerlearn.surveys.xlsform.model import Item

__all__ = [
    "Bin",
    "Breakdown",
    "BreakdownRow",
    "ChoiceCount",
    "ChoiceDifference",
    "Comparison",
    "ComparisonRow",
    "DateSummary",
    "GroupColumn",
    "NumberSummary",
    "QuestionPlan",
    "QuestionResult",
    "Relevance",
    "RepeatResults",
    "SurveyResults",
    "answered_counts",
    "breakdown",
    "choice_codes",
    "compare",
    "is_empty",
    "plan",
    "summarise",
    "summarise_by_group",
    "summarise_repeats",
    "text_in",
]

Answers = Mapping[str, object]

#: Integer questions with at most this many distinct values get one bar per value.
MAX_VALUE_BINS = 12
#: Otherwise values are grouped into this many equal-width bins.
RANGE_BINS = 8


# ----------------------------------------------------------------- labels


# ----------------------------------------------------------------- plan


@dataclass(frozen=True)
class QuestionPlan:
    """An answerable question with the ``relevant`` expressions that gate it.

    ``chain`` holds the enclosing groups' expressions (outermost first) then the
    question's own; ``groups`` the enclosing groups (outermost first).
    """

    question: Question
    chain: tuple[str, ...]
    groups: tuple[Group, ...]


def plan(form: Form, *, calculated: bool = False) -> list[QuestionPlan]:
    """The answerable questions of ``form`` in form order, with their relevance chains
    (and, when ``calculated``, the computed fields too: exports carry them)."""
    plans: list[QuestionPlan] = []

    def visit(items: Sequence[Item], chain: tuple[str, ...], groups: tuple) -> None:
        for item in items:
            own = (item.relevant.strip(),) if item.relevant.strip() else ()
            if isinstance(item, Group):
                visit(item.children, chain + own, groups + (item,))
            elif isinstance(item, Question) and (
                item.answerable or (calculated and bool(item.calculation))
            ):
                plans.append(QuestionPlan(item, chain + own, groups))

    visit(form.items, (), ())
    return plans


def _freeze(value: object) -> object:
    """A hashable stand-in for an answer (lists become tuples)."""
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(str(v) for v in value)
    if isinstance(value, dict):
        return repr(sorted(value.items()))
    return value


class Relevance:
    """Evaluates relevance chains, memoised on the answers each expression reads.

    Most responses share the same few values of the fields a ``relevant``
    refers to (a yes/no, a count), so each expression is really evaluated only
    a handful of times however many responses there are.
    """

    _MEMO_LIMIT = 200_000

    def __init__(self, plans: Sequence[QuestionPlan]) -> None:
        self.chains: list[tuple[str, ...]] = []
        index: dict[tuple[str, ...], int] = {}
        self.chain_of: list[int] = []
        for item in plans:
            if item.chain not in index:
                index[item.chain] = len(self.chains)
                self.chains.append(item.chain)
            self.chain_of.append(index[item.chain])
        self._refs: dict[str, tuple[str, ...] | None] = {}
        self._memo: dict[tuple[object, ...], bool] = {}
        # Every field some chain reads: the flags of a response depend on these only.
        self._reads = tuple(
            sorted(
                {name for chain in self.chains for e in chain for name in self._references(e) or ()}
            )
        )
        self._always = [True] * len(self.chain_of)
        self._flags: dict[tuple[object, ...], list[bool]] = {}

    def _references(self, expression: str) -> tuple[str, ...] | None:
        if expression not in self._refs:
            try:
                self._refs[expression] = tuple(sorted(references(expression)))
            except ExpressionError:
                self._refs[expression] = None  # unparseable: always relevant
        return self._refs[expression]

    def expression(self, expression: str, answers: Answers) -> bool:
        refs = self._references(expression)
        if refs is None:
            return True
        try:
            key = (expression, *(_freeze(answers.get(name)) for name in refs))
            hash(key)
        except TypeError:
            return self._evaluate(expression, answers)
        known = self._memo.get(key)
        if known is None:
            if len(self._memo) > self._MEMO_LIMIT:
                self._memo.clear()
            known = self._memo[key] = self._evaluate(expression, answers)
        return known

    @staticmethod
    def _evaluate(expression: str, answers: Answers) -> bool:
        try:
            return evaluate(expression, answers)
        except (ExpressionError, TypeError, ValueError):
            return True  # shown to the respondent, so it counts

    def flags(self, answers: Answers) -> list[bool]:
        """For each question of the plan: was it relevant for these answers?

        Memoised on the values of the fields the chains read; the list
        returned is shared, so callers must not change it.
        """
        if not self._reads:  # no expression reads a field: relevant everywhere
            return self._always
        try:
            key = tuple(_freeze(answers.get(name)) for name in self._reads)
            hash(key)
        except TypeError:
            return self._compute(answers)
        found = self._flags.get(key)
        if found is None:
            if len(self._flags) > self._MEMO_LIMIT:
                self._flags.clear()
            found = self._flags[key] = self._compute(answers)
        return found

    def _compute(self, answers: Answers) -> list[bool]:
        by_chain = [all(self.expression(e, answers) for e in chain) for chain in self.chains]
        return [by_chain[i] for i in self.chain_of]


def is_empty(value: object) -> bool:
    """Whether an answer counts as not given.

    >>> [is_empty(v) for v in (None, "", "  ", [], 0, "no", ["a"])]
    [True, True, True, True, False, False, False]
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set | frozenset):
        return len(value) == 0
    return False


def answered_counts(
    form: Form, answers_list: Iterable[Answers], *, calculated: bool = False
) -> tuple[int, dict[str, int]]:
    """Responses and, per question name, relevant non-empty answers: one streaming pass.

    Used by exports, which must not hold every response in memory (``calculated``:
    count the computed fields too).
    """
    plans = plan(form, calculated=calculated)
    relevance = Relevance(plans)
    names = [p.question.name for p in plans]
    counts = [0] * len(plans)
    responses = 0
    for answers in answers_list:
        responses += 1
        for i, relevant in enumerate(relevance.flags(answers)):
            if relevant and not is_empty(answers.get(names[i])):
                counts[i] += 1
    return responses, dict(zip(names, counts, strict=True))


def relevant_answers(form: Form) -> tuple[list[QuestionPlan], Relevance]:
    """The plan and a relevance evaluator for it (exports blank non-relevant answers)."""
    plans = plan(form)
    return plans, Relevance(plans)


# ----------------------------------------------------------------- results


@dataclass(frozen=True)
class ChoiceCount:
    """One choice of a select question: how many chose it and their share."""

    name: str
    label: str
    count: int
    share: float  # 0..1, over those who answered the question

    @property
    def percent(self) -> int:
        """Share as a whole percentage, 0..100 (for bars and tables)."""
        return min(100, max(0, round(self.share * 100)))


@dataclass(frozen=True)
class Bin:
    """A bar of a number distribution: values in ``label``'s range."""

    label: str
    count: int
    share: float

    @property
    def percent(self) -> int:
        return min(100, max(0, round(self.share * 100)))


@dataclass(frozen=True)
class NumberSummary:
    n: int
    mean: float
    median: float
    minimum: float
    maximum: float
    bins: list[Bin]


@dataclass(frozen=True)
class DateSummary:
    n: int
    earliest: date
    latest: date


@dataclass
class QuestionResult:
    """The results of one question.

    When ``suppressed`` (fewer than ``k`` answers) every number is ``None`` and
    every list empty: what is not here cannot leak into a page or export.
    """

    name: str
    label: str
    type: str
    sections: tuple[str, ...]
    suppressed: bool
    respondents: int | None = None
    answered: int | None = None
    choices: list[ChoiceCount] = field(default_factory=list)
    numbers: NumberSummary | None = None
    dates: DateSummary | None = None
    texts: list[str] = field(default_factory=list)

    @property
    def is_choice(self) -> bool:
        return self.type in ("select_one", "select_multiple")


@dataclass
class SurveyResults:
    """Results of a set of responses; ``suppressed`` when fewer than ``k``."""

    k: int
    language: str | None
    suppressed: bool
    responses: int | None
    questions: list[QuestionResult]


class _Tally:
    """Accumulates the answers of one question during the single pass."""

    __slots__ = ("add", "answered", "choices", "dates", "numbers", "respondents", "texts")

    def __init__(self, kind: str) -> None:
        self.respondents = 0
        self.answered = 0
        self.choices: Counter[str] = Counter()
        self.numbers: list[float] = []
        self.dates: list[str] = []
        self.texts: list[str] = []
        adders = {
            "select_one": self._add_one,
            "select_multiple": self._add_many,
            "integer": self._add_number,
            "decimal": self._add_number,
            "date": self._add_date,
        }
        self.add = adders.get(kind, self._add_text)

    def _add_one(self, value: object) -> None:
        self.answered += 1
        self.choices[str(value)] += 1

    def _add_many(self, value: object) -> None:
        self.answered += 1
        self.choices.update(set(choice_codes(value)))

    def _add_number(self, value: object) -> None:
        self.answered += 1
        number = _as_number(value)
        if number is not None:
            self.numbers.append(number)

    def _add_date(self, value: object) -> None:
        self.answered += 1
        self.dates.append(str(value)[:10])

    def _add_text(self, value: object) -> None:
        self.answered += 1
        self.texts.append(str(value))

    def merge(self, other: _Tally) -> None:
        self.respondents += other.respondents
        self.answered += other.answered
        self.choices.update(other.choices)
        self.numbers += other.numbers
        self.dates += other.dates
        self.texts += other.texts


def choice_codes(value: object) -> list[str]:
    """The codes of a ``select_multiple`` answer (a list, or text separated by spaces).

    >>> choice_codes(["a", "b"]), choice_codes("a b"), choice_codes(3)
    (['a', 'b'], ['a', 'b'], ['3'])
    """
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list | tuple | set | frozenset):
        return [str(v) for v in value]
    return [str(value)]


def _as_number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(str(value).strip())
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def summarise(
    form: Form, answers_list: Iterable[Answers], *, k: int, language: str | None
) -> SurveyResults:
    """Results per question of ``answers_list``, suppressed below ``k``.

    Parameters
    ----------
    form : Instrument
        The parsed form.
    answers_list : iterable of mappings
        One mapping per response (read once).
    k : int
        Minimum number of respondents shown (at least 1).
    language : str or None
        Language code for labels (falls back to the form's default language).
    """
    k = max(1, int(k))
    plans = plan(form)
    totals, _groups = _accumulate(plans, ((answers, None) for answers in answers_list))
    return _results(form, plans, totals, k, language)


class _Totals:
    """Responses and per-question tallies of one set of responses."""

    __slots__ = ("responses", "tallies")

    def __init__(self, kinds: Sequence[str]) -> None:
        self.responses = 0
        self.tallies = [_Tally(kind) for kind in kinds]

    def merge(self, other: _Totals) -> None:
        self.responses += other.responses
        for mine, theirs in zip(self.tallies, other.tallies, strict=True):
            mine.merge(theirs)


def _accumulate(
    plans: Sequence[QuestionPlan], rows: Iterable[tuple[Answers, str | None]]
) -> tuple[_Totals, dict[str, _Totals]]:
    """The single pass: totals per group, merged into the overall totals at the end.

    A row without a group counts in the overall totals only.
    """
    relevance = Relevance(plans)
    kinds = [p.question.type for p in plans]
    names = [p.question.name for p in plans]
    overall = _Totals(kinds)
    groups: dict[str, _Totals] = {}
    for answers, group in rows:
        if group is None:
            totals = overall
        else:
            totals = groups.get(group) or groups.setdefault(group, _Totals(kinds))
        totals.responses += 1
        flags = relevance.flags(answers)
        for tally, name, relevant in zip(totals.tallies, names, flags, strict=True):
            if not relevant:
                continue
            tally.respondents += 1
            value = answers.get(name)
            if value is not None and not is_empty(value):
                tally.add(value)
    for totals in groups.values():
        overall.merge(totals)
    return overall, groups


def _results(
    form: Form, plans: Sequence[QuestionPlan], totals: _Totals, k: int, language: str | None
) -> SurveyResults:
    if totals.responses < k:
        return SurveyResults(k, language, True, None, [])
    questions = [
        _result(form, item, tally, k, language)
        for item, tally in zip(plans, totals.tallies, strict=True)
    ]
    return SurveyResults(k, language, False, totals.responses, questions)


@dataclass
class RepeatResults:
    """Results of one repeat's questions, counted over instances.

    ``respondents`` is the number of responses with at least one instance,
    ``instances`` the instances they hold.  k counts **respondents**, never
    instances: the repeat is suppressed when fewer than ``k`` responses have
    an instance, and a question when fewer than ``k`` responses answered it in
    any instance (five peers listed by one person are one respondent).
    ``answered`` and the shares of each question count instances.
    """

    name: str
    label: str
    suppressed: bool
    respondents: int | None
    instances: int | None
    questions: list[QuestionResult]


def summarise_repeats(
    form: Form, answers_list: Sequence[Answers], *, k: int, language: str | None
) -> list[RepeatResults]:
    """One :class:`RepeatResults` per repeat of ``form`` (see there for k).

    >>> from peerlearn.surveys.xlsform import Question, Instrument as Form
    >>> from peerlearn.surveys.xlsform.model import Repeat
    >>> form = Form(items=[Repeat("peers", children=[Question("integer", "met")])])
    >>> rows = [{"peers": [{"met": 2}, {"met": 4}, {"met": 6}]}, {"peers": [{"met": 1}]}]
    >>> (one,) = summarise_repeats(form, rows, k=2, language=None)
    >>> (one.respondents, one.instances, one.questions[0].answered)
    (2, 4, 4)
    >>> summarise_repeats(form, rows[:1], k=2, language=None)[0].suppressed
    True
    """
    from peerlearn.surveys.xlsform.expressions import POSITION

    k = max(1, int(k))
    found = []
    for repeat in form.repeats():
        inner = repeat.form(form)
        plans = plan(inner)
        label = text_in(repeat.label, language, form.default_language) or repeat.name
        rows: list[tuple[Answers, str | None]] = []
        answered_by: list[set[int]] = [set() for _ in plans]
        respondents = 0
        for number, answers in enumerate(answers_list):
            instances = answers.get(repeat.name)
            if not isinstance(instances, list) or not instances:
                continue
            respondents += 1
            outer = {key: v for key, v in answers.items() if key != repeat.name}
            for index, instance in enumerate(instances):
                if not isinstance(instance, Mapping):
                    continue
                merged = {**outer, **instance, POSITION: index + 1}
                rows.append((merged, None))
                for position, item in enumerate(plans):
                    if not is_empty(instance.get(item.question.name)):
                        answered_by[position].add(number)
        if respondents < k:
            found.append(RepeatResults(repeat.name, label, True, None, None, []))
            continue
        totals, _groups = _accumulate(plans, rows)
        questions = []
        for item, tally, people in zip(plans, totals.tallies, answered_by, strict=True):
            result = _result(inner, item, tally, 1, language)
            if len(people) < k:
                result = QuestionResult(
                    result.name, result.label, result.type, result.sections, suppressed=True
                )
            questions.append(result)
        found.append(RepeatResults(repeat.name, label, False, respondents, len(rows), questions))
    return found


def summarise_by_group(
    form: Form,
    rows: Iterable[tuple[Answers, str]],
    groups: Sequence[str],
    *,
    k: int,
    language: str | None,
) -> tuple[SurveyResults, Breakdown]:
    """Overall results and the breakdown by ``groups`` in one pass over ``rows``.

    ``rows`` are ``(answers, group)`` pairs; ``groups`` fixes the columns (a
    group without responses is a suppressed column).  Equivalent to
    :func:`summarise` plus :func:`breakdown`, at the cost of one pass.
    """
    k = max(1, int(k))
    plans = plan(form)
    overall, by_group = _accumulate(plans, rows)
    return _results(form, plans, overall, k, language), _breakdown(
        form, plans, groups, by_group, k, language
    )


def _result(
    form: Form, item: QuestionPlan, tally: _Tally, k: int, language: str | None
) -> QuestionResult:
    question = item.question
    default = form.default_language
    label = text_in(question.label, language, default) or question.name
    sections = tuple(
        text_in(g.label, language, default)
        for g in item.groups
        if text_in(g.label, language, default)
    )
    result = QuestionResult(question.name, label, question.type, sections, suppressed=True)
    if tally.answered < k:
        return result
    result.suppressed = False
    result.respondents, result.answered = tally.respondents, tally.answered
    if result.is_choice:
        result.choices = _choices(form, question, tally, language)
    elif question.type in ("integer", "decimal"):
        result.numbers = _numbers(tally.numbers, integer=question.type == "integer")
    elif question.type == "date":
        result.dates = _dates(tally.dates)
    else:
        # Sorted, never in submission order: with anonymous instruments the
        # order could be matched with the invitations' submission times.
        result.texts = sorted(tally.texts, key=lambda text: (text.casefold(), text))
    return result


def _choices(
    form: Form, question: Question, tally: _Tally, language: str | None
) -> list[ChoiceCount]:
    """Counts in form order, then any stored code the list does not know (label = code)."""
    answered = tally.answered
    choice_list = form.choice_lists.get(question.list_name or "")
    known = choice_list.choices if choice_list else []
    rows = [
        ChoiceCount(
            c.name,
            text_in(c.label, language, form.default_language) or c.name,
            tally.choices.get(c.name, 0),
            tally.choices.get(c.name, 0) / answered,
        )
        for c in known
    ]
    names = {c.name for c in known}
    for code in sorted(set(tally.choices) - names):
        rows.append(ChoiceCount(code, code, tally.choices[code], tally.choices[code] / answered))
    return rows


def _format(value: float) -> str:
    return f"{value:g}" if not value.is_integer() else str(int(value))


def _numbers(values: list[float], *, integer: bool) -> NumberSummary | None:
    if not values:
        return None
    values = sorted(values)
    n = len(values)
    return NumberSummary(
        n=n,
        mean=math.fsum(values) / n,
        median=statistics.median(values),
        minimum=values[0],
        maximum=values[-1],
        bins=_bins(values, integer=integer),
    )


def _bins(values: list[float], *, integer: bool) -> list[Bin]:
    """One bar per value for small integer ranges, else equal-width ranges."""
    n = len(values)
    low, high = values[0], values[-1]
    if integer and high - low < MAX_VALUE_BINS:
        counts = Counter(int(v) for v in values)
        return [
            Bin(str(v), counts.get(v, 0), counts.get(v, 0) / n)
            for v in range(int(low), int(high) + 1)
        ]
    if low == high:
        return [Bin(_format(low), n, 1.0)]
    if integer:
        width = float(math.ceil((high - low + 1) / RANGE_BINS))
    else:
        width = (high - low) / RANGE_BINS
    counts = Counter(min(int((v - low) // width), RANGE_BINS - 1) for v in values)
    bins = []
    for i in range(RANGE_BINS):
        start = low + i * width
        if start > high:
            break
        if integer:
            end = min(start + width - 1, high)
            label = _format(start) if end == start else f"{_format(start)}–{_format(end)}"
        else:
            end = high if i == RANGE_BINS - 1 else start + width
            label = f"{start:.3g}–{end:.3g}"
        bins.append(Bin(label, counts.get(i, 0), counts.get(i, 0) / n))
    return bins


def _dates(values: list[str]) -> DateSummary | None:
    parsed = []
    for value in values:
        try:
            parsed.append(date.fromisoformat(value))
        except ValueError:
            continue
    if not parsed:
        return None
    return DateSummary(len(parsed), min(parsed), max(parsed))


# ----------------------------------------------------------------- comparison


@dataclass(frozen=True)
class ChoiceDifference:
    """One choice on both sides; ``difference`` in percentage points (b - a)."""

    name: str
    label: str
    a: ChoiceCount | None
    b: ChoiceCount | None

    @property
    def difference(self) -> float | None:
        if self.a is None or self.b is None:
            return None
        return (self.b.share - self.a.share) * 100


@dataclass
class ComparisonRow:
    """One question on both sides: ``None`` for a side suppressed as a whole."""

    name: str
    label: str
    type: str
    a: QuestionResult | None
    b: QuestionResult | None
    choices: list[ChoiceDifference] = field(default_factory=list)

    @property
    def both_shown(self) -> bool:
        return (
            self.a is not None
            and self.b is not None
            and not self.a.suppressed
            and not self.b.suppressed
        )

    @property
    def mean_difference(self) -> float | None:
        """Mean of b minus mean of a, only when both sides are shown."""
        if not self.both_shown:
            return None
        assert self.a is not None and self.b is not None
        if self.a.numbers is None or self.b.numbers is None:
            return None
        return self.b.numbers.mean - self.a.numbers.mean


@dataclass
class Comparison:
    a: SurveyResults
    b: SurveyResults
    rows: list[ComparisonRow]


def compare(
    form: Form,
    a: Iterable[Answers],
    b: Iterable[Answers],
    *,
    k: int,
    language: str | None,
) -> Comparison:
    """Two sets of responses to the same form side by side, each suppressed on its own."""
    left = summarise(form, a, k=k, language=language)
    right = summarise(form, b, k=k, language=language)
    by_name_a = {q.name: q for q in left.questions}
    by_name_b = {q.name: q for q in right.questions}
    rows = []
    for item in plan(form):
        question = item.question
        qa, qb = by_name_a.get(question.name), by_name_b.get(question.name)
        label = text_in(question.label, language, form.default_language) or question.name
        row = ComparisonRow(question.name, label, question.type, qa, qb)
        if question.type in ("select_one", "select_multiple"):
            row.choices = _choice_differences(qa, qb)
        rows.append(row)
    return Comparison(left, right, rows)


def _choice_differences(
    a: QuestionResult | None, b: QuestionResult | None
) -> list[ChoiceDifference]:
    shown_a = {c.name: c for c in a.choices} if a is not None else {}
    shown_b = {c.name: c for c in b.choices} if b is not None else {}
    order: dict[str, str] = {}
    for side in (a, b):
        for c in side.choices if side is not None else []:
            order.setdefault(c.name, c.label)
    return [
        ChoiceDifference(name, label, shown_a.get(name), shown_b.get(name))
        for name, label in order.items()
    ]


# ----------------------------------------------------------------- breakdown


@dataclass
class GroupColumn:
    """A respondent group of a breakdown; ``responses`` is ``None`` when suppressed."""

    key: str
    responses: int | None
    suppressed: bool
    complementary: bool = False  # suppressed only to protect another group


@dataclass
class BreakdownRow:
    """One question across groups; a cell is ``None`` when its group is suppressed."""

    name: str
    label: str
    type: str
    cells: list[QuestionResult | None]

    @property
    def any_shown(self) -> bool:
        return any(cell is not None and not cell.suppressed for cell in self.cells)

    def choice_table(self) -> list[tuple[str, list[ChoiceCount | None]]]:
        """Rows of (choice label, that choice in each group or ``None`` where hidden)."""
        order: dict[str, str] = {}
        for cell in self.cells:
            for choice in cell.choices if cell is not None else []:
                order.setdefault(choice.name, choice.label)
        by_cell = [
            {c.name: c for c in cell.choices} if cell is not None else {} for cell in self.cells
        ]
        return [(label, [found.get(name) for found in by_cell]) for name, label in order.items()]


@dataclass
class Breakdown:
    k: int
    groups: list[GroupColumn]
    rows: list[BreakdownRow]

    @property
    def any_shown(self) -> bool:
        return any(not g.suppressed for g in self.groups)


def breakdown(
    form: Form,
    groups: Mapping[str, Iterable[Answers]],
    *,
    k: int,
    language: str | None,
) -> Breakdown:
    """Results per respondent group (e.g. ``{"participant": [...], "control": [...]}``).

    Each group below ``k`` responses, and each cell below ``k`` answers, is
    suppressed; when exactly one is, the smallest other one goes with it,
    because the overall results are shown next to the breakdown and the
    hidden figures could otherwise be found by subtraction.
    """
    k = max(1, int(k))
    plans = plan(form)
    keys = list(groups)
    _overall, by_group = _accumulate(plans, ((a, key) for key in keys for a in groups[key]))
    return _breakdown(form, plans, keys, by_group, k, language)


def _breakdown(
    form: Form,
    plans: Sequence[QuestionPlan],
    keys: Sequence[str],
    by_group: Mapping[str, _Totals],
    k: int,
    language: str | None,
) -> Breakdown:
    empty = _Totals([p.question.type for p in plans])
    totals = [by_group.get(key, empty) for key in keys]
    summaries = [_results(form, plans, t, k, language) for t in totals]
    sizes = [t.responses for t in totals]
    suppressed_groups = {i for i, s in enumerate(summaries) if s.suppressed}
    complementary = _complement(suppressed_groups, sizes)
    hidden = suppressed_groups | complementary
    columns = [
        GroupColumn(
            key, None if i in hidden else summaries[i].responses, i in hidden, i in complementary
        )
        for i, key in enumerate(keys)
    ]
    rows = []
    for position, item in enumerate(plans):
        question = item.question
        cells: list[QuestionResult | None] = [
            None if i in hidden else summaries[i].questions[position] for i in range(len(keys))
        ]
        _complement_cells(cells, hidden)
        label = text_in(question.label, language, form.default_language) or question.name
        rows.append(BreakdownRow(question.name, label, question.type, cells))
    return Breakdown(k, columns, rows)


def _complement(suppressed: set[int], sizes: list[int]) -> set[int]:
    """The group to suppress with a single suppressed one (the smallest other)."""
    if len(suppressed) != 1 or len(sizes) < 2:
        return set()
    others = [i for i in range(len(sizes)) if i not in suppressed]
    return {min(others, key=lambda i: (sizes[i], i))}


def _complement_cells(cells: list[QuestionResult | None], hidden_groups: set[int]) -> None:
    """Suppress one more cell when exactly one cell of a question is suppressed."""
    suppressed = [
        i for i, c in enumerate(cells) if i not in hidden_groups and c is not None and c.suppressed
    ]
    if len(suppressed) + len(hidden_groups) != 1:
        return
    shown = [i for i, c in enumerate(cells) if c is not None and not c.suppressed]
    if not shown:
        return
    smallest = min(shown, key=lambda i: (cells[i].answered or 0, i))  # type: ignore[union-attr]
    cell = cells[smallest]
    assert cell is not None
    cells[smallest] = QuestionResult(cell.name, cell.label, cell.type, cell.sections, True)
