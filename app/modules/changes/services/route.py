"""What decides a change and who decides it: the order value before and after, the approval
route (who acted, who is next) and the rule of change_rules.dmn that puts the general manager in.

The rule is evaluated on the same figures the process decides on (`diffs.flags`, recomputed from
the stored draft and the base revision) with the DMN of the version the instance runs, so the
page stays true when a process owner changes the table.
"""

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import format_decimal
from flask_babel import gettext as _

from app.core.processes import versions
from app.core.tasks import inbox, route
from app.core.tasks.models import OPEN_STATES, HumanTask, ProcessInstance
from app.core.users import permissions
from app.core.users.models import Department, User
from app.engine import decisions
from app.engine.errors import EngineError
from app.extensions import db
from app.i18n import percent
from app.modules.changes.models import ChangeRequest
from app.modules.changes.services import diffs
from app.modules.orders.models import OrderRevision

DECISION = "change_approval_level"  # the decision the business rule task `approval_level` calls
GM_STEP = "gm_approval"
MANAGER_STEP = "manager_approval_{}"
DEFAULT_MANAGER = "manager_approval_sales"  # the raised_by gateway's default flow


@dataclass(frozen=True)
class ValueChange:
    """The order value before the change and as the draft would make it."""

    before: Decimal
    after: Decimal
    currency_before: str
    currency_after: str

    @property
    def same_currency(self) -> bool:
        """Whether a difference means anything (a change may switch the currency)."""
        return self.currency_before == self.currency_after

    @property
    def delta(self) -> Decimal:
        """After minus before (signed)."""
        return self.after - self.before

    @property
    def pct(self) -> Decimal | None:
        """The difference in percent of the old value (None when the old value is 0)."""
        if not self.before:
            return None
        return self.delta / self.before * 100


@dataclass(frozen=True)
class GmReason:
    """Why the general manager is (or is not) in the route."""

    needed: bool
    rule_id: str  # the DMN rule that matched ("" when management raised the change)
    conditions: tuple[
        str, ...
    ]  # the rule's tests in the reader's words, with this change's figures
    by_management: bool = False  # management raised it: the GM approves as responsible manager


@dataclass(frozen=True)
class ChangeRoute:
    """The change's approval route: done and open steps, the steps still to come, and why."""

    steps: list[route.Step]
    gm: GmReason | None
    problem: str | None = None  # why the rule could not be told

    @property
    def next_steps(self) -> list[route.Step]:
        """Who is next: the steps open now, else the first step the process will reach."""
        open_now = [step for step in self.steps if step.state in OPEN_STATES]
        coming = [step for step in self.steps if step.state == "expected"]
        return open_now or coming[:1]


def _number(text) -> Decimal:
    # As the order form reads a number (limits.parse_number): thousands commas, blank price 0.
    return Decimal(str(text or "0").strip().replace(",", "") or "0")


def _total(lines) -> Decimal:
    return sum((_number(q) * _number(p) for q, p in lines), Decimal(0))


def _base_snapshot(change: ChangeRequest) -> dict | None:
    revision = db.session.scalar(
        db.select(OrderRevision).where(
            OrderRevision.order_id == change.order_id,
            OrderRevision.number == change.base_revision,
        )
    )
    return json.loads(revision.data) if revision is not None else None


def _draft(change: ChangeRequest) -> dict:
    draft = json.loads(change.draft)
    draft["lines"] = [
        line
        for line in draft.get("lines", [])
        if str(line.get("quantity", "")).strip() or str(line.get("description", "")).strip()
    ]
    return draft


def value_change(change: ChangeRequest) -> ValueChange | None:
    """The order value before and after the change (None when it cannot be told)."""
    base = _base_snapshot(change)
    if base is None:
        return None
    draft = _draft(change)
    try:
        before = _total((line["quantity"], line["unit_price"]) for line in base["lines"])
        after = _total((line["quantity"], line["unit_price"]) for line in draft["lines"])
    except (InvalidOperation, KeyError, TypeError):
        return None
    return ValueChange(before, after, base.get("currency") or "", draft.get("currency") or "")


def figures(change: ChangeRequest) -> dict | None:
    """The change's figures as the process got them at the start (`change` in its data)."""
    base, value = _base_snapshot(change), value_change(change)
    if base is None or value is None:
        return None
    draft = _draft(change)
    new = {name: draft.get(name) or None for name in ("requested_date", "promised_date")}
    try:
        for text in new.values():
            if text:
                date.fromisoformat(text)
    except ValueError:
        return None
    rows = json.loads(change.diff)
    return {
        "raised_by": change.department,
        **diffs.flags(rows, value.before, value.after, base, new),
    }


# The inputs of the change's decision table this page can say in words (others keep the
# table's own label); money-derived ones are shown only to readers who see prices.
_INPUTS = {
    "value_delta_pct": ("value", "%"),
    "value_delta": ("value_amount", ""),
    "date_shift_days": ("date", "days"),
}
_TEST = re.compile(r"^\s*(<=|>=|<|>|==|!=)\s*(-?\d+(?:\.\d+)?)\s*$")


