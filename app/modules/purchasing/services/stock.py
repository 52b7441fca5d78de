"""The stock ledger (库存台账): every movement a row, the balance a row changed in the same
transaction under a row lock. Receipts come in at their purchase price; issues and adjustments
go at the moving average (the balance's value over what is on hand), so the ledger's values sum
to the balance's value too (`flask doctor` checks both sums)."""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import limits
from app.core.audit import services as audit
from app.core.users import permissions
from app.core.users.models import User
from app.errors import InvalidInput, NotFound, PermissionDenied
from app.extensions import db
from app.limits import NumberBound
from app.modules.purchasing.models import Component, StockBalance, StockMove

# One movement moves at most a million units, either way.
MOVE = NumberBound(Decimal("-1000000"), Decimal("1000000"), 3)
CENT = Decimal("0.01")
KINDS = {"receipt": _l("Receipt"), "issue": _l("Issue to order"), "adjustment": _l("Adjustment")}
LEDGER_PAGE = 200


def lock_balance(component_id: int) -> StockBalance:
    """The component's balance row, locked until the transaction ends (SELECT ... FOR UPDATE),
    read afresh so that a movement always starts from what the last one left."""
    balance = db.session.scalar(
        db.select(StockBalance)
        .where(StockBalance.component_id == component_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if balance is None:
        raise NotFound(_("This component does not exist."))
    return balance


def average_value(balance: StockBalance, quantity: Decimal) -> Decimal:
    """What `quantity` units are worth at the balance's moving average (all of it: its value)."""
    if quantity >= balance.on_hand:
        return balance.value
    if balance.on_hand <= 0:
        return Decimal(0)
    return (balance.value * quantity / balance.on_hand).quantize(CENT, ROUND_HALF_UP)


def move(
    balance: StockBalance,
    kind: str,
    quantity: Decimal,
    value: Decimal,
    actor: User | None,
    **fields,
) -> StockMove:
    """Add one ledger row and change the (locked) balance by the same quantity and value."""
    row = StockMove(
        component_id=balance.component_id,
        kind=kind,
        quantity=quantity,
        value=value,
        moved_by_id=actor.id if actor is not None else None,
        **fields,
    )
    db.session.add(row)
    balance.on_hand += quantity
    balance.value += value
    db.session.flush()
    return row


def adjust(
    actor: User, component_id: int, quantity_text: str, reason: str, unit_cost: str = ""
) -> StockMove:
    """The warehouse corrects the stock (a count, damage, a find) by a signed quantity, with a
    reason; it never takes away units that orders reserved. Units go in and out at the moving
    average, or, coming in, at `unit_cost` when one is given (opening stock)."""
    if not permissions.may_move_stock(actor):
        audit.record(actor, "denied.stock_adjust", "component", component_id)
        db.session.flush()
        raise PermissionDenied(_("Only the warehouse adjusts stock."))
    errors: dict[str, str] = {}
    quantity = limits.parse_number(quantity_text, MOVE, errors, "quantity")
    if quantity == 0:
        errors["quantity"] = _("Enter how much comes in (positive) or goes out (negative).")
    reason = limits.check_text(reason, "notes", errors, "reason")
    if not reason and "reason" not in errors:
        errors["reason"] = _("Say why the stock changes.")
    cost = None
    if (unit_cost or "").strip():
        cost = limits.parse_number(unit_cost, "price", errors, "unit_cost")
        if quantity is not None and quantity < 0 and "unit_cost" not in errors:
            errors["unit_cost"] = _("Only units coming in take a unit cost.")
    if errors:
        raise InvalidInput(errors=errors)
    balance = lock_balance(component_id)
    if quantity < 0 and -quantity > balance.free:
        raise InvalidInput(
            errors={
                "quantity": _(
                    "At most %(n)s can go out: %(on_hand)s on hand, %(reserved)s reserved "
                    "for orders.",
                    n=f"{balance.free.normalize():f}",
                    on_hand=f"{balance.on_hand.normalize():f}",
                    reserved=f"{balance.reserved.normalize():f}",
                )
            }
        )
    if quantity < 0:
        value = -average_value(balance, -quantity)
    elif cost is not None:
        value = (quantity * cost).quantize(CENT, ROUND_HALF_UP)
    elif balance.on_hand > 0:
        value = (balance.value * quantity / balance.on_hand).quantize(CENT, ROUND_HALF_UP)
    else:
        value = Decimal(0)
    row = move(balance, "adjustment", quantity, value, actor, reason=reason)
    audit.record(
        actor,
        "stock.adjust",
        "component",
        component_id,
        data={"quantity": f"{quantity:f}", "reason": reason, "move": row.id},
    )
    return row


@dataclass(frozen=True)
class BalanceRow:
    """A component with its balance, as the stock page lists it."""

    component: Component
    balance: StockBalance


def balances() -> list[BalanceRow]:
    """Every component with its balance, by code."""
    rows = db.session.execute(
        db.select(Component, StockBalance)
        .join(StockBalance, StockBalance.component_id == Component.id)
        .order_by(Component.code)
    )
    return [BalanceRow(component, balance) for component, balance in rows]


def balance_of(component_id: int) -> StockBalance:
    """One component's balance, or NotFound."""
    balance = db.session.get(StockBalance, component_id)
    if balance is None:
        raise NotFound(_("This component does not exist."))
    return balance


def ledger(component_id: int) -> list[StockMove]:
    """The component's newest movements first (the last LEDGER_PAGE)."""
    return list(
        db.session.scalars(
            db.select(StockMove)
            .where(StockMove.component_id == component_id)
            .order_by(StockMove.id.desc())
            .limit(LEDGER_PAGE)
        )
    )


def ledger_problems() -> Iterator[str]:
    """Components whose ledger does not sum to their balance (quantity or value), and balances
    whose reservations exceed what is on hand; one line each (`flask doctor`)."""
    sums = (
        db.select(
            StockMove.component_id,
            db.func.coalesce(db.func.sum(StockMove.quantity), 0).label("quantity"),
            db.func.coalesce(db.func.sum(StockMove.value), 0).label("value"),
        )
        .group_by(StockMove.component_id)
        .subquery()
    )
    rows = db.session.execute(
        db.select(Component.code, StockBalance, sums.c.quantity, sums.c.value)
        .join(StockBalance, StockBalance.component_id == Component.id)
        .outerjoin(sums, sums.c.component_id == Component.id)
        .order_by(Component.code)
    )
    for code, balance, quantity, value in rows:
        quantity, value = Decimal(quantity or 0), Decimal(value or 0)
        if quantity != balance.on_hand:
            yield (
                f"component {code}: ledger sums to {quantity:f} but the balance says "
                f"{balance.on_hand:f} on hand"
            )
        if value != balance.value:
            yield f"component {code}: ledger value {value:f} but the balance says {balance.value:f}"
        if not Decimal(0) <= balance.reserved <= balance.on_hand:
            yield (
                f"component {code}: {balance.reserved:f} reserved of {balance.on_hand:f} on hand"
            )
