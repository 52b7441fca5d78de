"""Methods of plain data that restricted code may call, each charged against the budget.

Only the methods named here are reachable. Those that add to a list, dict or set charge what
they add (shared parts counted in full); those that build a str, list or copy are checked before
they build when the size is known (padding, replacing, joining, splitting), else charged after.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from .budget import CONTAINER, SLOT, TEXT, Budget, text_cost
from .dates import HELPER_METHODS
from .errors import EngineError

_TEXT_METHODS = (
    "capitalize casefold center count encode endswith expandtabs find index isalnum isalpha"
    " isascii isdecimal isdigit isidentifier islower isnumeric isprintable isspace istitle"
    " isupper join ljust lower lstrip partition removeprefix removesuffix replace rfind rindex"
    " rjust rpartition rsplit rstrip split splitlines startswith strip swapcase title upper zfill"
).split()
_DATE_METHODS = (
    "year month day hour minute second microsecond tzinfo fold days seconds microseconds"
    " weekday isoweekday isocalendar isoformat strftime date time timestamp total_seconds"
    " replace utcoffset tzname toordinal fromisoformat strptime combine min max resolution"
).split()
_NUMBER_METHODS = "real imag conjugate numerator denominator as_integer_ratio".split()
ALLOWED = {
    str: frozenset(_TEXT_METHODS),
    bytes: frozenset(_TEXT_METHODS + ["decode", "hex"]) - {"casefold", "encode", "isdecimal"},
    list: frozenset("append clear copy count extend index insert pop remove reverse sort".split()),
    tuple: frozenset({"count", "index"}),
    dict: frozenset("clear copy get items keys pop popitem setdefault update values".split()),
    set: frozenset(
        (
            "add clear copy difference difference_update discard intersection"
            " intersection_update isdisjoint issubset issuperset pop remove symmetric_difference"
            " symmetric_difference_update union update"
        ).split()
    ),
    frozenset: frozenset(
        "copy difference intersection isdisjoint issubset issuperset symmetric_difference union"
        "".split()
    ),
    int: frozenset(_NUMBER_METHODS + ["bit_length", "bit_count"]),
    bool: frozenset(_NUMBER_METHODS + ["bit_length", "bit_count"]),
    float: frozenset(_NUMBER_METHODS + ["is_integer", "hex"]),
    complex: frozenset({"real", "imag", "conjugate"}),
    decimal.Decimal: frozenset(
        "quantize is_signed is_zero is_nan is_finite as_integer_ratio adjusted".split()
    ),
    dt.date: frozenset(_DATE_METHODS),
    dt.datetime: frozenset(_DATE_METHODS),
    dt.time: frozenset(_DATE_METHODS),
    dt.timedelta: frozenset(_DATE_METHODS),
    type({}.keys()): frozenset({"isdisjoint"}),
    type({}.items()): frozenset({"isdisjoint"}),
    type({}.values()): frozenset(),
    **HELPER_METHODS,  # `datetime.now()`, `date.today()`, ... (dates.py)
}
DATA_TYPES = frozenset(ALLOWED)


def _forbidden(message: str) -> EngineError:
    return EngineError("forbidden", message)


def _padded(budget: Budget, text: Any, name: str, width: Any, *rest: Any) -> Any:
    if isinstance(width, int):
        budget.check_size(width)
        budget.charge(text_cost(text) + max(width, 0) * 4)
    return getattr(text, name)(width, *rest)


def _expandtabs(budget: Budget, text: Any, tabsize: Any = 8) -> Any:
    if isinstance(tabsize, int):
        tabs = text.count("\t" if isinstance(text, str) else b"\t")
        budget.check_size(len(text) + tabs * max(tabsize, 0))
        budget.charge(text_cost(text) + tabs * max(tabsize, 0) * 4)
    return text.expandtabs(tabsize)


def _replace(budget: Budget, text: Any, old: Any, new: Any, count: Any = -1) -> Any:
    if isinstance(old, type(text)) and isinstance(new, type(text)) and isinstance(count, int):
        hits = text.count(old) if old else len(text) + 1
        hits = hits if count < 0 else min(hits, count)
        size = len(text) + hits * max(len(new) - len(old), 0)
        budget.check_size(size)
        budget.charge(TEXT + size * 4)
    return text.replace(old, new, count)


def _join(budget: Budget, sep: Any, items: Iterable) -> Any:
    parts = budget.collect(items)
    texts = [p for p in parts if isinstance(p, (str, bytes))]
    budget.check_size(sum(len(p) for p in texts) + len(sep) * len(parts))
    budget.charge(sum(text_cost(p) for p in texts) + text_cost(sep) * len(parts))
    return sep.join(parts)


def _split(budget: Budget, text: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    # Every part is a new str: charge the most parts the text can give before splitting.
    sep = kwargs.get("sep", args[0] if args else None)
    if name == "splitlines" or not sep or not isinstance(sep, type(text)):
        parts = len(text) + 1
    else:
        parts = text.count(sep) + 1
    limit = kwargs.get("maxsplit", args[1] if len(args) > 1 else -1)
    if name != "splitlines" and isinstance(limit, int) and limit >= 0:
        parts = min(parts, limit + 1)
    budget.charge(CONTAINER + parts * (SLOT + TEXT) + text_cost(text))
    return getattr(text, name)(*args, **kwargs)


def _charged_after(budget: Budget, method: Callable, *args: Any, **kwargs: Any) -> Any:
    # Text methods whose result is at most a few times the text (upper, strip, encode …).
    result = method(*args, **kwargs)
    if isinstance(result, (str, bytes)):
        budget.charge(text_cost(result))
    elif isinstance(result, tuple):
        budget.charge_deep(result)
    return result


def _add_one(budget: Budget, method: Callable, *args: Any) -> Any:
    # list.append(x), list.insert(i, x), set.add(x): the new slot and all x holds.
    for value in args:
        budget.charge_deep(value)
    return method(*args)


def _add_many(budget: Budget, method: Callable, *others: Any, **kwargs: Any) -> Any:
    # list.extend, dict.update, set.update/union/…: every slot added and all it holds.
    collected = [budget.collect(o, deep=True) if not isinstance(o, dict) else o for o in others]
    for other in collected:
        if isinstance(other, dict):
            budget.charge_deep(other)
    budget.charge_deep(kwargs)
    return method(*collected, **kwargs)


def _copying(budget: Budget, obj: Any, method: Callable, *args: Any) -> Any:
    # copy, intersection, difference: at most the slots of obj itself.
    budget.charge(CONTAINER + SLOT * 3 * len(obj))
    return method(*args)


def _setdefault(budget: Budget, target: dict, key: Any, default: Any = None) -> Any:
    if key not in target:
        budget.charge_deep(key)
        budget.charge_deep(default)
    return target.setdefault(key, default)


def bound_method(budget: Budget, obj: Any, name: str) -> Any:
    """obj.name if restricted code may use it, wrapped so that what it builds is charged."""
    kind = type(obj)
    if name not in ALLOWED.get(kind, ()):
        raise _forbidden(f"'.{name}' is not available on a {kind.__name__} here.")
    attribute = getattr(obj, name)
    if kind is str or kind is bytes:
        if name in ("ljust", "rjust", "center", "zfill"):
            return partial(_padded, budget, obj, name)
        special = {"expandtabs": _expandtabs, "replace": _replace, "join": _join}.get(name)
        if special is not None:
            return partial(special, budget, obj)
        if name in ("split", "rsplit", "splitlines"):
            return partial(_split, budget, obj, name)
        return partial(_charged_after, budget, attribute) if callable(attribute) else attribute
    if name in ("append", "insert", "add"):
        return partial(_add_one, budget, attribute)
    if name in ("union", "symmetric_difference"):  # a copy of obj, then what others add
        return partial(_copying, budget, obj, partial(_add_many, budget, attribute))
    if name in ("extend", "update", "symmetric_difference_update"):
        return partial(_add_many, budget, attribute)
    if name in ("copy", "intersection", "difference"):
        return partial(_copying, budget, obj, attribute)
    if name == "setdefault":
        return partial(_setdefault, budget, obj)
    if kind in (dt.date, dt.datetime, dt.time, dt.timedelta) and callable(attribute):
        return partial(_charged_after, budget, attribute)
    return attribute
