"""A small, safe parser and evaluator for ``relevant``, ``constraint``,
``calculation``, ``default`` and ``choice_filter``.

The supported subset of XLSForm (XPath) expressions:

- field references ``${name}`` and the current answer ``.``;
- numbers (``3``, ``-1.5``) and strings (``'yes'`` or ``"yes"``);
- arithmetic ``+``, ``-``, ``*``, ``div``, ``mod`` (calculated scores);
- comparisons ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``;
- ``and``, ``or``, ``not(...)`` and parentheses;
- the functions in :data:`FUNCTIONS` (``selected``, ``if``, ``concat``...);
- in a ``choice_filter`` only, bare names (``country``) standing for a column
  of the choice being filtered (see :func:`check` and ``choice=``).

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

import regex

__all__ = [
    "FUNCTIONS",
    "POSITION",
    "ExpressionError",
    "check",
    "choice_matches",
    "compute",
    "evaluate",
    "parse",
    "references",
]

#: Supported functions and their (fewest, most) arguments; ``None``: any number.
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "not": (1, 1),
    "selected": (2, 2),
    "string-length": (1, 1),
    "count-selected": (1, 1),
    "selected-at": (2, 2),
    "if": (3, 3),
    "coalesce": (2, 2),
    "concat": (1, None),
    "contains": (2, 2),
    "starts-with": (2, 2),
    "ends-with": (2, 2),
    "substr": (2, 3),
    "number": (1, 1),
    "int": (1, 1),
    "string": (1, 1),
    "round": (1, 2),
    "true": (0, 0),
    "false": (0, 0),
    "boolean": (1, 1),
    "max": (1, None),
    "min": (1, None),
    "sum": (1, None),
    "once": (1, 1),
    "today": (0, 0),
    "regex": (2, 2),
}
#: Key of the answers mapping holding the instance number ``position(..)``
#: returns inside a repeat (1 for the first; not a valid field name).
POSITION = "position(..)"
#: Longest a ``regex()`` may run on one answer before it counts as no match
#: (a badly written pattern must not hang the server).
REGEX_SECONDS = 0.05
#: Functions that are real XLSForm but need what peerlearn does not have.
_UNSUPPORTED_FUNCTIONS = {
    "pulldata": "pulldata() reads external CSV files, which peerlearn does not have",
    "now": "now() is not supported (answers must not depend on the moment they are checked)",
    "random": "random() is not supported",
    "uuid": "uuid() is not supported",
    "indexed-repeat": "indexed-repeat() is not supported: refer to ${field} inside the repeat, "
    "which means the same instance",
    "instance": "instance() (external data) is not supported",
    "jr:choice-name": "jr:choice-name() is not supported",
}
_COMPARISONS = ("!=", "<=", ">=", "=", "<", ">")

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<ref>\$\{(?P<refname>[^}]*)\})
  | (?P<number>\d+(?:\.\d+)?|\.\d+)
  | (?P<parent>\.\.)
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


@dataclass(frozen=True)
class Arith:
    """``left OP right`` with ``OP`` one of ``+ - * div mod``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Name:
    """A bare name: a column of the choice a ``choice_filter`` is looking at."""

    name: str
    pos: int = 0


Node = Ref | Current | Literal | Compare | BoolOp | Call | Arith | Name


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
            if text in "-+*":
                kind = "arith"
            elif text == "|":
                raise ExpressionError(f"operator '{text}' is not supported", pos)
            elif text == "/":
                raise ExpressionError(
                    "'/' is not supported (divide with 'div'; write ${name} for a field)", pos
                )
            elif text in "${":
                raise ExpressionError("field references are written ${name}", pos)
            elif text in "'\"":
                raise ExpressionError(
                    f"the text starting with {text} is never closed (add the closing {text})", pos
                )
            else:
                raise ExpressionError(f"unexpected character '{text}'", pos)
        tokens.append(_Token(kind, text, pos))
    tokens.append(_Token("end", "", len(expression)))
    return tokens


