"""Other engines' expressions in OrderGate's Python: Camunda 7 / Flowable JUEL (`${...}`,
`#{...}`), Camunda 8 FEEL (`=...`) and the `execution.setVariable(...)` lines of Groovy and
JavaScript scripts. Only what means the same in Python is translated: comparisons, and / or /
not, arithmetic, string and number literals, true / false / null, variables and `a.b` map
access. Anything else (function calls, FEEL ranges and lists, JUEL `empty`, method calls) is
not translated: the caller keeps the text and asks the owner.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from .expressions import check_expression

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>\d+(?:\.\d+)?)
      | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<op>&&|\|\||==|!=|<=|>=|<|>|=|!|\+|-|\*|/|%|\(|\)|\.|,)
      | (?P<name>[A-Za-z_][A-Za-z_0-9]*)
    )""",
    re.VERBOSE,
)
_WORDS = {
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "le": "<=",
    "gt": ">",
    "ge": ">=",
    "div": "/",
    "mod": "%",
}
_COMPARE = ("==", "!=", "<", "<=", ">", ">=")
# Python precedence of each node kind: a child of lower precedence gets parentheses.
_PRECEDENCE = {
    "or": 1,
    "and": 2,
    "not": 3,
    "cmp": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "%": 6,
    "neg": 7,
}


class NotTranslated(Exception):
    """The text uses something without a Python meaning we are sure of."""


