"""Run-time guards for restricted code: attribute, item, iteration, size and step limits."""

from __future__ import annotations

import builtins
import datetime as dt
import decimal
import operator
import re
import time
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence

from .errors import EngineError
from .restricted import BLOCKED_ATTRIBUTES

MAX_ITEMS = 10_000  # items one loop or comprehension may iterate
MAX_STEPS = 200_000  # iterations plus function calls per evaluation
MAX_SIZE = 1_000_000  # length of a string, list or tuple built by an operator or method
MAX_INT_BITS = 64_000  # size of an integer built by *, ** or <<
MAX_SECONDS = 2.0  # wall-clock time per evaluation, checked as steps are counted

# Attribute access is allowed on plain data only; functions, generators, types and frames
# never expose attributes, so no introspection chain can start.
DATA_TYPES = frozenset(
    {
        str,
        bytes,
        int,
        float,
        bool,
        complex,
        list,
        tuple,
        dict,
        set,
        frozenset,
        type(None),
        dt.date,
        dt.datetime,
        dt.time,
        dt.timedelta,
        decimal.Decimal,
        type({}.keys()),
        type({}.values()),
        type({}.items()),
    }
)
SEQUENCES = (str, bytes, list, tuple)
_PERCENT_FIELD = re.compile(r"%[#0 +\-]*(\*|\d+)?(?:\.(\*|\d+))?")


def _budget_error(message: str) -> EngineError:
    return EngineError("budget", message)


def _forbidden(message: str) -> EngineError:
    return EngineError("forbidden", message)


def _check_size(size: int) -> None:
    if size > MAX_SIZE:
        raise _budget_error(f"A value of more than {MAX_SIZE:,} items or characters was built.")


