"""One question's result without decoding every answer of every response.

:func:`summarise_question` fetches only the question and the fields its
relevance reads, grouped by value in the database (one query whatever the
number of responses), and summarises them with
:func:`peerlearn.surveys.analysis.summarise` on the form cut down to that
question (its groups' labels and relevance kept): the same
:class:`~peerlearn.surveys.analysis.QuestionResult`, k-suppression included,
as summarising every whole response and picking that question
(``tests/evidence/test_figures.py::test_survey_headline_is_the_summary_of_every_whole_response``,
``tests/theory/test_one_question.py``).  Used by the dashboard's survey
headlines and by the theory of change's ``survey_question`` evidence.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Func, QuerySet, TextField

if TYPE_CHECKING:
    from peerlearn.surveys.analysis import QuestionPlan, QuestionResult
    from peerlearn.surveys.xlsform import Instrument as Form


class AnswerJSON(Func):
    """The JSON text of one answer (``None`` when absent), typed as stored on both databases.

    Grouping by it counts each distinct answer in the database; ``json.loads``
    gives back the value a response's ``answers`` dict holds (a string stays a
    string, a number a number, a list a list).
    """

    output_field = TextField()

    def __init__(self, name: str) -> None:
        super().__init__(F("answers"))
        self.name = name

    def as_sql(self, compiler, connection, function=None, template=None, arg_joiner=None, **extra):
        """PostgreSQL: the ``->`` of one key, as JSON text."""
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) -> %s)::text", [*params, self.name]

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        path = '$."' + self.name.replace('"', '""') + '"'
        return f"JSON_QUOTE(JSON_EXTRACT({sql}, %s))", [*params, path]


def reads(item: QuestionPlan) -> list[str]:
    """The question's name and every field its relevance chain reads."""
    from peerlearn.surveys.xlsform.expressions import ExpressionError, references

    names = {item.question.name}
    for expression in item.chain:
        try:
            names |= set(references(expression))
        except ExpressionError:
            continue  # unparseable: always relevant, reads nothing
    return sorted(names)


def grouped_answers(responses: QuerySet, names: list[str]) -> Iterator[dict[str, Any]]:
    """Each response's answers to ``names``: one grouped query, each group repeated."""
    aliases = {f"a{i}": AnswerJSON(name) for i, name in enumerate(names)}
    rows = responses.order_by().annotate(**aliases).values(*aliases).annotate(n=Count("pk"))
    for row in rows:
        answers = {
            name: json.loads(row[alias])
            for alias, name in zip(aliases, names, strict=True)
            if row[alias] is not None
        }
        yield from itertools.repeat(answers, row["n"])


def only(form: Form, item: QuestionPlan) -> Form:
    """``form`` holding only ``item``'s question, inside its groups (their labels and
    relevance kept): what :func:`summarise` needs for that one question."""
    node: Any = item.question
    for group in reversed(item.groups):
        node = replace(group, children=[node])
    return replace(form, items=[node])


def summarise_question(
    form: Form, item: QuestionPlan, responses: QuerySet, *, k: int
) -> QuestionResult | None:
    """``item``'s result over ``responses`` (a queryset of responses to ``form``);
    ``None`` when :func:`summarise` shows no question (fewer than k responses)."""
    from peerlearn.surveys.analysis import summarise

    answers = grouped_answers(responses, reads(item))
    questions = summarise(only(form, item), answers, k=k, language=None).questions
    return questions[0] if questions else None
