"""Static check of expression text beyond the restricted compiler: constant arithmetic whose
result would be huge (which the run-time guards would stop anyway)."""

from __future__ import annotations

import ast
import math

# The same limits the run-time guards enforce (guards.py).
MAX_BITS = 64_000
MAX_ITEMS = 1_000_000
_UNKNOWN = object()


class _TooLarge(Exception):
    pass


class _Sized:
    """A long sequence known only by its length (never built)."""

    def __init__(self, length: int) -> None:
        self.length = length

    def __len__(self) -> int:
        return self.length


def short(text: str, limit: int = 60) -> str:
    """text on one line, cut to limit characters, for quoting in a message."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bits(value: int) -> int:
    return abs(value).bit_length()


def _pow(base: object, exponent: object) -> object:
    if isinstance(base, int) and isinstance(exponent, int) and exponent >= 0:
        if abs(base) > 1 and exponent * math.log2(abs(base)) > MAX_BITS:
            raise _TooLarge
        return base**exponent
    return _UNKNOWN


def _mult(left: object, right: object) -> object:
    if isinstance(left, int) and isinstance(right, int):
        if _bits(left) + _bits(right) > MAX_BITS:
            raise _TooLarge
        return left * right
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, str | bytes | tuple | list | _Sized) and isinstance(times, int):
            length = len(seq) * max(times, 0)
            if length > MAX_ITEMS:
                raise _TooLarge
            return _Sized(length) if isinstance(seq, _Sized) or length > 1000 else seq * times
    return _UNKNOWN


def _lshift(left: object, right: object) -> object:
    if isinstance(left, int) and isinstance(right, int) and right >= 0:
        if _bits(left) + right > MAX_BITS:
            raise _TooLarge
        return left << right
    return _UNKNOWN


_FOLDERS = {ast.Pow: _pow, ast.Mult: _mult, ast.LShift: _lshift}


def _fold(node: ast.AST) -> object:
    """The value of a constant expression small enough to compute, _UNKNOWN, or _TooLarge."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str | bytes):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _fold(node.operand)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return -value if isinstance(node.op, ast.USub) else value
        return _UNKNOWN
    if isinstance(node, ast.List | ast.Tuple) and len(node.elts) <= 1000:
        values = [_fold(e) for e in node.elts]
        if any(v is _UNKNOWN for v in values):
            return _UNKNOWN
        return values if isinstance(node, ast.List) else tuple(values)
    if isinstance(node, ast.BinOp):
        left, right = _fold(node.left), _fold(node.right)
        if left is _UNKNOWN or right is _UNKNOWN:
            return _UNKNOWN
        folder = _FOLDERS.get(type(node.op))
        if folder is not None:
            return folder(left, right)
        if isinstance(node.op, ast.Add | ast.Sub) and isinstance(left, int | float):
            try:
                return left + right if isinstance(node.op, ast.Add) else left - right
            except TypeError:
                return _UNKNOWN
    return _UNKNOWN


def constant_problem(src: str | None, mode: str = "eval") -> str | None:
    """Why constant arithmetic in src would produce a huge value (which the run-time guards would
    stop), or None. Only numbers, strings and lists written out in the text are computed."""
    try:
        tree = ast.parse((src or "").strip(), mode=mode)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None  # the restricted compiler reports it
    for node in ast.walk(tree):
        if not isinstance(node, ast.BinOp) or type(node.op) not in _FOLDERS:
            continue
        try:
            _fold(node)
        except _TooLarge:
            return (
                f"{short(ast.unparse(node))} would be far too large (over {MAX_BITS:,} bits "
                f"or {MAX_ITEMS:,} items); use smaller numbers."
            )
        except (OverflowError, ValueError, MemoryError, RecursionError):
            continue
    return None
