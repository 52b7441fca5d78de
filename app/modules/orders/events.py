"""Order events the domains above orders listen to (orders uses none of them, so they register
here, from their `hooks.register()`).

- `delivered(order, actor)`: whoever records the delivery that completes an order (shipping's
  receipt) calls it once the order's status is `delivered`; close-out starts there
  (docs/CLOSEOUT.md). Listeners must be idempotent: a process step that leaves the order
  delivered may call them again.
- `released(order)`: the order's lifecycle released it to production (every release, a release
  again after a change's re-confirmation included); purchasing computes its material
  requirements there (docs/PURCHASING.md). Listeners must be idempotent.
- `cancelled(order)`: an admin cancelled the order (its lifecycle); purchasing gives its
  reservations back to the stock and cancels its open purchase requests.
- `production_started(order)`: production reported the first progress on a released order
  (fulfilment); purchasing issues the reserved material to it there.
"""

from collections.abc import Callable
from typing import Any

_DELIVERED: list[Callable[[Any, Any], None]] = []
_RELEASED: list[Callable[[Any], None]] = []
_STARTED: list[Callable[[Any], None]] = []
_CANCELLED: list[Callable[[Any], None]] = []


def on_delivered(listener: Callable[[Any, Any], None]) -> None:
    """Register `listener(order, actor)` for the "order delivered" event."""
    if listener not in _DELIVERED:  # every app the process builds registers again
        _DELIVERED.append(listener)


def delivered(order: Any, actor: Any = None) -> None:
    """Tell every listener that the order is now delivered."""
    for listener in list(_DELIVERED):
        listener(order, actor)


def on_released(listener: Callable[[Any], None]) -> None:
    """Register `listener(order)` for the "order released to production" event."""
    if listener not in _RELEASED:
        _RELEASED.append(listener)


def released(order: Any) -> None:
    """Tell every listener that the order was released to production."""
    for listener in list(_RELEASED):
        listener(order)


def on_production_started(listener: Callable[[Any], None]) -> None:
    """Register `listener(order)` for the "production started on the order" event."""
    if listener not in _STARTED:
        _STARTED.append(listener)


def production_started(order: Any) -> None:
    """Tell every listener that production started on the order."""
    for listener in list(_STARTED):
        listener(order)


def on_cancelled(listener: Callable[[Any], None]) -> None:
    """Register `listener(order)` for the "order cancelled" event."""
    if listener not in _CANCELLED:
        _CANCELLED.append(listener)


def cancelled(order: Any) -> None:
    """Tell every listener that the order was cancelled."""
    for listener in list(_CANCELLED):
        listener(order)
