"""Run-time guards for restricted code: operators, items, attributes and builtins, each
checked against the evaluation's budget (budget.py) before it builds anything large."""

from __future__ import annotations

import builtins
import decimal
import operator
import re
from collections.abc import Callable, Iterable
from typing import Any

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence

from .budget import CONTAINER, SEQUENCES, SLOT, TEXT, Budget, budget_error, deep_cost, text_cost
from .dates import HELPERS
from .errors import EngineError
from .methods import DATA_TYPES, bound_method
from .restricted import BLOCKED_ATTRIBUTES

MAX_INT_DIGITS = 19_000  # int() of a Decimal: about MAX_INT_BITS
_PERCENT_FIELD = re.compile(r"%[#0 +\-]*(\*|\d+)?(?:\.(\*|\d+))?")
_CONTAINERS = (list, tuple, dict, set, frozenset)

__all__ = ["DATA_TYPES", "GUARD_NAMES", "Budget", "Guards", "restricted_globals"]


def _forbidden(message: str) -> EngineError:
    return EngineError("forbidden", message)


def _repeat_cost(seq: Any, times: int, budget: Budget) -> int:
    if isinstance(seq, (str, bytes)):
        return TEXT + (text_cost(seq) - TEXT) * times
    # Each repetition holds everything seq holds again.
    held = deep_cost(seq, budget.remaining() // max(times, 1) + CONTAINER + 1) - CONTAINER
    return CONTAINER + held * times


class Guards:
    """The guard functions of one evaluation, all charging one Budget."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self._inplace = {
            "+=": self.add,
            "*=": self.mul,
            "**=": self.pow,
            "<<=": self.lshift,
            "%=": self.mod,
            "|=": self.set_op(operator.or_),
            "^=": self.set_op(operator.xor),
            "&=": self.set_op(operator.and_),
            "-=": self.set_op(operator.sub),
            "/=": operator.truediv,
            "//=": operator.floordiv,
            ">>=": operator.rshift,
            "@=": operator.matmul,
        }

    # --- operators -------------------------------------------------------------------
    def mul(self, a: Any, b: Any) -> Any:
        """a * b, refusing repeated sequences or integers beyond the limits."""
        if isinstance(a, int) and isinstance(b, int):
            self._number(a.bit_length() + b.bit_length())
        elif isinstance(b, int) and isinstance(a, SEQUENCES):
            self._repeat(a, b)
        elif isinstance(a, int) and isinstance(b, SEQUENCES):
            self._repeat(b, a)
        return a * b

    def _repeat(self, seq: Any, times: int) -> None:
        if times > 0 and seq:
            self.budget.check_size(len(seq) * times)
            self.budget.charge(_repeat_cost(seq, times, self.budget))

    def pow(self, a: Any, b: Any) -> Any:
        """a ** b, refusing integer powers beyond the size limit."""
        if isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1:
            self._number(a.bit_length() * b)
        return a**b

    def lshift(self, a: Any, b: Any) -> Any:
        """a << b, refusing integers beyond the size limit."""
        if isinstance(a, int) and isinstance(b, int) and a:
            self._number(a.bit_length() + b)
        return a << b

    def _number(self, bits: int) -> None:
        # Refuse integers past the limit; charge the digits of big ones.
        self.budget.check_bits(bits)
        if bits > 62:
            self.budget.charge(bits // 8)

    def add(self, a: Any, b: Any) -> Any:
        """a + b; a concatenation is charged for all both sides hold."""
        if isinstance(a, SEQUENCES) and isinstance(b, SEQUENCES):
            self.budget.check_size(len(a) + len(b))
            self.budget.charge_deep(a)
            self.budget.charge_deep(b)
        return a + b

    def mod(self, a: Any, b: Any) -> Any:
        """a % b, refusing %-format fields with huge or computed widths."""
        if not isinstance(a, (str, bytes)):
            return a % b
        text = a.decode("latin-1") if isinstance(a, bytes) else a
        for match in _PERCENT_FIELD.finditer(text):
            for part in match.groups():
                if part == "*" or (part and int(part) > 1_000):
                    raise budget_error("%-format widths above 1000 are not allowed.")
        self.budget.charge_deep(b)
        return self.budget.charge_text(a % b)

    def set_op(self, op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        """|, ^, & and - : a new set or dict is charged for what it can hold."""

        def guarded(a: Any, b: Any) -> Any:
            if isinstance(a, _CONTAINERS) or isinstance(b, _CONTAINERS):
                if op in (operator.or_, operator.xor):
                    self.budget.charge_deep(a)
                    self.budget.charge_deep(b)
                else:
                    self.budget.charge(CONTAINER + 3 * SLOT * len(a))
            return op(a, b)

        return guarded

    def inplace(self, op: str, x: Any, y: Any) -> Any:
        """x op= y for names, through the same guards as the binary operators."""
        return self._inplace[op](x, y)

    # --- items and attributes --------------------------------------------------------
    def getitem(self, obj: Any, key: Any) -> Any:
        """obj[key] on plain data only; a slice is charged as the copy it makes."""
        if type(obj) not in DATA_TYPES:
            raise _forbidden(f"Items of a {type(obj).__name__} cannot be read here.")
        if isinstance(key, slice) and isinstance(obj, SEQUENCES):
            count = len(range(*key.indices(len(obj))))
            unit = 4 if isinstance(obj, str) else (1 if isinstance(obj, bytes) else SLOT)
            self.budget.charge(CONTAINER + unit * count)
        return obj[key]

    def write(self, obj: Any) -> Any:
        """Item assignment and deletion on lists, dicts and sets, charged for what is stored."""
        if type(obj) not in (dict, list, set):
            raise _forbidden(f"A {type(obj).__name__} cannot be changed here.")
        return _Writer(obj, self.budget)

    def getattr(self, obj: Any, name: str) -> Any:
        """obj.name for the allowed methods of plain data, never underscore names."""
        if not isinstance(name, str) or name.startswith("_") or name in BLOCKED_ATTRIBUTES:
            raise _forbidden(f"The attribute '{name}' is not available.")
        if type(obj) not in DATA_TYPES:
            raise _forbidden(f"Attributes of a {type(obj).__name__} are not available.")
        return bound_method(self.budget, obj, name)

    # --- values built by the code itself ---------------------------------------------
    def new(self, value: Any) -> Any:
        """A list/dict/set display, comprehension item or *-unpacked value: charged in full."""
        return self.budget.charge_deep(value)

    def formatted(self, value: Any) -> Any:
        """A value put into an f-string: a container is charged before it is written out."""
        if isinstance(value, _CONTAINERS):
            self.budget.charge_deep(value)
        return value


class _Writer:
    """What `_write_(obj)` returns: stores into obj after charging what is stored."""

    __slots__ = ("_target", "_budget")

    def __init__(self, target: Any, budget: Budget) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_budget", budget)

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(key, slice):
            value = self._budget.collect(value, deep=True)
            self._budget.check_size(len(self._target) + len(value))
        else:
            self._budget.charge_deep(key)
            self._budget.charge_deep(value)
        self._target[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._target[key]

    def __setattr__(self, name: str, value: Any) -> None:
        raise _forbidden(f"The attribute '{name}' cannot be set here.")


def _safe_sum(items: Iterable, start: Any = 0) -> Any:
    if not isinstance(start, (int, float, decimal.Decimal)):
        raise _forbidden("sum() only adds numbers.")
    return sum(items, start)


def _apply(func: Callable, *args: Any, **kwargs: Any) -> Any:
    # Calls with *args / **kwargs: the unpacked values were charged as they were unpacked.
    return func(*args, **kwargs)


PLAIN_BUILTINS = {
    name: getattr(builtins, name)
    for name in (
        "abs all any bool chr divmod enumerate filter float len map max min ord reversed round zip"
    ).split()
}
PLAIN_BUILTINS["sum"] = _safe_sum


def _builtins(budget: Budget) -> dict[str, Any]:
    """Builtins that build values, each charging the budget before or as it builds."""

    def make_list(items: Iterable = ()) -> list:
        return budget.collect(items)

    def make_tuple(items: Iterable = ()) -> tuple:
        return tuple(budget.collect(items))

    def make_set(items: Iterable = ()) -> set:
        return set(budget.collect(items))

    def make_frozenset(items: Iterable = ()) -> frozenset:
        return frozenset(budget.collect(items))

    def make_sorted(items: Iterable, *, key: Callable | None = None, reverse: bool = False) -> list:
        result = budget.collect(items)
        result.sort(key=key, reverse=reverse)
        return result

    def make_dict(*args: Any, **kwargs: Any) -> dict:
        if args and not isinstance(args[0], dict):
            args = (budget.collect(args[0]), *args[1:])
        elif args:
            budget.charge(CONTAINER + 3 * SLOT * len(args[0]))
        budget.charge_deep(kwargs)
        return dict(*args, **kwargs)

    def make_str(*args: Any, **kwargs: Any) -> str:
        if args and isinstance(args[0], _CONTAINERS):
            budget.charge_deep(args[0])
        return budget.charge_text(str(*args, **kwargs))

    def make_repr(value: Any) -> str:
        if isinstance(value, _CONTAINERS):
            budget.charge_deep(value)
        return budget.charge_text(repr(value))

    def make_int(*args: Any) -> int:
        if args and isinstance(args[0], decimal.Decimal) and args[0].is_finite():
            if args[0].adjusted() > MAX_INT_DIGITS:
                raise budget_error("A number that large cannot be computed here.")
        return int(*args)

    makers: dict[str, Any] = {
        "list": make_list,
        "tuple": make_tuple,
        "set": make_set,
        "frozenset": make_frozenset,
        "sorted": make_sorted,
        "dict": make_dict,
        "str": make_str,
        "repr": make_repr,
        "int": make_int,
    }
    types = {makers[t.__name__]: t for t in (list, tuple, set, frozenset, dict, str, int)}
    types.update({HELPERS[name]: HELPERS[name].kind for name in ("datetime", "date")})

    def is_instance(value: Any, kinds: Any) -> bool:
        # isinstance(x, list) names the guarded maker; check against the type it stands for.
        if isinstance(kinds, tuple):
            kinds = tuple(types.get(k, k) for k in kinds)
        return isinstance(value, types.get(kinds, kinds))

    return {
        **PLAIN_BUILTINS,
        **HELPERS,
        **makers,
        "isinstance": is_instance,
        "range": budget.range,
    }


def restricted_globals(budget: Budget) -> dict[str, Any]:
    """The guard functions and builtins RestrictedPython-compiled code expects."""
    guards = Guards(budget)
    return {
        "__builtins__": _builtins(budget),
        "_getattr_": guards.getattr,
        "_getitem_": guards.getitem,
        "_getiter_": budget.getiter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": guards.write,
        "_inplacevar_": guards.inplace,
        "_apply_": _apply,
        "_step_": budget.step,
        "_mul_": guards.mul,
        "_pow_": guards.pow,
        "_lshift_": guards.lshift,
        "_add_": guards.add,
        "_mod_": guards.mod,
        "_or_": guards._inplace["|="],
        "_xor_": guards._inplace["^="],
        "_and_": guards._inplace["&="],
        "_sub_": guards._inplace["-="],
        "_new_": guards.new,
        "_fmt_": guards.formatted,
        "_text_": budget.charge_text,
    }


GUARD_NAMES = frozenset(restricted_globals(Budget()))
