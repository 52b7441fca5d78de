"""Order events the domains above orders listen to (orders uses none of them, so they register
here, from their `hooks.register()`).

- `delivered(order, actor)`: whoever records the delivery that completes an order (shipping's
  receipt) calls it once the order's status is `delivered`; close-out starts there
  (docs/CLOSEOUT.md). Listeners must be idempotent: a process step that leaves the order
  delivered may call them again.
"""

from collections.abc import Callable
from typing import Any

_DELIVERED: list[Callable[[Any, Any], None]] = []


def on_delivered(listener: Callable[[Any, Any], None]) -> None:
    """Register `listener(order, actor)` for the "order delivered" event."""
    if listener not in _DELIVERED:  # every app the process builds registers again
        _DELIVERED.append(listener)


def delivered(order: Any, actor: Any = None) -> None:
    """Tell every listener that the order is now delivered."""
    for listener in list(_DELIVERED):
        listener(order, actor)