@dataclass
class _Parser:
    tokens: list[tuple[str, str]]
    feel: bool
    pos: int = 0

    def peek(self, offset: int = 0) -> tuple[str, str]:
        i = self.pos + offset
        return self.tokens[i] if i < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        token = self.peek()
        self.pos += 1
        return token

    def expect(self, value: str) -> None:
        if self.take()[1] != value:
            raise NotTranslated(f"expected {value!r}")

    def is_word(self, *words: str) -> bool:
        kind, value = self.peek()
        return kind == "name" and value in words

    def parse(self) -> tuple:
        node = self.or_()
        if self.peek()[0] != "end":
            raise NotTranslated(f"unexpected {self.peek()[1]!r}")
        return node

    def or_(self) -> tuple:
        node = self.and_()
        while self.peek()[1] == "||" or self.is_word("or"):
            self.take()
            node = ("or", node, self.and_())
        return node

    def and_(self) -> tuple:
        node = self.not_()
        while self.peek()[1] == "&&" or self.is_word("and"):
            self.take()
            node = ("and", node, self.not_())
        return node

    def not_(self) -> tuple:
        if self.peek()[1] == "!" or self.is_word("not"):
            self.take()
            return ("not", self.not_())
        return self.compare()

    def compare(self) -> tuple:
        node = self.add()
        kind, value = self.peek()
        op = _WORDS.get(value, value) if kind in ("op", "name") else ""
        if op == "=" and self.feel:
            op = "=="
        if op in _COMPARE:
            self.take()
            node = ("cmp", op, node, self.add())
            if self.peek()[1] in _COMPARE or _WORDS.get(self.peek()[1]) in _COMPARE:
                raise NotTranslated("chained comparison")
        return node

    def add(self) -> tuple:
        node = self.mul()
        while self.peek()[1] in ("+", "-"):
            node = (self.take()[1], node, self.mul())
        return node

    def mul(self) -> tuple:
        node = self.unary()
        while self.peek()[1] in ("*", "/", "%") or self.is_word("div", "mod"):
            op = self.take()[1]
            node = (_WORDS.get(op, op), node, self.unary())
        return node

    def unary(self) -> tuple:
        if self.peek()[1] == "-":
            self.take()
            return ("neg", self.unary())
        return self.primary()

    def primary(self) -> tuple:
        kind, value = self.take()
        if kind == "number":
            return ("lit", float(value) if "." in value else int(value))
        if kind == "string":
            return ("lit", _unquote(value))
        if value == "(":
            node = self.or_()
            self.expect(")")
            return node
        if kind != "name":
            raise NotTranslated(f"unexpected {value!r}")
        if value in ("true", "false"):
            return ("lit", value == "true")
        if value == "null":
            return ("lit", None)
        if value in _WORDS or value in ("empty", "instanceof", "in", "between", "some", "every"):
            raise NotTranslated(f"the operator {value!r}")
        if value == "execution" and self.peek()[1] == ".":
            return self.get_variable()
        if self.peek()[1] == "(":
            raise NotTranslated(f"the function {value}()")
        node: tuple = ("var", value)
        while self.peek()[1] == "." and self.peek(1)[0] == "name":
            self.take()
            key = self.take()[1]
            if self.peek()[1] == "(":
                raise NotTranslated(f"the method {key}()")
            node = ("item", node, key)
        return node

    def get_variable(self) -> tuple:
        """execution.getVariable("name") is the variable itself."""
        self.expect(".")
        if self.take()[1] != "getVariable":
            raise NotTranslated("a method of execution")
        self.expect("(")
        kind, value = self.take()
        if kind != "string":
            raise NotTranslated("getVariable without a literal name")
        self.expect(")")
        return ("var", _unquote(value))


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise NotTranslated(f"cannot read {text[pos : pos + 10]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


def _python(node: tuple, parent: int = 0) -> str:
    kind = node[0]
    if kind == "lit":
        text = repr(node[1])
    elif kind == "var":
        if not node[1].isidentifier() or node[1] in ("None", "True", "False"):
            raise NotTranslated(f"the name {node[1]!r}")
        text = node[1]
    elif kind == "item":
        text = f"{_python(node[1], 8)}[{node[2]!r}]"
    elif kind == "not":
        text = f"not {_python(node[1], 3)}"
    elif kind == "neg":
        text = f"-{_python(node[1], 7)}"
    elif kind == "cmp":
        op, left, right = node[1], node[2], node[3]
        if right == ("lit", None) or left == ("lit", None):
            other = left if right == ("lit", None) else right
            if op not in ("==", "!="):
                raise NotTranslated("an ordering against null")
            text = f"{_python(other, 5)} {'is' if op == '==' else 'is not'} None"
        else:
            text = f"{_python(left, 5)} {op} {_python(right, 5)}"
    elif kind in ("and", "or"):
        mine = _PRECEDENCE[kind]
        text = f"{_python(node[1], mine)} {kind} {_python(node[2], mine + 1)}"
    else:  # arithmetic
        mine = _PRECEDENCE[kind]
        text = f"{_python(node[1], mine)} {kind} {_python(node[2], mine + 1)}"
    mine = _PRECEDENCE.get(kind, 8)
    return f"({text})" if mine < parent else text


def foreign_body(text: str) -> tuple[str, bool] | None:
    """(the body, is FEEL) of a JUEL `${...}` / `#{...}` or FEEL `=...` text, else None."""
    stripped = (text or "").strip()
    if stripped[:2] in ("${", "#{") and stripped.endswith("}"):
        return stripped[2:-1], False
    if stripped.startswith("=") and not stripped.startswith("=="):
        return stripped[1:], True
    return None


def to_python(body: str, feel: bool) -> str:
    """The Python of one JUEL or FEEL expression body; raises NotTranslated."""
    try:
        node = _Parser(_tokens(body), feel).parse()
    except IndexError as exc:
        raise NotTranslated("incomplete expression") from exc
    python = _python(node)
    problem = check_expression(python)
    if problem:
        raise NotTranslated(problem)
    return python


def translate(text: str) -> str:
    """The Python of a whole JUEL or FEEL expression; raises NotTranslated."""
    found = foreign_body(text)
    if found is None:
        raise NotTranslated("not a JUEL or FEEL expression")
    return to_python(*found)


_SET_VARIABLE = re.compile(
    r"""^\s*execution\.setVariable\(\s*(['"])([A-Za-z_][A-Za-z_0-9]*)\1\s*,\s*(.+?)\s*\)\s*;?\s*$"""
)


def script_to_python(script: str) -> str:
    """Python for a Groovy / JavaScript script made only of execution.setVariable("x", value)
    lines (blank lines and // comments allowed); raises NotTranslated."""
    lines = []
    for line in script.splitlines():
        if not line.strip() or line.strip().startswith("//"):
            continue
        match = _SET_VARIABLE.match(line)
        if not match:
            raise NotTranslated(f"the line {line.strip()!r}")
        lines.append(f"{match.group(2)} = {to_python(match.group(3), feel=False)}")
    if not lines:
        raise NotTranslated("an empty script")
    return "\n".join(lines)


# Names whose attributes are real attributes in the sandbox (docs/DEADLINES.md timers helpers).
_REAL_ATTRIBUTES = {"datetime", "timedelta", "date", "math", "decimal", "Decimal"}


def _chain(node: ast.Attribute) -> tuple[str, list[str]] | None:
    """(root name, attributes) of `a.b.c`, or None when the root is not a plain name."""
    attributes = []
    while isinstance(node, ast.Attribute):
        attributes.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id in _REAL_ATTRIBUTES:
        return None
    if any(a.startswith("_") for a in attributes):
        return None
    return node.id, attributes[::-1]


def dict_access(text: str, mode: str = "eval") -> str | None:
    """spiff-arena's Python reads task data as `po.total` (its data are dot-dicts); OrderGate's
    data are plain dicts: `po['total']`. The text with each such read rewritten (everything
    else, comments included, as written), or None when there is none or it is not Python."""
    try:
        tree = ast.parse(text, mode=mode)
    except (SyntaxError, ValueError):
        return None
    inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    calls = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    spans = []
    for n in ast.walk(tree):
        if not isinstance(n, ast.Attribute) or id(n) in inner or id(n) in calls:
            continue
        if not isinstance(n.ctx, ast.Load):
            continue
        chain = _chain(n)
        if chain:
            root, attributes = chain
            spans.append((n.lineno, n.col_offset, n.end_lineno, n.end_col_offset,
                          root + "".join(f"[{a!r}]" for a in attributes)))  # fmt: skip
    if not spans:
        return None
    data = text.encode("utf-8")  # ast offsets count UTF-8 bytes
    starts = [0]
    for line in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    for line, col, end_line, end_col, replacement in sorted(spans, reverse=True):
        start, end = starts[line - 1] + col, starts[end_line - 1] + end_col
        data = data[:start] + replacement.encode("utf-8") + data[end:]
    return data.decode("utf-8")
