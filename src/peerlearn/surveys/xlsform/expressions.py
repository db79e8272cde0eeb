"""A small, safe parser and evaluator for ``relevant`` and ``constraint``.

The supported subset of XLSForm (XPath) expressions:

- field references ``${name}`` and the current answer ``.``;
- numbers (``3``, ``-1.5``) and strings (``'yes'`` or ``"yes"``);
- comparisons ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``;
- ``and``, ``or``, ``not(...)`` and parentheses;
- ``selected(${field}, 'value')``, ``string-length(.)``, ``count-selected(${field})``.

Nothing is passed to :func:`eval`: expressions are tokenised, parsed into a
small tree and interpreted.

Examples
--------
>>> evaluate("${age} >= 18 and selected(${roles}, 'chair')", {"age": 40, "roles": ["chair"]})
True
>>> evaluate("string-length(.) <= 5", {}, current="too long")
False
>>> sorted(references("${a} = 1 or not(selected(${b}, 'x'))"))
['a', 'b']
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

__all__ = [
    "FUNCTIONS",
    "ExpressionError",
    "check",
    "evaluate",
    "parse",
    "references",
]

#: Supported functions and their number of arguments.
FUNCTIONS: dict[str, int] = {
    "not": 1,
    "selected": 2,
    "string-length": 1,
    "count-selected": 1,
}
_COMPARISONS = ("!=", "<=", ">=", "=", "<", ">")

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<ref>\$\{(?P<refname>[^}]*)\})
  | (?P<number>\d+(?:\.\d+)?|\.\d+)
  | (?P<current>\.(?![\w.]))
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<op>!=|<=|>=|=|<|>)
  | (?P<punct>[(),])
  | (?P<word>[A-Za-z_][\w.:-]*)
  | (?P<other>.)
    """,
    re.VERBOSE,
)
_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")


