"""What each kind of process instance owns, and the handlers the instance service calls for it.

Whoever starts a process names its kind (an open string: "order_lifecycle", "change", "rush",
or the process id for anything else) and registers here, at import, what happens when the
engine reports an outcome and when an admin cancels the instance. A kind nobody registered
owns nothing beyond its own instance and inbox rows.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ORDER_LIFECYCLE = "order_lifecycle"


@dataclass(frozen=True)
class KindHandlers:
    """The handlers of one kind; every one is optional."""

    # The order's status follows this instance: its errors stop the order, its cancel ends it.
    owns_order: bool = False
    # (instance, engine data, acting user or None) after every engine step of the instance.
    on_outcome: Callable[[Any, dict, Any], None] | None = None
    # (instance, admin, reason) once the instance is cancelled, to close what it owns.
    on_cancel: Callable[[Any, Any, str], None] | None = None


_REGISTRY: dict[str, KindHandlers] = {}
NOTHING = KindHandlers()


def register(kind: str, **handlers: Any) -> None:
    """Register (or replace) the handlers of a kind."""
    _REGISTRY[kind] = KindHandlers(**handlers)


def handlers(kind: str) -> KindHandlers:
    """The handlers of a kind (none for a kind nobody registered)."""
    return _REGISTRY.get(kind, NOTHING)
