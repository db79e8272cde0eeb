"""The relevant/constraint expression subset: parsing, checking and evaluating."""

from __future__ import annotations

from datetime import date

import pytest

from peerlearn.surveys.xlsform.expressions import (
    ExpressionError,
    check,
    evaluate,
    parse,
    references,
)

ANSWERS: dict[str, object] = {
    "age": 42,
    "score": "3",
    "name": "Ana",
    "empty": "",
    "none": None,
    "roles": ["chair", "member"],
    "spaced": "a b c",
    "ratio": 0.5,
    "started": date(2024, 5, 1),
    "agreed": True,
}

TRUE_OR_FALSE = [
    ("${age} = 42", True),
    ("${age} != 42", False),
    ("${age} > 40 and ${age} < 50", True),
    ("${age} >= 42", True),
    ("${age} <= 41", False),
    ("${score} = 3", True),  # text answer compared with a number
    ("${score} > 2.5", True),
    ("${score} = '3'", True),
    ("${name} = 'Ana'", True),
    ('${name} = "Ana"', True),
    ("${name} != 'Ana'", False),
    ("${name} > 3", False),  # not a number: comparison is false
    ("${empty} = ''", True),
    ("${none} = ''", True),
    ("${missing} = ''", True),
    ("${missing} > 0", False),
    ("${missing} != 0", True),
    ("${ratio} < 1", True),
    ("${age} > -1", True),
    (".5 < 1", True),
    ("${started} < '2024-06-01'", True),
    ("${started} >= '2024-05-01'", True),
    ("${agreed} = ${agreed}", True),
    ("${age}", True),
    ("${empty}", False),
    ("'x'", True),
    ("0", False),
    ("selected(${roles}, 'chair')", True),
    ("selected(${roles}, 'guest')", False),
    ("selected(${spaced}, 'b')", True),
    ("selected(${name}, 'Ana')", True),
    ("selected(${missing}, 'x')", False),
    ("count-selected(${roles}) = 2", True),
    ("count-selected(${spaced}) = 3", True),
    ("count-selected(${missing}) = 0", True),
    ("string-length(${name}) = 3", True),
    ("string-length(${age}) = 2", True),
    ("string-length(${missing}) = 0", True),
    ("not(${age} > 50)", True),
    ("not(selected(${roles}, 'chair'))", False),
    ("${age} > 50 or ${name} = 'Ana'", True),
    ("${age} > 50 or ${name} = 'Bo'", False),
    ("${age} > 40 and (${name} = 'Bo' or ${score} = 3)", True),
    ("(${age} > 40 and ${name} = 'Bo') or ${score} = 4", False),
    ("${age} = 42 and ${name} = 'Ana' and count-selected(${roles}) > 1", True),
    ("  ${age}=42  ", True),
]


@pytest.mark.parametrize(("expression", "expected"), TRUE_OR_FALSE)
def test_evaluate(expression: str, expected: bool) -> None:
    assert evaluate(expression, ANSWERS) is expected


CURRENT = [
    ("string-length(.) <= 5", "short", True),
    ("string-length(.) <= 5", "too long", False),
    (". >= 0 and . <= 60", 30, True),
    (". >= 0 and . <= 60", 61, False),
    (". >= 0 and . <= 60", "12", True),
    (". <= ${age}", 50, False),
    (". != ''", None, False),
    ("not(selected(., 'none') and count-selected(.) > 1)", ["none"], True),
    ("not(selected(., 'none') and count-selected(.) > 1)", ["none", "ideas"], False),
    ("not(selected(., 'none') and count-selected(.) > 1)", "ideas network", True),
]


@pytest.mark.parametrize(("expression", "current", "expected"), CURRENT)
def test_evaluate_current_answer(expression: str, current: object, expected: bool) -> None:
    assert evaluate(expression, ANSWERS, current=current) is expected


BAD = [
    ("", "empty"),
    ("   ", "empty"),
    ("(${a} = 1", "missing ')'"),
    ("${a} = 1)", "unexpected ')'"),
    ("not(${a} = 1", "missing ')'"),
    ("((${a})", "missing ')'"),
    ("${a} =", "ends too early"),
    ("${a} = 1 and", "ends too early"),
    ("and ${a}", "needs something on both sides"),
    ("${a} + ", "ends too early"),
    ("div 2", "needs a number on both sides"),
    ("now() > ${a}", "now() is not supported"),
    ("regex(., '(')", "not a valid regular expression"),
    ("selected(${a})", "takes 2 argument(s), got 1"),
    ("not()", "takes 1 argument(s), got 0"),
    ("${a} = yes", "unexpected word 'yes'"),
    ("/data/a = 1", "'/' is not supported"),
    ("${a} | ${b}", "'|' is not supported"),
    ("pulldata('x', 'y', 'z', 'w')", "pulldata() reads external CSV files"),
    ("${a} = 1 ; 2", "unexpected character ';'"),
    ("${a b} = 1", "not a valid field reference"),
    ("$a = 1", "field references are written ${name}"),
    ("1 < ${a} < 3", "chained comparisons"),
    ("'unterminated = 1", "is never closed"),
    ("${a} = 1 ${b}", "unexpected"),
    ("__import__('os')", "__import__() is not supported"),
]


@pytest.mark.parametrize(("expression", "message"), BAD)
def test_malformed_expressions_are_refused(expression: str, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(expression)
    assert message in info.value.message
    with pytest.raises(ExpressionError):
        evaluate(expression, {})


def test_check_reports_unknown_references_and_syntax() -> None:
    assert check("${a} = 1 and ${b} = 2", {"a", "b"}) == []
    assert check("${a} = 1 and ${zz} = 2 and ${yy} = 3", {"a"}) == [
        "${yy} does not refer to any field of the form",
        "${zz} does not refer to any field of the form",
    ]
    assert check("${a} = (1", {"a"}) == ["unbalanced parentheses: missing ')' (at character 10)"]


def test_references() -> None:
    assert references("selected(${x}, 'a') or not(${y} > ${x}) and . = 1") == {"x", "y"}
    assert references("string-length(.) < 3") == set()


def test_no_python_evaluation() -> None:
    """Python syntax that would run under eval() is not an expression here."""
    for text in ("1 if True else 0", "[1][0]", "{'a': 1}", "lambda: 1", "a.__class__"):
        with pytest.raises(ExpressionError):
            parse(text)
