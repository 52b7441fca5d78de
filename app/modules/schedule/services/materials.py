"""When an order's materials are ready (物料齐套): the sources that know, and the one that wins.

The plan does not start an order before its materials are expected (docs/PLANNING.md, "Material
dates"). What is known about them comes from sources registered here by the domains that know:
the warehouse review's answer (built in, lowest priority), and later purchasing's requirements
and purchase orders (higher). A source answers for a set of orders at once, in a bounded number
of statements (never one per order): `fn(order_ids) -> {order_id: MaterialStatus}`, leaving out
the orders it knows nothing about. For each order the highest-priority source that answers wins.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app import limits
from app.core import clock
from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.submissions import uniqueness
from app.core.tasks.models import HumanTask
from app.core.users import permissions
from app.core.users.models import User
from app.errors import InvalidInput, PermissionDenied
from app.extensions import db
from app.modules.orders.models import Order
from app.modules.orders.services import subject as order_subject
from app.modules.schedule.models import MaterialOverride
from app.modules.schedule.services.jobs import ACTIVE_STATUSES

READY = "ready"  # every material is there: nothing holds the order
EXPECTED = "expected"  # materials arrive by `expected`: the plan does not start it before
UNKNOWN = "unknown"  # nobody knows yet: shown as such, the plan does not hold the order
STATES = (READY, EXPECTED, UNKNOWN)

# Orders per IN (...) list: one statement per this many orders, whatever the plan's size.
CHUNK = 900


@dataclass(frozen=True)
class MaterialStatus:
    """What one source says of one order's materials.

    `basis` is a translatable label (a `lazy_gettext` string, rendered in the reader's language)
    saying where the answer comes from ("Warehouse review: must be purchased", "Purchase order
    PO-2026-0012"); `detail` optionally links to it, as a Flask endpoint and its arguments
    (`url_for(*detail)` when the page renders, so that sources need no request). `source` is
    filled in by the registry.
    """

    state: str
    basis: object
    expected: date | None = None
    detail: tuple[str, dict] | None = field(default=None, compare=False)
    source: str = ""

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"Material state {self.state!r} is not one of {STATES}.")
        if (self.state == EXPECTED) != isinstance(self.expected, date):
            raise ValueError("An expected material status needs a date; the others take none.")

    @classmethod
    def ready(cls, basis: object, detail: tuple[str, dict] | None = None) -> MaterialStatus:
        return cls(READY, basis, None, detail)

    @classmethod
    def expected_by(
        cls, day: date, basis: object, detail: tuple[str, dict] | None = None
    ) -> MaterialStatus:
        return cls(EXPECTED, basis, day, detail)

    @classmethod
    def unknown(cls, basis: object, detail: tuple[str, dict] | None = None) -> MaterialStatus:
        return cls(UNKNOWN, basis, None, detail)

    def not_before(self, today: date) -> date | None:
        """The first day the plan may start the order, when that is after `today` (else None)."""
        if self.state == EXPECTED and self.expected > today:
            return self.expected
        return None


MaterialSource = Callable[[Collection[int]], Mapping[int, MaterialStatus]]


@dataclass(frozen=True)
class _Registered:
    name: str
    priority: int
    fn: MaterialSource


_SOURCES: dict[str, _Registered] = {}


def register_material_source(fn: MaterialSource, priority: int, name: str | None = None) -> None:
    """Register a source of material statuses; the highest `priority` that answers wins.

    `name` (default: the function's module and name) keys the registration, so registering
    again (every app the process builds does) replaces it instead of adding a second one.
    """
    key = name or f"{fn.__module__}.{fn.__qualname__}"
    _SOURCES[key] = _Registered(key, priority, fn)


def sources() -> list[tuple[str, int]]:
    """The registered sources as (name, priority), the winner first."""
    return [(s.name, s.priority) for s in _ordered()]


def _ordered() -> list[_Registered]:
    return sorted(_SOURCES.values(), key=lambda s: (-s.priority, s.name))


NO_SOURCE = _l("Nobody has said yet")


def statuses(order_ids: Iterable[int]) -> dict[int, MaterialStatus]:
    """Every order's material status: the answer of the highest-priority source that has one.

    Each source is asked once, for the orders no higher source answered; an order no source
    answers is UNKNOWN. The cost is the sources' statements, not one per order.
    """
    left = set(order_ids)
    found: dict[int, MaterialStatus] = {}
    for source in _ordered():
        if not left:
            break
        for order_id, status in source.fn(frozenset(left)).items():
            if order_id in left:
                found[order_id] = replace(status, source=source.name)
                left.discard(order_id)
    for order_id in left:
        found[order_id] = MaterialStatus.unknown(NO_SOURCE)
    return found


def chunks(ids: Collection[int]) -> Iterable[list[int]]:
    """`ids` sorted, in lists of at most CHUNK (for IN lists any database accepts)."""
    ordered = sorted(ids)
    for at in range(0, len(ordered), CHUNK):
        yield ordered[at : at + CHUNK]


# --- The built-in source: the warehouse review's answer -----------------------------------------

WAREHOUSE_STEP = "review_warehouse"
WAREHOUSE_BASIS = {
    "in_stock": _l("Warehouse review: all in stock"),
    "partial": _l("Warehouse review: partly short"),
    "to_purchase": _l("Warehouse review: must be purchased"),
}
WAREHOUSE_NO_DATE = _l("Warehouse review: short, no date given")


def _warehouse_status(task_id: int, data: dict) -> MaterialStatus | None:
    answer = data.get("materials_status")
    if answer not in WAREHOUSE_BASIS:
        return None
    detail = ("tasks.detail", {"task_id": task_id})
    if answer == "in_stock":
        return MaterialStatus.ready(WAREHOUSE_BASIS[answer], detail)
    try:
        day = date.fromisoformat(str(data.get("material_ready_date") or ""))
    except ValueError:
        return MaterialStatus.unknown(WAREHOUSE_NO_DATE, detail)
    return MaterialStatus.expected_by(day, WAREHOUSE_BASIS[answer], detail)


def warehouse_review(order_ids: Collection[int]) -> dict[int, MaterialStatus]:
    """The newest completed warehouse review of each order (a later round supersedes an older
    one): all in stock is ready; partly short or must be purchased is expected by its date.

    One statement per CHUNK orders, reading only the warehouse review rows of those orders.
    """
    newest: dict[int, tuple[int, str | None]] = {}
    for part in chunks(order_ids):
        rows = db.session.execute(
            db.select(HumanTask.subject_key, HumanTask.id, HumanTask.data)
            .where(
                order_subject.about(HumanTask),
                HumanTask.subject_key.in_(part),
                HumanTask.spec_name == WAREHOUSE_STEP,
                HumanTask.state == "completed",
            )
            .order_by(HumanTask.id)
        )
        for order_id, task_id, data in rows:
            newest[order_id] = (task_id, data)
    found = {}
    for order_id, (task_id, data) in newest.items():
        try:
            parsed = json.loads(data or "{}")
        except ValueError:
            continue
        status = _warehouse_status(task_id, parsed) if isinstance(parsed, dict) else None
        if status is not None:
            found[order_id] = status
    return found


WAREHOUSE_PRIORITY = 0


def register() -> None:
    """Register the built-in source (from the schedule's hooks)."""
    register_material_source(warehouse_review, WAREHOUSE_PRIORITY, name="warehouse_review")


# --- PMC's override, and what the plan and the pages read ---------------------------------------

OVERRIDE_SOURCE = "pmc_override"
OVERRIDE_BASIS = _l("Set by PMC")


@dataclass(frozen=True)
class Material:
    """An order's material status as the plan uses it (`status`): PMC's override when there is
    one, else the sources' answer (`answer`, kept to show beside the override)."""

    status: MaterialStatus
    answer: MaterialStatus
    override: MaterialOverride | None = None


def _overridden(row: MaterialOverride, today: date) -> MaterialStatus:
    if row.ready_on > today:
        return replace(
            MaterialStatus.expected_by(row.ready_on, OVERRIDE_BASIS), source=OVERRIDE_SOURCE
        )
    return replace(MaterialStatus.ready(OVERRIDE_BASIS), source=OVERRIDE_SOURCE)


def materials_of(order_ids: Iterable[int], today: date) -> dict[int, Material]:
    """Every order's material status: the sources' statements and one for the overrides."""
    ids = set(order_ids)
    answers = statuses(ids)
    overrides: dict[int, MaterialOverride] = {}
    for part in chunks(ids):
        overrides.update(
            (row.order_id, row)
            for row in db.session.scalars(
                db.select(MaterialOverride)
                .where(MaterialOverride.order_id.in_(part))
                .options(selectinload(MaterialOverride.set_by))
            )
        )
    found = {}
    for order_id in ids:
        row = overrides.get(order_id)
        status = _overridden(row, today) if row is not None else answers[order_id]
        found[order_id] = Material(status, answers[order_id], row)
    return found


def material_of(order: Order) -> Material:
    """One order's material status (the order page)."""
    return materials_of([order.id], clock.today())[order.id]


# Called with the actor after a material date changed (an override set or removed; purchasing
# calls `changed` when its dates move): fulfilment registers its late-order check here, so an
# order a material date makes late is flagged and its owner told (docs/FULFILMENT.md).
_LISTENERS: dict[str, Callable[[User | None], object]] = {}


def on_change(name: str, fn: Callable[[User | None], object]) -> None:
    """Register what runs after a material date changed (once per name)."""
    _LISTENERS[name] = fn


def changed(actor: User | None) -> None:
    """Tell the listeners that material dates changed (after the change is flushed)."""
    db.session.flush()
    for name in sorted(_LISTENERS):
        _LISTENERS[name](actor)


REASON_LIMIT = 500
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def _check_planner(actor: User, order: Order, action: str) -> None:
    if not permissions.may_plan(actor):
        audit.record(actor, f"{action}.denied", "order", order.id, subject=order_subject.ref(order))
        raise PermissionDenied(_("Only PMC sets an order's material date."))
    if order.status not in ACTIVE_STATUSES:
        raise InvalidInput(
            _(
                "Order %(number)s is not waiting for production: its material date no "
                "longer matters.",
                number=order.number,
            )
        )


def _row_data(row: MaterialOverride | None) -> dict | None:
    if row is None:
        return None
    return {"ready_on": row.ready_on.isoformat(), "reason": row.reason, "by": row.set_by_id}


def set_override(actor: User, order: Order, day_text: str, reason: str) -> MaterialOverride:
    """PMC says when the order's materials are ready (a date on or before today: ready now),
    with a reason; the plan uses it over every source. Replaces an earlier override."""
    _check_planner(actor, order, "material.override")
    errors: dict[str, str] = {}
    try:
        day = date.fromisoformat((day_text or "").strip())
    except ValueError:
        day = None
        errors["ready_on"] = _("Enter the date as YYYY-MM-DD.")
    if day is not None and not EARLIEST <= day <= LATEST:
        errors["ready_on"] = _("Enter a date between 2000 and 2100.")
    reason = limits.check_text(reason, REASON_LIMIT, errors, "reason")
    if not reason and "reason" not in errors:
        errors["reason"] = _("Say why the materials' date differs from what the system knows.")
    if errors:
        raise InvalidInput(errors=errors)
    row = db.session.get(MaterialOverride, order.id)
    before = _row_data(row)
    if row is None:
        taken = _(
            "Someone else just set this order's material date; check it and change it if needed."
        )
        with uniqueness.refuse_duplicate("ready_on", taken):
            row = MaterialOverride(
                order_id=order.id, ready_on=day, reason=reason, set_by_id=actor.id, set_at=utcnow()
            )
            db.session.add(row)
    else:
        row.ready_on, row.reason, row.set_by_id, row.set_at = day, reason, actor.id, utcnow()
    audit.record(
        actor,
        "material.override",
        "order",
        order.id,
        data={"ready_on": day.isoformat(), "reason": reason, "before": before},
        subject=order_subject.ref(order),
    )
    changed(actor)
    return row


def clear_override(actor: User, order: Order) -> bool:
    """PMC removes its override: the sources' answer holds again. False if there was none."""
    _check_planner(actor, order, "material.override_cleared")
    row = db.session.get(MaterialOverride, order.id)
    if row is None:
        return False
    before = _row_data(row)
    db.session.delete(row)
    audit.record(
        actor,
        "material.override_cleared",
        "order",
        order.id,
        data={"before": before},
        subject=order_subject.ref(order),
    )
    changed(actor)
    return True
