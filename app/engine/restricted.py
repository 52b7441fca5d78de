"""The restricted compiler: a RestrictedPython policy tightened for BPMN expressions and scripts."""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from types import CodeType

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import RestrictingNodeTransformer, copy_locations

from .errors import EngineError

MAX_SOURCE_CHARS = 20_000
MAX_FORMAT_WIDTH = 1_000

# Builtins that exist in Python but must never be reachable from a diagram.
FORBIDDEN_NAMES = frozenset(
    (
        "eval exec open compile getattr setattr delattr hasattr globals locals vars dir type"
        " input breakpoint help exit quit memoryview object super classmethod staticmethod"
        " property print printed callable issubclass format iter next aiter anext id builtins"
        " license credits copyright bytearray"
    ).split()
)

# Attributes refused on any object: they format strings without a size limit that could be
# checked beforehand (padding methods are allowed: methods.py checks their width).
BLOCKED_ATTRIBUTES = frozenset("format format_map translate maketrans mro".split())

# Binary operators whose result can be far larger than their operands.
GUARDED_OPERATORS = {
    ast.Mult: "_mul_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
    ast.Add: "_add_",
    ast.Mod: "_mod_",
    ast.BitOr: "_or_",
    ast.BitXor: "_xor_",
    ast.BitAnd: "_and_",
    ast.Sub: "_sub_",
}

_NUMBER = re.compile(r"\d+")


def _name(identifier: str) -> ast.Name:
    return ast.Name(identifier, ast.Load())


def _wrap(guard: str, node: ast.expr) -> ast.Call:
    """guard(node), located where node is."""
    call = ast.Call(func=_name(guard), args=[node], keywords=[])
    copy_locations(call, node)
    return call


def _constant(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant)


class OrderGatePolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy, minus loops that cannot be bounded, imports and escapes."""

    def visit_While(self, node: ast.While) -> None:
        """Refuse while loops: they cannot be bounded."""
        self.error(node, "'while' loops are not allowed; loop with 'for' over a list instead.")

    def visit_Import(self, node: ast.AST) -> None:
        """Refuse imports."""
        self.error(node, "imports are not allowed.")

    visit_ImportFrom = visit_Import

    def visit_Try(self, node: ast.AST) -> None:
        """Refuse try blocks: they could swallow budget errors."""
        self.error(node, "'try' is not allowed; let errors stop the step so they get fixed.")

    visit_TryStar = visit_Try

    def visit_With(self, node: ast.AST) -> None:
        """Refuse with blocks."""
        self.error(node, "'with' blocks are not allowed.")

    def visit_ClassDef(self, node: ast.AST) -> None:
        """Refuse class definitions."""
        self.error(node, "class definitions are not allowed.")

    def visit_Global(self, node: ast.AST) -> None:
        """Refuse global statements."""
        self.error(node, "'global' is not allowed.")

    def visit_Raise(self, node: ast.AST) -> None:
        """Refuse raise (assert says it plainly)."""
        self.error(node, "'raise' is not allowed; use assert condition, 'message'.")

    def visit_Yield(self, node: ast.AST) -> None:
        """Refuse generators."""
        self.error(node, "generators ('yield') are not allowed.")

    visit_YieldFrom = visit_Yield

    def visit_Name(self, node: ast.Name) -> ast.AST:
        """Refuse dangerous builtins by name, then apply RestrictedPython's checks."""
        if node.id in FORBIDDEN_NAMES:
            self.error(node, f"'{node.id}' is not available in expressions or scripts.")
            return node
        return super().visit_Name(node)

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        """Refuse unbounded string padding and formatting methods."""
        if node.attr in BLOCKED_ATTRIBUTES:
            hint = "; use an f-string instead" if node.attr.startswith("format") else ""
            self.error(node, f"the '.{node.attr}' method is not allowed{hint}.")
        return super().visit_Attribute(node)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        """Route operators that can build huge values through a size-checking guard."""
        node = self.node_contents_visit(node)
        guard = GUARDED_OPERATORS.get(type(node.op))
        if guard is None:
            return node
        call = ast.Call(func=_name(guard), args=[node.left, node.right], keywords=[])
        copy_locations(call, node)
        return call

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        """Allow f-string fields only with small, constant format specifications; a container
        written into one is charged first."""
        spec = node.format_spec
        if spec is not None:
            parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
            for part in parts:
                if not isinstance(part, ast.Constant):
                    self.error(node, "f-string format specifications must be constant.")
                elif any(int(n) > MAX_FORMAT_WIDTH for n in _NUMBER.findall(str(part.value))):
                    self.error(node, f"f-string widths above {MAX_FORMAT_WIDTH} are not allowed.")
        # The (constant) specification is not visited: it must stay a plain JoinedStr.
        node.value = _wrap("_fmt_", self.visit(node.value))
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        """Charge an f-string's text once it is built."""
        return _wrap("_text_", self.node_contents_visit(node))

    def _charged_display(self, node: ast.expr, elements: list) -> ast.AST:
        # A display holding only constants is built at compile time; others are charged.
        if getattr(node, "ctx", None) is not None and not isinstance(node.ctx, ast.Load):
            return node
        if all(_constant(e) for e in elements):
            return node
        return _wrap("_new_", node)

    def visit_List(self, node: ast.List) -> ast.AST:
        """Charge a list display for all it holds."""
        node = super().visit_List(node)
        return self._charged_display(node, node.elts)

    def visit_Tuple(self, node: ast.Tuple) -> ast.AST:
        """Charge a tuple display for all it holds."""
        node = super().visit_Tuple(node)
        return self._charged_display(node, node.elts)

    def visit_Set(self, node: ast.Set) -> ast.AST:
        """Charge a set display for all it holds."""
        node = super().visit_Set(node)
        return self._charged_display(node, node.elts)

    def visit_Dict(self, node: ast.Dict) -> ast.AST:
        """Charge a dict display for all it holds; `**other` is charged before it is copied."""
        node = super().visit_Dict(node)
        node.values = [
            _wrap("_new_", v) if k is None else v
            for k, v in zip(node.keys, node.values, strict=True)
        ]
        return self._charged_display(node, [*node.keys, *node.values])

    def visit_Starred(self, node: ast.Starred) -> ast.AST:
        """Charge a *-unpacked value before it is copied into a display or a call."""
        node = super().visit_Starred(node)
        if isinstance(node.ctx, ast.Load):
            node.value = _wrap("_new_", node.value)
        return node

    def visit_keyword(self, node: ast.keyword) -> ast.AST:
        """Charge a **-unpacked mapping before it is copied into a call."""
        node = super().visit_keyword(node)
        if node.arg is None:
            node.value = _wrap("_new_", node.value)
        return node

    def visit_ListComp(self, node: ast.ListComp) -> ast.AST:
        """Charge every item a list comprehension adds, before it is added."""
        node = super().visit_ListComp(node)
        node.elt = _wrap("_new_", node.elt)
        return node

    def visit_SetComp(self, node: ast.SetComp) -> ast.AST:
        """Charge every item a set comprehension adds, before it is added."""
        node = super().visit_SetComp(node)
        node.elt = _wrap("_new_", node.elt)
        return node

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> ast.AST:
        """Charge every item a generator expression gives (it may be collected)."""
        node = super().visit_GeneratorExp(node)
        node.elt = _wrap("_new_", node.elt)
        return node

    def visit_DictComp(self, node: ast.DictComp) -> ast.AST:
        """Charge every key and value a dict comprehension adds, before it is added."""
        node = super().visit_DictComp(node)
        node.key = _wrap("_new_", node.key)
        node.value = _wrap("_new_", node.value)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        """Count every call of a script function against the step budget."""
        if node.decorator_list:
            self.error(node, "decorators are not allowed.")
        node = super().visit_FunctionDef(node)
        step = ast.Expr(ast.Call(func=_name("_step_"), args=[], keywords=[]))
        copy_locations(step, node)
        node.body.insert(0, step)
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        """Count every call of a lambda against the step budget."""
        node = super().visit_Lambda(node)
        body = ast.Call(func=_name("_step_"), args=[node.body], keywords=[])
        copy_locations(body, node.body)
        node.body = body
        return node


def _compile(source: str, mode: str) -> tuple[CodeType | None, str | None]:
    if not isinstance(source, str) or not source.strip():
        return None, "it is empty."
    if len(source) > MAX_SOURCE_CHARS:
        return None, f"it is longer than {MAX_SOURCE_CHARS} characters."
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    name = "<expression>" if mode == "eval" else "<script>"
    result = compiler(source, filename=name, policy=OrderGatePolicy)
    if result.errors:
        return None, "; ".join(_plain(e) for e in result.errors) + "."
    return result.code, None


def _plain(error: str) -> str:
    # RestrictedPython reports "Line 1: SyntaxError: ... at statement: '...'"; keep it short.
    return error.split(" at statement:")[0].rstrip(".")


@lru_cache(maxsize=4096)
def compile_cached(source: str, mode: str) -> tuple[CodeType | None, str | None]:
    """Compile under the policy once per distinct source; returns (code, refusal message)."""
    return _compile(source, mode)


def restricted_code(source: str, mode: str) -> CodeType:
    """The compiled code for source, or EngineError(kind="forbidden") if the policy refuses it."""
    code, problem = compile_cached(source, mode)
    if code is None:
        raise EngineError(
            "forbidden",
            f"This {'expression' if mode == 'eval' else 'script'} was refused: {problem}",
            detail=source[:500],
        )
    return code