class _Parser:
    def __init__(self, expression: str, names: bool = False) -> None:
        self.tokens = _tokenise(expression)
        self.i = 0
        self.names = names

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

    def comparison(self) -> Node:
        left = self.additive()
        if self.tok.kind == "op":
            op = self.advance().text
            right = self.additive()
            if self.tok.kind == "op":
                raise ExpressionError(
                    "chained comparisons are not supported; join them with 'and'", self.tok.pos
                )
            return Compare(op, left, right)
        return left

    def additive(self) -> Node:
        node = self.multiplicative()
        while self.tok.kind == "arith" and self.tok.text in "+-":
            op = self.advance().text
            node = Arith(op, node, self.multiplicative())
        return node

    def multiplicative(self) -> Node:
        node = self.unary()
        while (self.tok.kind == "arith" and self.tok.text == "*") or (
            self.tok.kind == "word" and self.tok.text in ("div", "mod")
        ):
            op = self.advance().text
            node = Arith(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.tok.kind == "arith" and self.tok.text == "-":
            self.advance()
            operand = self.unary()
            if isinstance(operand, Literal) and isinstance(operand.value, float):
                return Literal(-operand.value)
            return Arith("-", Literal(0.0), operand)
        return self.primary()

    def primary(self) -> Node:
        tok = self.advance()
        if tok.kind == "ref":
            return Ref(tok.text)
        if tok.kind == "current":
            return Current()
        if tok.kind == "number":
            return Literal(float(tok.text))
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
                raise ExpressionError(f"'{name}' needs a number on both sides", tok.pos)
            if not self.names:
                raise ExpressionError(
                    f"unexpected word '{name}': write ${{{name}}} for a field or '{name}' for text",
                    tok.pos,
                )
            return Name(name, tok.pos)
        if name in _UNSUPPORTED_FUNCTIONS:
            raise ExpressionError(_UNSUPPORTED_FUNCTIONS[name], tok.pos)
        if name == "position":
            return self.position(tok)
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
        fewest, most = FUNCTIONS[name]
        if len(args) < fewest or (most is not None and len(args) > most):
            wanted = str(fewest) if fewest == most else f"{fewest} to {most or 'any number of'}"
            raise ExpressionError(f"{name}() takes {wanted} argument(s), got {len(args)}", tok.pos)
        if name == "regex" and isinstance(args[1], Literal) and isinstance(args[1].value, str):
            try:
                regex.compile(args[1].value)
            except regex.error as err:
                raise ExpressionError(
                    f"'{args[1].value}' is not a valid regular expression ({err})", tok.pos
                ) from None
        return Call(name, tuple(args))

    def position(self, tok: _Token) -> Node:
        """``position(..)``: the number of the repeat instance (the only
        argument peerlearn knows: the enclosing repeat)."""
        self.advance()
        if self.advance().kind != "parent" or self.tok.text != ")":
            raise ExpressionError("only position(..) is supported", tok.pos)
        self.advance()
        return Call("position", ())


@lru_cache(maxsize=1024)
def parse(expression: str, names: bool = False) -> Node:
    """Parse ``expression`` into a syntax tree.

    ``names`` allows bare names (choice columns, in a ``choice_filter`` only).

    Raises
    ------
    ExpressionError
        If the expression is malformed or uses anything outside the subset.

    Examples
    --------
    >>> parse("${a} = 'x'")
    Compare(op='=', left=Ref(name='a'), right=Literal(value='x'))
    """
    return _Parser(expression, names).parse()


def _walk(node: Node) -> list[Node]:
    out: list[Node] = [node]
    if isinstance(node, Compare | Arith):
        out += _walk(node.left) + _walk(node.right)
    elif isinstance(node, BoolOp | Call):
        children = node.operands if isinstance(node, BoolOp) else node.args
        for child in children:
            out += _walk(child)
    return out


def references(expression: str) -> set[str]:
    """Return the field names referenced as ``${name}`` in ``expression``."""
    return {n.name for n in _walk(parse(expression)) if isinstance(n, Ref)}


def check(
    expression: str,
    fields: set[str] | frozenset[str],
    choice_columns: set[str] | frozenset[str] | None = None,
) -> list[str]:
    """Return the problems of ``expression`` (empty list when it is fine).

    Parameters
    ----------
    expression : str
        The expression to check.
    fields : set of str
        Names that ``${...}`` may refer to.
    choice_columns : set of str, optional
        For a ``choice_filter``: the columns of the choices sheet a bare name
        may refer to.  Elsewhere a bare name is a mistake (``${a} = yes``).

    Examples
    --------
    >>> check("${a} = 1 and (${b} > 2", {"a", "b"})
    ["unbalanced parentheses: missing ')' (at character 23)"]
    >>> check("${zz} = 1", {"a"})
    ['${zz} does not refer to any field of the form']
    >>> check("country = ${a}", {"a"}, {"name", "country"})
    []
    """
    try:
        node = parse(expression, choice_columns is not None)
    except ExpressionError as err:
        return [f"{err.message} (at character {err.position + 1})"]
    nodes = _walk(node)
    for bare in (n for n in nodes if isinstance(n, Name)):
        if choice_columns is not None and bare.name not in choice_columns:
            known = ", ".join(sorted(choice_columns))
            return [f"'{bare.name}' is not a column of the choices sheet (columns: {known})"]
    names = [n.name for n in nodes if isinstance(n, Ref)]
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


def _arith(op: str, a: _Value, b: _Value) -> float:
    x, y = _number(a), _number(b)
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if y == 0:
        return math.nan
    if op == "div":
        return x / y
    return math.fmod(x, y)


def _round(value: float, digits: float = 0.0) -> float:
    if math.isnan(value) or math.isnan(digits):
        return math.nan
    factor = 10 ** int(digits)
    return math.floor(value * factor + 0.5) / factor  # XPath rounds half up


def _regex_search(pattern: str, text: str) -> bool:
    """ODK's ``regex(value, pattern)``: does the pattern match anywhere in the value.

    Uses the ``regex`` module for its timeout: patterns come from form authors
    and values from respondents, and a backtracking pattern must not hang a worker.
    """
    try:
        return regex.search(pattern, text, timeout=REGEX_SECONDS) is not None
    except (regex.error, TimeoutError):
        return False


def _call(name: str, args: list[_Value]) -> _Value:
    if name == "not":
        return not _boolean(args[0])
    if name == "selected":
        return _string(args[1]) in _items(args[0])
    if name == "string-length":
        return float(len(_string(args[0])))
    if name == "count-selected":
        return float(len(_items(args[0])))
    if name == "selected-at":
        index, items = _number(args[1]), _items(args[0])
        return items[int(index)] if not math.isnan(index) and 0 <= index < len(items) else ""
    if name == "coalesce":
        return args[0] if _string(args[0]) else args[1]
    if name == "concat":
        return "".join(_string(a) for a in args)
    if name in ("contains", "starts-with", "ends-with"):
        text, part = _string(args[0]), _string(args[1])
        if name == "contains":
            return part in text
        return text.startswith(part) if name == "starts-with" else text.endswith(part)
    if name == "substr":
        text, begin = _string(args[0]), _number(args[1])
        if math.isnan(begin):
            return ""
        stop = None if len(args) < 3 or math.isnan(_number(args[2])) else int(_number(args[2]))
        return text[max(0, int(begin)) : stop]
    if name == "number":
        return _number(args[0])
    if name == "int":
        number = _number(args[0])
        return number if math.isnan(number) or math.isinf(number) else float(math.trunc(number))
    if name == "string":
        return _string(args[0])
    if name == "round":
        return _round(_number(args[0]), _number(args[1]) if len(args) > 1 else 0.0)
    if name == "today":
        return date.today().isoformat()
    if name == "regex":
        return _regex_search(_string(args[1]), _string(args[0]))
    if name in ("true", "false"):
        return name == "true"
    if name == "boolean":
        return _boolean(args[0])
    if name in ("max", "min", "sum"):
        numbers = [_number(a) for a in args]
        if name == "sum":
            return math.fsum(numbers)
        return max(numbers) if name == "max" else min(numbers)
    return args[0]  # once(): peerlearn computes on the server, once is every time


def _eval(
    node: Node,
    answers: Mapping[str, object],
    current: object,
    choice: Mapping[str, str] | None = None,
) -> _Value:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Ref):
        return _value(answers.get(node.name))
    if isinstance(node, Current):
        return _value(current)
    if isinstance(node, Name):
        return (choice or {}).get(node.name, "")
    if isinstance(node, Compare):
        return _compare(
            node.op,
            _eval(node.left, answers, current, choice),
            _eval(node.right, answers, current, choice),
        )
    if isinstance(node, Arith):
        return _arith(
            node.op,
            _eval(node.left, answers, current, choice),
            _eval(node.right, answers, current, choice),
        )
    if isinstance(node, BoolOp):
        results = (_boolean(_eval(o, answers, current, choice)) for o in node.operands)
        return all(results) if node.op == "and" else any(results)
    if node.name == "position":
        return _value(answers.get(POSITION))
    if node.name == "if":  # only the branch taken is evaluated
        taken = node.args[1] if _boolean(_eval(node.args[0], answers, current, choice)) else None
        return _eval(taken or node.args[2], answers, current, choice)
    return _call(node.name, [_eval(a, answers, current, choice) for a in node.args])


def compute(
    expression: str, answers: Mapping[str, object], current: object = None
) -> str | float | bool:
    """Evaluate a ``calculation`` or ``default`` and return its value.

    Numbers come back as ``float`` (``nan`` when a term is empty or not a
    number, as in ODK), texts as ``str``, a list of choices as the
    space-separated text ODK stores.

    Examples
    --------
    >>> compute("${a} + ${b} * 2", {"a": 1, "b": 3})
    7.0
    >>> compute("if(${a} > 2, 'high', 'low')", {"a": 1})
    'low'
    """
    value = _eval(parse(expression), answers, current)
    return _string(value) if isinstance(value, tuple) else value


def choice_matches(
    expression: str, answers: Mapping[str, object], choice: Mapping[str, str]
) -> bool:
    """Whether a ``choice_filter`` keeps ``choice`` (its columns by header name).

    Examples
    --------
    >>> choice_matches("country = ${c}", {"c": "ke"}, {"name": "nbi", "country": "ke"})
    True
    """
    return _boolean(_eval(parse(expression, True), answers, None, choice))


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
