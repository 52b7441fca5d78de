"""Reads shared by one block of work: a worker round fires many timers, and each firing would
otherwise read the same rows again (the factory's days, the departments, who is in a
department, who stands in for whom).

Inside `kept()` each `remember(key, read)` calls `read()` once and returns its value for the
rest of the block; outside it every call reads. A block is short (one round, one transaction),
so what it keeps is as fresh as the round's own reads.
"""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")
_memo: ContextVar[dict | None] = ContextVar("round_memo", default=None)


@contextmanager
def kept() -> Iterator[None]:
    """Remember reads until the block ends (a worker round)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remember(key: Hashable, read: Callable[[], T]) -> T:
    """`read()`, once per `key` inside `kept()`; every time outside it."""
    memo = _memo.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]
