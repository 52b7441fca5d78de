"""Labour and machine rates per production line (CNY per hour), with history: finance or an
admin sets a rate from a day on; the rate of a day is the newest row valid on it."""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from app import limits
from app.core import clock
from app.core.audit import services as audit
from app.core.users import permissions
from app.core.users.models import User
from app.errors import InvalidInput, PermissionDenied
from app.extensions import db
from app.modules.closeout.models import CostRate
from app.modules.orders.models import ProductionLine

FINANCE = "finance"


def may_set_rates(user: User) -> bool:
    """Finance (members and head) or an admin keeps the cost rates."""
    return permissions.in_department(user, FINANCE) or permissions.is_admin(user)


@dataclass(frozen=True)
class LineRates:
    """A production line with the rates in force on a day (None when it has none yet)."""

    line: ProductionLine
    rate: CostRate | None


def rate_on(line_id: int, day: date) -> CostRate | None:
    """The rate of a line on a day: the newest row valid from that day or before."""
    return db.session.scalar(
        db.select(CostRate)
        .where(CostRate.line_id == line_id, CostRate.valid_from <= day)
        .order_by(CostRate.valid_from.desc(), CostRate.id.desc())
        .limit(1)
    )


def rates_on(day: date) -> dict[int, CostRate]:
    """Every line's rate on a day, by line id (one query)."""
    rows = db.session.scalars(
        db.select(CostRate)
        .where(CostRate.valid_from <= day)
        .order_by(CostRate.line_id, CostRate.valid_from, CostRate.id)
    )
    found: dict[int, CostRate] = {}
    for row in rows:  # ordered oldest first: the newest valid one wins
        found[row.line_id] = row
    return found


def production_lines() -> list[ProductionLine]:
    """Every production line, by code."""
    return list(db.session.scalars(db.select(ProductionLine).order_by(ProductionLine.code)))


def current(day: date | None = None) -> list[LineRates]:
    """Every production line (by code) with its rate on `day` (today by default)."""
    found = rates_on(day or clock.today())
    return [LineRates(line, found.get(line.id)) for line in production_lines()]


def history(limit: int = 200) -> list[CostRate]:
    """The newest rate rows first (what finance changed, when, by whom)."""
    return list(
        db.session.scalars(
            db.select(CostRate).order_by(CostRate.set_at.desc(), CostRate.id.desc()).limit(limit)
        )
    )


def set_rate(
    actor: User, line_id: str, labour: str, machine: str, valid_from: str, note: str = ""
) -> CostRate:
    """Record a line's rates from a day on (a new row; older ones stay as history)."""
    if not may_set_rates(actor):
        audit.record(actor, "denied.cost_rate", "cost_rate", None)
        raise PermissionDenied(_("Only finance or an admin sets the cost rates."))
    errors: dict[str, str] = {}
    found_id = limits.record_id(line_id)
    line = db.session.get(ProductionLine, found_id) if found_id is not None else None
    if line is None:
        errors["line_id"] = _("Choose the production line.")
    labour_rate = limits.parse_number(labour, "cost", errors, "labour_rate")
    machine_rate = limits.parse_number(machine, "cost", errors, "machine_rate")
    day = _day(valid_from, errors)
    note = (note or "").strip()
    limits.check_text(note, "notes", errors, "note")
    if errors:
        raise InvalidInput(errors=errors)
    row = CostRate(
        line_id=line.id,
        labour_rate=labour_rate,
        machine_rate=machine_rate,
        valid_from=day,
        note=note,
        set_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor,
        "cost_rate.set",
        "cost_rate",
        row.id,
        data={
            "line": line.code,
            "labour_rate": str(labour_rate),
            "machine_rate": str(machine_rate),
            "valid_from": day.isoformat(),
        },
    )
    return row


def _day(text: str, errors: dict) -> date | None:
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        errors["valid_from"] = _("Enter the date the rates apply from (YYYY-MM-DD).")
        return None
    if not date(2000, 1, 1) <= day <= date(2100, 12, 31):
        errors["valid_from"] = _("Enter a date between 2000 and 2100.")
        return None
    return day