class ExpressionError(ValueError):
    """The expression is outside the supported subset or malformed.

    Parameters
    ----------
    message : str
        Plain-English explanation.
    position : int
        Character offset (0-based) where the problem was noticed.
    """

    def __init__(self, message: str, position: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


# --- syntax tree -----------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """``${name}``."""

    name: str


@dataclass(frozen=True)
class Current:
    """``.``, the answer being checked."""


@dataclass(frozen=True)
class Literal:
    """A number or a string."""

    value: str | float


@dataclass(frozen=True)
class Compare:
    """``left OP right``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class BoolOp:
    """``a and b and ...`` or ``a or b or ...``."""

    op: str
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Call:
    """A call of one of :data:`FUNCTIONS`."""

    name: str
    args: tuple[Node, ...]


Node = Ref | Current | Literal | Compare | BoolOp | Call


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    pos: int


def _tokenise(expression: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(expression):
        kind = match.lastgroup or "other"
        text = match.group()
        pos = match.start()
        if kind == "ws":
            continue
        if kind == "ref":
            kind, text = "ref", match.group("refname").strip()
            if not _NAME.match(text):
                raise ExpressionError(f"'${{{text}}}' is not a valid field reference", pos)
        elif kind == "other":
            if text == "-":
                kind = "minus"
            elif text in "+*|":
                raise ExpressionError(f"operator '{text}' is not supported", pos)
            elif text == "/":
                raise ExpressionError(
                    "'/' is not supported (no division or paths: write ${name} for a field)", pos
                )
            elif text in "${":
                raise ExpressionError("field references are written ${name}", pos)
            else:
                raise ExpressionError(f"unexpected character '{text}'", pos)
        tokens.append(_Token(kind, text, pos))
    tokens.append(_Token("end", "", len(expression)))
    return tokens


class _Parser:
    def __init__(self, expression: str) -> None:
        self.tokens = _tokenise(expression)
        self.i = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def advance(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def is_word(self, word: str) -> bool:
        return self.tok.kind == "word" and self.tok.text == word

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise ExpressionError("the expression is empty", 0)
        node = self.or_expr()
        if self.tok.kind != "end":
            if self.tok.text == ")":
                raise ExpressionError("unbalanced parentheses: unexpected ')'", self.tok.pos)
            raise ExpressionError(f"unexpected '{self.tok.text}'", self.tok.pos)
        return node

    def or_expr(self) -> Node:
        operands = [self.and_expr()]
        while self.is_word("or"):
            self.advance()
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else BoolOp("or", tuple(operands))

    def and_expr(self) -> Node:
        operands = [self.comparison()]
        while self.is_word("and"):
            self.advance()
            operands.append(self.comparison())
        return operands[0] if len(operands) == 1 else BoolOp("and", tuple(operands))

    def no_arithmetic(self) -> None:
        if self.tok.kind == "word" and self.tok.text in ("div", "mod"):
            raise ExpressionError(f"operator '{self.tok.text}' is not supported", self.tok.pos)
        if self.tok.kind == "minus":
            raise ExpressionError("operator '-' is not supported", self.tok.pos)

    def comparison(self) -> Node:
        left = self.primary()
        self.no_arithmetic()
        if self.tok.kind == "op":
            op = self.advance().text
            right = self.primary()
            self.no_arithmetic()
            if self.tok.kind == "op":
                raise ExpressionError(
                    "chained comparisons are not supported; join them with 'and'", self.tok.pos
                )
            return Compare(op, left, right)
        return left

    def primary(self) -> Node:
        tok = self.advance()
        if tok.kind == "ref":
            return Ref(tok.text)
        if tok.kind == "current":
            return Current()
        if tok.kind == "number":
            return Literal(float(tok.text))
        if tok.kind == "minus" and self.tok.kind == "number":
            return Literal(-float(self.advance().text))
        if tok.kind == "string":
            return Literal(tok.text[1:-1])
        if tok.text == "(":
            node = self.or_expr()
            if self.tok.text != ")":
                raise ExpressionError("unbalanced parentheses: missing ')'", self.tok.pos)
            self.advance()
            return node
        if tok.kind == "word":
            return self.call(tok)
        if tok.kind == "end":
            raise ExpressionError("the expression ends too early", tok.pos)
        if tok.text == ")":
            raise ExpressionError("unbalanced parentheses: unexpected ')'", tok.pos)
        raise ExpressionError(f"unexpected '{tok.text}'", tok.pos)

    def call(self, tok: _Token) -> Node:
        name = tok.text
        if self.tok.text != "(":
            if name in ("and", "or"):
                raise ExpressionError(f"'{name}' needs something on both sides", tok.pos)
            if name in ("div", "mod"):
                raise ExpressionError(f"operator '{name}' is not supported", tok.pos)
            raise ExpressionError(
                f"unexpected word '{name}': write ${{{name}}} for a field or '{name}' for text",
                tok.pos,
            )
        if name not in FUNCTIONS:
            supported = ", ".join(f"{f}()" for f in FUNCTIONS)
            raise ExpressionError(
                f"function {name}() is not supported (supported: {supported})", tok.pos
            )
        self.advance()
        args: list[Node] = []
        if self.tok.text != ")":
            args.append(self.or_expr())
            while self.tok.text == ",":
                self.advance()
                args.append(self.or_expr())
        if self.tok.text != ")":
            raise ExpressionError("unbalanced parentheses: missing ')'", self.tok.pos)
        self.advance()
        if len(args) != FUNCTIONS[name]:
            raise ExpressionError(
                f"{name}() takes {FUNCTIONS[name]} argument(s), got {len(args)}", tok.pos
            )
        return Call(name, tuple(args))


@lru_cache(maxsize=1024)
def parse(expression: str) -> Node:
    """Parse ``expression`` into a syntax tree.

    Raises
    ------
    ExpressionError
        If the expression is malformed or uses anything outside the subset.

    Examples
    --------
    >>> parse("${a} = 'x'")
    Compare(op='=', left=Ref(name='a'), right=Literal(value='x'))
    """
    return _Parser(expression).parse()


def _walk(node: Node) -> list[Node]:
    out: list[Node] = [node]
    if isinstance(node, Compare):
        out += _walk(node.left) + _walk(node.right)
    elif isinstance(node, BoolOp | Call):
        children = node.operands if isinstance(node, BoolOp) else node.args
        for child in children:
            out += _walk(child)
    return out


def references(expression: str) -> set[str]:
    """Return the field names referenced as ``${name}`` in ``expression``."""
    return {n.name for n in _walk(parse(expression)) if isinstance(n, Ref)}


def check(expression: str, fields: set[str] | frozenset[str]) -> list[str]:
    """Return the problems of ``expression`` (empty list when it is fine).

    Parameters
    ----------
    expression : str
        The expression to check.
    fields : set of str
        Names that ``${...}`` may refer to.

    Examples
    --------
    >>> check("${a} = 1 and (${b} > 2", {"a", "b"})
    ["unbalanced parentheses: missing ')' (at character 23)"]
    >>> check("${zz} = 1", {"a"})
    ['${zz} does not refer to any field of the form']
    """
    try:
        node = parse(expression)
    except ExpressionError as err:
        return [f"{err.message} (at character {err.position + 1})"]
    names = [n.name for n in _walk(node) if isinstance(n, Ref)]
    unknown = sorted({name for name in names if name not in fields})
    return [f"${{{name}}} does not refer to any field of the form" for name in unknown]


# --- evaluation ------------------------------------------------------------------

_Value = str | float | bool | tuple[str, ...]


def _value(answer: object) -> _Value:
    if answer is None:
        return ""
    if isinstance(answer, bool | str):
        return answer
    if isinstance(answer, int | float):
        return float(answer)
    if isinstance(answer, datetime | date):
        return answer.isoformat()
    if isinstance(answer, list | tuple | set | frozenset):
        return tuple(str(a) for a in answer)
    return str(answer)


def _string(value: _Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, tuple):
        return " ".join(value)
    return value


def _number(value: _Value) -> float:
    if isinstance(value, bool | float):
        return float(value)
    try:
        return float(_string(value).strip())
    except ValueError:
        return math.nan


def _boolean(value: _Value) -> bool:
    if isinstance(value, float):
        return value != 0 and not math.isnan(value)
    return bool(value)


def _items(value: _Value) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else tuple(_string(value).split())


def _order(op: str, x: float | str, y: float | str) -> bool:
    if op == "<":
        return x < y  # type: ignore[operator]
    if op == "<=":
        return x <= y  # type: ignore[operator]
    if op == ">":
        return x > y  # type: ignore[operator]
    return x >= y  # type: ignore[operator]


def _compare(op: str, a: _Value, b: _Value) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        x, y = _boolean(a), _boolean(b)
        if op in ("=", "!="):
            return (x == y) == (op == "=")
        return _order(op, float(x), float(y))
    if isinstance(a, float) or isinstance(b, float):
        nx, ny = _number(a), _number(b)
        if op == "=":
            return nx == ny
        if op == "!=":
            return nx != ny
        return _order(op, nx, ny)
    sx, sy = _string(a), _string(b)
    if op == "=":
        return sx == sy
    if op == "!=":
        return sx != sy
    nx, ny = _number(a), _number(b)
    if not (math.isnan(nx) or math.isnan(ny)):
        return _order(op, nx, ny)
    if sx and sy:  # e.g. ISO dates '2024-05-01' < '2024-06-01'
        return _order(op, sx, sy)
    return False


def _eval(node: Node, answers: Mapping[str, object], current: object) -> _Value:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Ref):
        return _value(answers.get(node.name))
    if isinstance(node, Current):
        return _value(current)
    if isinstance(node, Compare):
        return _compare(
            node.op, _eval(node.left, answers, current), _eval(node.right, answers, current)
        )
    if isinstance(node, BoolOp):
        results = (_boolean(_eval(o, answers, current)) for o in node.operands)
        return all(results) if node.op == "and" else any(results)
    args = [_eval(a, answers, current) for a in node.args]
    if node.name == "not":
        return not _boolean(args[0])
    if node.name == "selected":
        return _string(args[1]) in _items(args[0])
    if node.name == "string-length":
        return float(len(_string(args[0])))
    return float(len(_items(args[0])))  # count-selected


def evaluate(expression: str, answers: Mapping[str, object], current: object = None) -> bool:
    """Evaluate ``expression`` against ``answers`` and return its truth value.

    Parameters
    ----------
    expression : str
        A ``relevant`` or ``constraint`` expression of the supported subset.
    answers : mapping
        Answers by field name. Numbers, strings, dates, booleans and, for
        ``select_multiple``, lists of choice names (or a space-separated
        string). Missing or ``None`` answers count as empty text ``''``.
    current : object, optional
        The answer ``.`` stands for (the one a constraint checks).

    Returns
    -------
    bool
        The XPath truth value: non-empty text and non-zero numbers are true.
        Comparisons with a number compare numerically (an empty or non-numeric
        side makes them false); two texts compare numerically when both are
        numbers, otherwise as text (so ISO dates order correctly).

    Raises
    ------
    ExpressionError
        If the expression is not in the supported subset.

    Examples
    --------
    >>> evaluate("count-selected(${m}) >= 2", {"m": "a b"})
    True
    >>> evaluate("${x} > 3", {"x": ""})
    False
    """
    return _boolean(_eval(parse(expression), answers, current))