def _check_bits(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise _budget_error("A number that large cannot be computed here.")


def guarded_mul(a: Any, b: Any) -> Any:
    """a * b, refusing repeated sequences or integers beyond the size limits."""
    if isinstance(a, int) and isinstance(b, int):
        _check_bits(a.bit_length() + b.bit_length())
    elif isinstance(a, SEQUENCES) and isinstance(b, int):
        _check_size(len(a) * max(b, 0))
    elif isinstance(b, SEQUENCES) and isinstance(a, int):
        _check_size(len(b) * max(a, 0))
    return a * b


def guarded_pow(a: Any, b: Any) -> Any:
    """a ** b, refusing integer powers beyond the size limit."""
    if isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1:
        _check_bits(a.bit_length() * b)
    return a**b


def guarded_lshift(a: Any, b: Any) -> Any:
    """a << b, refusing integers beyond the size limit."""
    if isinstance(a, int) and isinstance(b, int) and a:
        _check_bits(a.bit_length() + b)
    return a << b


def guarded_add(a: Any, b: Any) -> Any:
    """a + b, refusing concatenations beyond the size limit."""
    if isinstance(a, SEQUENCES) and isinstance(b, SEQUENCES):
        _check_size(len(a) + len(b))
    return a + b


def guarded_mod(a: Any, b: Any) -> Any:
    """a % b, refusing %-format fields with huge or computed widths."""
    if isinstance(a, (str, bytes)):
        text = a.decode("latin-1") if isinstance(a, bytes) else a
        for match in _PERCENT_FIELD.finditer(text):
            for part in match.groups():
                if part == "*" or (part and int(part) > 1_000):
                    raise _budget_error("%-format widths above 1000 are not allowed.")
    return a % b


INPLACE = {
    "+=": guarded_add,
    "*=": guarded_mul,
    "**=": guarded_pow,
    "<<=": guarded_lshift,
    "%=": guarded_mod,
    "-=": operator.sub,
    "/=": operator.truediv,
    "//=": operator.floordiv,
    ">>=": operator.rshift,
    "&=": operator.and_,
    "|=": operator.or_,
    "^=": operator.xor,
    "@=": operator.matmul,
}


def guarded_inplace(op: str, x: Any, y: Any) -> Any:
    """x op= y for names, through the same guards as the binary operators."""
    return INPLACE[op](x, y)


def guarded_getitem(obj: Any, key: Any) -> Any:
    """obj[key] on plain data only."""
    if type(obj) not in DATA_TYPES:
        raise _forbidden(f"Items of a {type(obj).__name__} cannot be read here.")
    return obj[key]


def guarded_write(obj: Any) -> Any:
    """Allow item assignment and deletion on lists, dicts and sets only."""
    if type(obj) not in (dict, list, set):
        raise _forbidden(f"A {type(obj).__name__} cannot be changed here.")
    return obj


def guarded_apply(func: Callable, *args: Any, **kwargs: Any) -> Any:
    """Call with *args / **kwargs (RestrictedPython routes such calls here)."""
    return func(*args, **kwargs)


class Budget:
    """Steps, items and time spent by one evaluation; exceeding any raises kind "budget"."""

    def __init__(self) -> None:
        self.steps = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def step(self, value: Any = None) -> Any:
        """Count one step (a loop item or a function call); returns value for lambdas."""
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise _budget_error(f"The code ran more than {MAX_STEPS:,} steps; simplify it.")
        if not self.steps & 0x3FF and time.monotonic() > self.deadline:
            raise _budget_error(f"The code ran longer than {MAX_SECONDS} seconds; simplify it.")
        return value

    def getiter(self, obj: Any) -> Iterator:
        """iter(obj), limited to MAX_ITEMS items and counted against the step budget."""
        if isinstance(obj, (SEQUENCES, dict, set, frozenset, range)) and len(obj) > MAX_ITEMS:
            raise _budget_error(f"A loop over more than {MAX_ITEMS:,} items is not allowed.")
        return self._counted(iter(obj))

    def _counted(self, iterator: Iterator) -> Iterator:
        for count, item in enumerate(iterator, 1):
            if count > MAX_ITEMS:
                raise _budget_error(f"A loop over more than {MAX_ITEMS:,} items is not allowed.")
            self.step()
            yield item

    def getattr(self, obj: Any, name: str) -> Any:
        """obj.name on plain data, never underscore names or the unbounded string methods."""
        if not isinstance(name, str) or name.startswith("_") or name in BLOCKED_ATTRIBUTES:
            raise _forbidden(f"The attribute '{name}' is not available.")
        if type(obj) not in DATA_TYPES:
            raise _forbidden(f"Attributes of a {type(obj).__name__} are not available.")
        if isinstance(obj, (str, bytes)) and name in ("replace", "join"):
            return partial(_safe_replace if name == "replace" else self._safe_join, obj)
        if isinstance(obj, list) and name == "extend":
            return partial(self._safe_extend, obj)
        return getattr(obj, name)

    def _safe_join(self, sep: Any, items: Iterable) -> Any:
        parts = list(self.getiter(items))
        _check_size(sum(len(p) for p in parts if isinstance(p, SEQUENCES)) + len(sep) * len(parts))
        return sep.join(parts)

    def _safe_extend(self, target: list, items: Iterable) -> None:
        extra = list(self.getiter(items))
        _check_size(len(target) + len(extra))
        target.extend(extra)

    def range(self, *args: int) -> range:
        """range(), limited to MAX_ITEMS numbers."""
        numbers = range(*args)
        if len(numbers) > MAX_ITEMS:
            raise _budget_error(f"range() of more than {MAX_ITEMS:,} numbers is not allowed.")
        return numbers


def _safe_replace(text: Any, old: Any, new: Any, count: int = -1) -> Any:
    hits = text.count(old)
    hits = hits if count < 0 else min(hits, count)
    _check_size(len(text) + hits * max(len(new) - len(old), 0))
    return text.replace(old, new, count)


def _safe_sum(items: Iterable, start: Any = 0) -> Any:
    if not isinstance(start, (int, float, decimal.Decimal)):
        raise _forbidden("sum() only adds numbers.")
    return sum(items, start)


SAFE_BUILTINS = {
    name: getattr(builtins, name)
    for name in (
        "abs all any bool chr dict divmod enumerate filter float frozenset int isinstance len"
        " list map max min ord repr reversed round set sorted str tuple zip"
    ).split()
}
SAFE_BUILTINS["sum"] = _safe_sum


def restricted_globals(budget: Budget) -> dict[str, Any]:
    """The guard functions and builtins RestrictedPython-compiled code expects."""
    return {
        "__builtins__": dict(SAFE_BUILTINS, range=budget.range),
        "_getattr_": budget.getattr,
        "_getitem_": guarded_getitem,
        "_getiter_": budget.getiter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": guarded_write,
        "_inplacevar_": guarded_inplace,
        "_apply_": guarded_apply,
        "_step_": budget.step,
        "_mul_": guarded_mul,
        "_pow_": guarded_pow,
        "_lshift_": guarded_lshift,
        "_add_": guarded_add,
        "_mod_": guarded_mod,
    }


GUARD_NAMES = frozenset(restricted_globals(Budget()))