def _input_name(condition: decisions.Condition) -> str:
    found = re.fullmatch(r"\s*change\[\s*['\"](\w+)['\"]\s*\]\s*", condition.expression)
    return found.group(1) if found else ""


def _amount(number: Decimal, unit: str) -> str:
    """A limit or figure in the reader's number format, with its unit (10%, 7 days)."""
    if unit == "%":
        return percent(number)
    shown = format_decimal(number, format="#,##0.##")
    return _("%(n)s days", n=shown) if unit == "days" else shown


def _subject(kind: str, label: str) -> str:
    return {
        "value": _("The order value changes by"),
        "value_amount": _("The order value changes by (amount)"),
        "date": _("A delivery date moves by"),
    }.get(kind, label)


def describe(condition: decisions.Condition, viewer: User) -> str:
    """One test of a rule in the reader's words, with this change's figure when they may see it:
    "The order value changes by more than 10.0% (this change: 20.0%)"."""
    name = _input_name(condition)
    kind, unit = _INPUTS.get(name, ("", ""))
    subject = _subject(kind, condition.label)
    found = _TEST.match(condition.test)
    if found is None:
        test = condition.test
    else:
        op, limit = found.groups()
        limit_text = _amount(Decimal(limit), unit)
        test = {
            ">": _("more than %(limit)s", limit=limit_text),
            ">=": _("at least %(limit)s", limit=limit_text),
            "<": _("less than %(limit)s", limit=limit_text),
            "<=": _("at most %(limit)s", limit=limit_text),
            "==": _("exactly %(limit)s", limit=limit_text),
            "!=": _("other than %(limit)s", limit=limit_text),
        }[op]
    text = _("%(subject)s %(test)s", subject=subject, test=test)
    hidden = permissions.is_price_field(name) and not permissions.can_see_prices(viewer)
    if hidden or condition.value is None:
        return text
    try:
        shown = _amount(Decimal(str(condition.value)), unit)
    except InvalidOperation:
        shown = str(condition.value)
    return _("%(test)s (this change: %(value)s)", test=text, value=shown)


def gm_reason(
    change: ChangeRequest, instance: ProcessInstance, viewer: User
) -> tuple[GmReason | None, str | None]:
    """Whether the change's table puts the general manager in, by which rule; or why not told."""
    if change.department == permissions.MANAGEMENT:
        return GmReason(True, "", (), by_management=True), None
    data = figures(change)
    if data is None:
        return None, _("The figures this change was decided on cannot be read back.")
    try:
        fired = decisions.explain(
            versions.version_decisions(instance.version).values(), DECISION, {"change": data}
        )
    except EngineError:
        fired = None
    if fired is None:
        return None, _("The change rules of this process version match no row for this change.")
    words = tuple(describe(condition, viewer) for condition in fired.conditions)
    return GmReason(bool(fired.outputs.get("needs_gm")), fired.rule_id, words), None


def _department(key: str | None) -> Department | None:
    if not key:
        return None
    return db.session.scalar(db.select(Department).where(Department.key == key))


def _expected(defn, spec_name: str) -> route.Step | None:
    info = defn.user_tasks.get(spec_name)
    if info is None:
        return None
    return route.expected_step(
        spec_name, info.name, info.name_zh, _department(info.lane), info.role
    )


def route_of(change: ChangeRequest, viewer: User) -> ChangeRoute:
    """The change's approval route as this reader may see it."""
    instance = db.session.get(ProcessInstance, change.instance_id) if change.instance_id else None
    if instance is None:
        return ChangeRoute([], None)
    steps = route.steps_of(instance.id)
    gm, problem = gm_reason(change, instance, viewer)
    rejected = any(step.decision == "reject" for step in steps if step.decision_kind != "review")
    if change.status == "open" and instance.status == "running" and not rejected:
        defn = versions.definition_for(instance.version)
        seen = {step.spec_name for step in steps}
        manager = MANAGER_STEP.format(change.department)
        manager = manager if manager in defn.user_tasks else DEFAULT_MANAGER
        wanted = [manager]
        if gm is not None and gm.needed and not gm.by_management:
            wanted.append(GM_STEP)
        for spec_name in wanted:
            if spec_name not in seen and (step := _expected(defn, spec_name)) is not None:
                steps.append(step)
    return ChangeRoute(steps, gm, problem)


def decision_task(found: ChangeRoute | None, viewer: User) -> HumanTask | None:
    """The approval step of the route this reader may decide now (the change page offers the
    decision there), if any."""
    from app.modules.changes.services.changes import APPROVAL_STEPS

    for step in found.steps if found is not None else ():
        task = step.task
        if (
            step.state == "ready"
            and step.spec_name in APPROVAL_STEPS
            and inbox.may_act(viewer, task)
        ):
            return task
    return None
