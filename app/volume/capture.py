"""Templates of finished lifecycles: what one order's real run wrote, with its own values marked.

An order of each shape (how its life went, its type, how many non-standard lines) is driven to
its end through the services once; `capture` reads back what that wrote. Its engine state is
kept as JSON text in which every value that belongs to the order (its id, the data the process
was started with, each non-standard line, the revision the customer signed, the signer, the
start time) is replaced by a mark, so `state_for` gives another order of the same shape the
state the engine would have stored for it: the same task tree, states and answers, with that
order's values. tests/web/test_volume_history.py compares such a state with a real run's.
"""

import json
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime

from app.core.audit.models import AuditEvent
from app.core.notifications.models import Notification
from app.core.tasks.models import HumanTask
from app.engine import compact
from app.engine import state as engine_state
from app.extensions import db
from app.modules.confirmations.models import Confirmation
from app.modules.orders.models import Order
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.lifecycle import lifecycle_of

NUMBER_MARK = "@@ORDER-NUMBER@@"
TASK_COLUMNS = (
    *("spec_name", "name", "name_zh", "department_id", "role", "form_name"),
    *("form_version_id", "state", "assignee_id", "completed_by_id", "data", "context"),
)
# A quoted mark in the state text; its name says which value goes there (`state_for`).
_MARK = re.compile(r'"@@([A-Z0-9-]+)@@"')
# Lives that reach the standardisation of each non-standard line (one task per line).
STANDARDISING = ("full", "revised")


def shape_of(kind: str, order_type: str, custom_lines: int) -> tuple:
    """What decides the task tree of a finished order: its life, its type (the review route)
    and, when its life reaches standardisation, how many non-standard lines it has."""
    return (kind, order_type, custom_lines if kind in STANDARDISING else None)


@dataclass
class Template:
    """What one real, finished lifecycle wrote, ready to be given to other orders."""

    status: str
    revised: bool
    version_id: int
    lock_version: int
    state_text: str
    order_data: dict
    tasks: list[dict]
    audits: list[dict]
    notified: list[int]
    confirmation: dict | None
    times: list[datetime] = field(default_factory=list)


class _Marker:
    """Replaces the template order's own values in its state tree by marks."""

    def __init__(self, order: Order, data: dict, conf: Confirmation | None):
        self.order_id = order.id
        self.lines = [json.dumps(line, sort_keys=True) for line in data["nonstandard_lines"]]
        self.line_ids = [line["line_id"] for line in data["nonstandard_lines"]]
        self.hash = conf.revision_hash if conf else None
        self.signer = conf.signer_name if conf else None

    def mark(self, node):
        if isinstance(node, list):
            return [self.mark(item) for item in node]
        if not isinstance(node, dict):
            return node
        if set(node) == {"line_id", "position", "description"}:
            found = json.dumps(node, sort_keys=True)
            if found in self.lines:
                return f"@@LINE-{self.lines.index(found)}@@"
        if node.get("id") == self.order_id and "line_count" in node:
            return "@@ORDER-DATA@@"
        out = {key: self.mark(value) for key, value in node.items()}
        if "nonstandard_lines" in out:  # the whole list: a life of any length reads it
            out["nonstandard_lines"] = "@@NONSTANDARD-LINES@@"
        if out.get("order_id") == self.order_id:
            out["order_id"] = "@@ORDER-ID@@"
        if out.get("line_id") in self.line_ids:
            out["line_id"] = f"@@LINE-ID-{self.line_ids.index(out['line_id'])}@@"
        if self.hash and out.get("revision_hash") == self.hash:
            out["revision_hash"] = "@@REVISION-HASH@@"
        if self.signer and out.get("confirmed_by") == self.signer:
            out["confirmed_by"] = "@@SIGNER@@"
        return out


def _columns(row, names) -> dict:
    return {name: getattr(row, name) for name in names}


def capture(order: Order, revised: bool = False) -> Template:
    """Read back everything the finished lifecycle of `order` wrote."""
    instance = lifecycle_of(order)
    assert instance.status == "completed", (order.number, instance.status)
    conf = db.session.scalar(db.select(Confirmation).where(Confirmation.order_id == order.id))
    tree = json.loads(zlib.decompress(instance.state))
    data = tree["tasks"][0][4]["d"]  # what the lifecycle was started with (the Start task's)
    marked = _Marker(order, data, conf).mark(tree)
    marked["t0"] = "@@T0@@"
    state_text = json.dumps(marked, separators=(",", ":"), ensure_ascii=False)
    for own in (order.number, order.customer.name, *(line.description for line in order.lines)):
        if own and json.dumps(own, ensure_ascii=False)[1:-1] in state_text:
            raise ValueError(f"{order.number}: the state holds {own!r} where no mark replaced it")
    task_rows = db.session.scalars(
        db.select(HumanTask).where(HumanTask.instance_id == instance.id).order_by(HumanTask.id)
    )
    tasks = [
        {**_columns(t, TASK_COLUMNS), "tmpl_id": t.id, "created_at": t.created_at,
         "due_at": t.due_at, "completed_at": t.completed_at}
        for t in task_rows
    ]  # fmt: skip
    audit_rows = db.session.scalars(
        db.select(AuditEvent)
        .where(order_subject.about_order(AuditEvent, order.id))
        .order_by(AuditEvent.id)
    )
    audits = [
        _columns(a, ("at", "user_id", "action", "object_type", "object_id", "data", "ip"))
        for a in audit_rows
    ]
    for row in audits:
        if row["data"]:
            row["data"] = row["data"].replace(order.number, NUMBER_MARK)
    notified = list(
        db.session.scalars(
            db.select(Notification.user_id).where(order_subject.about_order(Notification, order.id))
        )
    )
    template = Template(
        status=order.status,
        revised=revised,
        version_id=instance.process_version_id,
        lock_version=instance.lock_version,
        state_text=state_text,
        order_data=data["order"],
        tasks=tasks,
        audits=audits,
        notified=notified,
        confirmation=_columns(conf, ("method", "signer_name", "ip", "user_agent", "at"))
        if conf
        else None,
    )
    moments = {order.created_at, instance.started_at, instance.ended_at}
    moments |= {t[k] for t in tasks for k in ("created_at", "completed_at") if t[k]}
    moments |= {a["at"] for a in audits}
    if conf is not None:
        moments.add(conf.at)
    template.times = sorted(m for m in moments if m is not None)
    return template


def state_for(template: Template, values: dict[str, object]) -> bytes:
    """The template's state with another order's values, stored as the engine stores it.

    `values`: ORDER-ID, ORDER-DATA, NONSTANDARD-LINES, LINE-k and LINE-ID-k for each of them,
    REVISION-HASH, SIGNER (when the customer signed) and STARTED (the start, a datetime).
    """
    encoded = {
        key: json.dumps(value, ensure_ascii=False)
        for key, value in values.items()
        if key != "STARTED"
    }
    # Ticks of 2**-22 s (compact.py): the run's task times, moved to start when the order did.
    encoded["T0"] = str(int(values["STARTED"].timestamp() * compact.TICKS))
    text = _MARK.sub(lambda found: encoded[found.group(1)], template.state_text)
    return zlib.compress(text.encode("utf-8"), engine_state.LEVEL)
