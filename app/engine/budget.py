"""The budget of one evaluation: steps, bytes built and wall-clock time, counted in process.

Bytes are counted *as if every shared part were a copy*: `[x] * 1000` costs a thousand times
what x holds, however little memory the list takes. So every value the code can reach is at most
the budget (plus the task data it was given) when written out, compared, hashed or stored, and
no single operation on it can run for long. Small numbers, booleans and dates cost only the slot
that holds them: each one is made by a counted step or written in the source.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import decimal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .errors import EngineError

MAX_ITEMS = 10_000  # items one loop or comprehension may iterate
MAX_STEPS = 200_000  # iterations plus function calls per evaluation
MAX_SIZE = 1_000_000  # length of one string, list or tuple built by an operator or method
MAX_INT_BITS = 64_000  # size of an integer built by *, ** or <<
MAX_BYTES = 32 * 1024 * 1024  # bytes built per evaluation, shared parts counted in full
MAX_SECONDS = 2.0  # wall-clock time per evaluation
MAX_RUN_SECONDS = 10.0  # wall-clock time of all evaluations of one engine call (see run_limit)

SLOT = 8  # one reference in a list, tuple, set or dict
CONTAINER = 64  # an empty list, tuple, set or dict
TEXT = 49  # an empty str
# Values whose cost is their slot (ints only while small).
SCALARS = frozenset(
    {int, float, bool, complex, type(None), dt.date, dt.datetime, dt.time, dt.timedelta}
)
_FLAT = SCALARS - {int}
_WHOLE = frozenset({int, bool})
SEQUENCES = (str, bytes, list, tuple)
# Containers whose items exist already (iterating them makes nothing new).
SIZED = frozenset(
    {list, tuple, set, frozenset, dict, range, str, bytes, type({}.keys()), type({}.values())}
)

_RUN_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "engine_run_deadline", default=None
)


def budget_error(message: str) -> EngineError:
    """An EngineError of kind "budget"."""
    return EngineError("budget", message)


def text_cost(text: str | bytes) -> int:
    """Bytes a str (4 per character unless ASCII) or bytes value holds."""
    if isinstance(text, bytes):
        return TEXT + len(text)
    return TEXT + len(text) * (1 if text.isascii() else 4)


def shallow_cost(value: Any) -> int:
    """Bytes of value itself, not of what it refers to (a copy of a list costs this)."""
    kind = type(value)
    if kind is str or kind is bytes:
        return text_cost(value)
    if kind is dict:
        return CONTAINER + 3 * SLOT * len(value)
    if kind in (list, tuple, set, frozenset):
        return CONTAINER + SLOT * len(value)
    if kind is int:
        return value.bit_length() // 8
    return 0


def deep_cost(value: Any, limit: int) -> int:
    """Bytes value holds with shared parts counted in full; stops counting just above limit."""
    total, stack = 0, [value]
    while stack and total <= limit:
        item = stack.pop()
        kind = type(item)
        if kind in SCALARS:
            total += _number_cost(item)
            continue
        total += shallow_cost(item)
        if kind is dict:
            children: Any = (*item.keys(), *item.values()) if total <= limit else ()
        elif kind in (list, tuple, set, frozenset):
            children = item if total <= limit else ()
        else:
            if kind is decimal.Decimal:
                total += len(item.as_tuple().digits)
            continue
        total += _children(children, stack)
    return total


def _children(children: Any, stack: list) -> int:
    # Push what holds more; count numbers here. Plain scalars are told apart at C speed.
    kinds = set(map(type, children))
    if kinds <= _FLAT:
        return 0
    if kinds <= _WHOLE and max(map(int.bit_length, children)) <= 62:
        return 0
    total = 0
    for child in children:
        if type(child) in SCALARS:
            total += _number_cost(child)
        else:
            stack.append(child)
    return total


def _number_cost(value: Any) -> int:
    # A small number costs only its slot; a big int its digits.
    return value.bit_length() // 8 if type(value) is int and value.bit_length() > 62 else 0


@contextmanager
def run_limit(seconds: float = MAX_RUN_SECONDS) -> Iterator[None]:
    """Bound the time of every evaluation started inside (one engine call: a step, a start)."""
    token = _RUN_DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _RUN_DEADLINE.reset(token)


class Budget:
    """Steps, bytes and time spent by one evaluation; exceeding any raises kind "budget"."""

    __slots__ = ("steps", "used", "deadline")

    def __init__(self) -> None:
        self.steps = 0
        self.used = 0
        self.deadline = time.monotonic() + MAX_SECONDS
        run_deadline = _RUN_DEADLINE.get()
        if run_deadline is not None and run_deadline < self.deadline:
            self.deadline = run_deadline

    def check_time(self) -> None:
        """Raise once the evaluation (or the engine call around it) is out of time."""
        if time.monotonic() > self.deadline:
            raise budget_error(
                f"The code ran longer than {MAX_SECONDS:g} seconds (or the whole step longer "
                f"than {MAX_RUN_SECONDS:g}); simplify it or work on less data."
            )

    def step(self, value: Any = None) -> Any:
        """Count one step (a loop item or a function call); returns value for lambdas."""
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise budget_error(f"The code ran more than {MAX_STEPS:,} steps; simplify it.")
        self.check_time()
        return value

    def charge(self, cost: int) -> None:
        """Count cost bytes as built; refuse past MAX_BYTES (call before building when possible)."""
        self.used += cost
        if self.used > MAX_BYTES:
            raise budget_error(
                f"The code built more than {MAX_BYTES // 2**20} MB of data (texts and lists, "
                "repeated parts counted in full); work on less data at once."
            )
        self.check_time()

    def remaining(self) -> int:
        """Bytes the evaluation may still build."""
        return MAX_BYTES - self.used

    def charge_text(self, text: Any) -> Any:
        """Charge a str or bytes just built; returns it."""
        if isinstance(text, (str, bytes)):
            self.charge(text_cost(text))
        return text

    def charge_deep(self, value: Any) -> Any:
        """Charge what value holds, shared parts counted in full; returns value."""
        kind = type(value)
        if kind in SCALARS and (kind is not int or value.bit_length() <= 62):
            self.charge(SLOT)
        else:
            self.charge(SLOT + deep_cost(value, MAX_BYTES - self.used))
        return value

    def charge_shallow(self, value: Any) -> Any:
        """Charge a copy of value (its slots, not what they refer to); returns value."""
        self.charge(shallow_cost(value))
        return value

    def check_size(self, size: int) -> None:
        """Refuse one value of more than MAX_SIZE items or characters."""
        if size > MAX_SIZE:
            raise budget_error(f"A value of more than {MAX_SIZE:,} items or characters was built.")

    def check_bits(self, bits: int) -> None:
        """Refuse integers of more than MAX_INT_BITS bits."""
        if bits > MAX_INT_BITS:
            raise budget_error("A number that large cannot be computed here.")

    def getiter(self, obj: Any) -> Iterator:
        """iter(obj), limited to MAX_ITEMS items and counted against the step budget."""
        if isinstance(obj, (SEQUENCES, dict, set, frozenset, range)) and len(obj) > MAX_ITEMS:
            raise budget_error(f"A loop over more than {MAX_ITEMS:,} items is not allowed.")
        return self._counted(iter(obj))

    def _counted(self, iterator: Iterator) -> Iterator:
        for count, item in enumerate(iterator, 1):
            if count > MAX_ITEMS:
                raise budget_error(f"A loop over more than {MAX_ITEMS:,} items is not allowed.")
            self.step()
            yield item

    def collect(self, iterable: Any, deep: bool = False) -> list:
        """The items of iterable as a new list, charged before the list grows: a container's
        slots (or, with deep, all it holds), or each item an iterator makes."""
        kind = type(iterable)
        if kind in SIZED:
            self.check_size(len(iterable))
            if deep and kind is not str:
                self.charge_deep(iterable)
            elif kind is str:  # one str per character; only ASCII ones are shared
                self.charge(CONTAINER + len(iterable) * (SLOT if iterable.isascii() else 80))
            else:  # a copy of a container: its slots (its items exist already)
                self.charge(CONTAINER + SLOT * len(iterable))
            return list(iterable)
        items: list = []
        for item in iterable:  # an iterator: each item may be new (zip's tuples, map's results)
            self.check_size(len(items) + 1)
            self.charge_deep(item)
            items.append(item)
        return items

    def range(self, *args: int) -> range:
        """range(), limited to MAX_ITEMS numbers."""
        numbers = range(*args)
        if len(numbers) > MAX_ITEMS:
            raise budget_error(f"range() of more than {MAX_ITEMS:,} numbers is not allowed.")
        return numbers
