"""Finished order lifecycles in bulk, cloned from lifecycles that really ran through the services.

A template order is driven to its end through the services once; every historical order then
gets the template's exact rows (instance state, inbox history, audit trail, confirmation,
release notifications) with its own ids, number, customer, lines and a timeline in the past.
"""

import json
import secrets
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from random import Random
from types import SimpleNamespace

from sqlalchemy import insert

from app.core.audit.models import AuditEvent
from app.core.notifications.models import Notification
from app.core.subjects.models import Subject
from app.core.tasks.models import HumanTask, ProcessInstance
from app.extensions import db
from app.modules.confirmations.models import Confirmation, ConfirmationToken
from app.modules.orders.models import (
    LINE_FIELDS,
    RELEASED_STATUSES,
    Order,
    OrderLine,
    OrderRevision,
)
from app.modules.orders.services import revisions
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.lifecycle import key_requirements, lifecycle_of
from app.modules.orders.services.orders import ORDER_LIFECYCLE
from app.volume.shapes import LineShape, Ref

ID_MARK = 987654321
NUMBER_MARK = "@@ORDER-NUMBER@@"
CUSTOMER_MARK = "@@ORDER-CUSTOMER@@"
TASK_COLUMNS = (
    *("task_id", "spec_name", "name", "name_zh", "department_id", "role", "form_name"),
    *("form_version_id", "state", "assignee_id", "completed_by_id", "data", "context"),
)
PER_LINE_STEP = "standardise_item"


@dataclass
class Template:
    """What one real, finished lifecycle wrote, ready to be cloned."""

    status: str
    revised: bool
    version_id: int
    lock_version: int
    started_by_id: int | None
    state_text: str
    tasks: list[dict]
    audits: list[dict]
    notified: list[int]
    confirmation: dict | None
    times: list[datetime] = field(default_factory=list)


def _mark(node, order_id: int, number: str):
    """The state tree with the template order's id, number and customer replaced by marks."""
    if isinstance(node, list):
        return [_mark(item, order_id, number) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _mark(value, order_id, number) for key, value in node.items()}
    if out.get("order_id") == order_id:
        out["order_id"] = ID_MARK
    if out.get("number") == number:
        out["number"] = NUMBER_MARK
        if out.get("id") == order_id:
            out["id"] = ID_MARK
        if isinstance(out.get("customer"), str):
            out["customer"] = CUSTOMER_MARK
    return out


def _columns(row, names) -> dict:
    return {name: getattr(row, name) for name in names}


def capture(order: Order, revised: bool = False) -> Template:
    """Read back everything a finished lifecycle of `order` wrote."""
    instance = lifecycle_of(order)
    assert instance.status == "completed", (order.number, instance.status)
    tree = json.loads(zlib.decompress(instance.state))
    state_text = json.dumps(_mark(tree, order.id, order.number), ensure_ascii=False)
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
    conf = db.session.scalar(db.select(Confirmation).where(Confirmation.order_id == order.id))
    template = Template(
        status=order.status,
        revised=revised,
        version_id=instance.process_version_id,
        lock_version=instance.lock_version,
        started_by_id=instance.started_by_id,
        state_text=state_text,
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


@dataclass
class HistoricOrder:
    """One finished order to write: who, what, when, and which template's life it lived."""

    number: str
    customer: Ref
    order_type: str
    lines: list[LineShape]
    created_at: datetime
    template: Template
    sales_id: int
    # A released order that production has since made in full (status production_complete,
    # every line done): the finished history the plan must never read. False: still to make.
    made: bool = True


def mark_made(order: Order) -> None:
    """A released order made in full since: every line done, production complete."""
    if order.status in RELEASED_STATUSES:
        order.status = "production_complete"
        for line in order.lines:
            line.quantity_done = line.quantity


def _status(item: HistoricOrder) -> str:
    """The order's status now: a released order made since is production_complete."""
    if item.template.status == "released" and item.made:
        return "production_complete"
    return item.template.status


def _view(order: Order, item: HistoricOrder) -> SimpleNamespace:
    """The order as revisions.snapshot and the release notice read it, without lazy loads."""
    lines = [
        SimpleNamespace(
            **{c: getattr(line, c) for c in ("position", "product_id", *LINE_FIELDS)},
            product=shape.product,
        )
        for line, shape in zip(order.lines, item.lines, strict=True)
    ]  # fmt: skip
    fields = ("number", "customer_id", "customer_po", "order_type", "requested_date",
              "promised_date", "currency", "notes")  # fmt: skip
    return SimpleNamespace(
        **{f: getattr(order, f) for f in fields}, customer=item.customer, lines=lines
    )


class HistoryWriter:
    """Writes batches of historical orders with bulk inserts of the templates' exact shapes."""

    def __init__(self, rng: Random, now: datetime):
        self.rng = rng
        self.now = now

    def _timeline(self, template: Template, start: datetime) -> dict[datetime, datetime]:
        """Map the template's moments onto working gaps after `start`, never past now."""
        room = (self.now - start).total_seconds() * 0.9
        gaps = [self.rng.uniform(0.2, 1.0) ** 3 for _ in template.times]
        scale = min(3600 * 20 * len(gaps), room) / max(sum(gaps), 1e-9)
        out, clock = {}, start
        for moment, gap in zip(template.times, gaps, strict=True):
            out[moment] = clock
            clock = clock + timedelta(seconds=gap * scale)
        return out

    def write(self, batch: list[HistoricOrder]) -> None:
        """Insert the orders, their lines, revisions, instances, tasks, audit and messages."""
        orders = [self._order(item) for item in batch]
        db.session.add_all(orders)
        db.session.flush()
        timelines = [self._timeline(item.template, item.created_at) for item in batch]
        instances = []
        for item, order, when in zip(batch, orders, timelines, strict=True):
            self._revisions(item, order, when)
            instances.append(self._instance(item, order, when))
        db.session.add_all(instances)
        db.session.flush()
        audits, notes, confs, cards = [], [], [], []
        for item, order, instance, when in zip(batch, orders, instances, timelines, strict=True):
            task_ids = self._tasks(item, order, instance, when)
            cards.append(self._card(item, order, instance))
            audits.extend(self._audits(item, order, instance, when, task_ids))
            if item.template.confirmation:
                confs.append(self._confirmation(item, order, when))
            if item.template.status == "released":
                notes.extend(self._notifications(item, order, instances, when))
        written = (
            (Subject, cards),
            (AuditEvent, audits),
            (Notification, notes),
            (Confirmation, confs),
        )
        for model, rows in written:
            if rows:
                db.session.execute(insert(model), rows)
        db.session.flush()

    def _order(self, item: HistoricOrder) -> Order:
        requested = (item.created_at + timedelta(days=self.rng.randint(20, 60))).date()
        order = Order(
            number=item.number,
            customer_id=item.customer.id,
            customer_po=f"PO-{item.customer.id}-{item.created_at:%y%m%d}",
            order_type=item.order_type,
            status=_status(item),
            requested_date=requested,
            promised_date=requested + timedelta(days=self.rng.choice((0, 0, 3, 7))),
            revision=2 if item.template.revised else 1,
            currency="CNY",
            notes="",
            created_at=item.created_at,
            created_by_id=item.sales_id,
        )
        for position, shape in enumerate(item.lines, start=1):
            line = OrderLine(
                position=position,
                product_id=shape.product.id if shape.product else None,
                description=shape.description,
                quantity=shape.quantity,
                quantity_done=shape.quantity if order.status == "production_complete" else 0,
                unit_price=shape.unit_price,
                **shape.specs,
            )
            if shape.product is None:
                line.prod_hours_per_unit = Decimal(self.rng.randint(10, 250)) / 100
                line.prod_line_id = shape.line_id
            order.lines.append(line)
        order._volume_view = _view(order, item)
        return order

    def _revisions(self, item: HistoricOrder, order: Order, when: dict) -> None:
        current = revisions.snapshot(order._volume_view)
        first = order.created_at
        snaps = [(current, "entered", first)]
        if item.template.revised:
            earlier = json.loads(json.dumps(current))
            line = earlier["lines"][0]
            line["quantity"] = f"{int(float(line['quantity']) * 1.5)}"
            later = sorted(when.values())[len(when) // 3]
            snaps = [(earlier, "entered", first), (current, "按评审意见修改 revised", later)]
        for number, (data, reason, at) in enumerate(snaps, start=1):
            db.session.add(
                OrderRevision(
                    order_id=order.id,
                    number=number,
                    data=json.dumps(data, ensure_ascii=False),
                    content_hash=revisions.content_hash(data),
                    reason=reason,
                    created_at=at,
                    created_by_id=item.sales_id,
                )
            )
        order._volume_hash = revisions.content_hash(current)

    def _instance(self, item: HistoricOrder, order: Order, when: dict) -> ProcessInstance:
        tpl = item.template
        text = tpl.state_text.replace(str(ID_MARK), str(order.id))
        text = text.replace(NUMBER_MARK, order.number)
        text = text.replace(CUSTOMER_MARK, json.dumps(item.customer.name)[1:-1])
        ended = when[tpl.times[-1]]
        if order.status in RELEASED_STATUSES:
            order.released_at = ended
        return ProcessInstance(
            process_version_id=tpl.version_id,
            kind=ORDER_LIFECYCLE,
            subject_type=order_subject.ORDER,
            subject_key=order.id,
            status="completed",
            state=zlib.compress(text.encode("utf-8"), 1),
            lock_version=tpl.lock_version,
            started_at=when[tpl.times[0]],
            started_by_id=item.sales_id,
            ended_at=ended,
        )

    def _tasks(self, item, order: Order, instance, when: dict) -> dict[str, list[int]]:
        custom = [line for line in order.lines if line.product_id is None]
        rows: list[tuple[str, HumanTask]] = []
        for tpl in item.template.tasks:
            copies = [None]
            if tpl["spec_name"] == PER_LINE_STEP:
                copies = custom
            for n, line in enumerate(copies):
                values = {k: tpl[k] for k in TASK_COLUMNS}
                if line is not None:
                    ctx = {"line": {"line_id": line.id, "position": line.position,
                                    "description": line.description}}  # fmt: skip
                    values["context"] = json.dumps(ctx, ensure_ascii=False)
                    if n:
                        values["task_id"] = secrets.token_hex(16)
                task = HumanTask(
                    instance_id=instance.id,
                    subject_type=order_subject.ORDER,
                    subject_key=order.id,
                    created_at=when[tpl["created_at"]],
                    due_at=when[tpl["created_at"]] + (tpl["due_at"] - tpl["created_at"])
                    if tpl["due_at"]
                    else None,
                    completed_at=when.get(tpl["completed_at"]),
                    **values,
                )
                rows.append((str(tpl["tmpl_id"]), task))
        db.session.add_all([task for _key, task in rows])
        db.session.flush()
        ids: dict[str, list[int]] = {}
        for key, task in rows:
            ids.setdefault(key, []).append(task.id)
        return ids

    def _audits(self, item, order, instance, when, task_ids) -> list[dict]:
        out = []
        for tpl in item.template.audits:
            targets = [tpl["object_id"]]
            if tpl["object_type"] == "order":
                targets = [str(order.id)]
            elif tpl["object_type"] == "process_instance":
                targets = [str(instance.id)]
            elif tpl["object_type"] == "human_task":
                targets = [str(i) for i in task_ids.get(tpl["object_id"], [])]
            data = tpl["data"].replace(NUMBER_MARK, order.number) if tpl["data"] else None
            for target in targets:
                out.append(
                    {**tpl, "at": when[tpl["at"]], "object_id": target, "data": data,
                     "subject_type": order_subject.ORDER, "subject_key": order.id,
                     "instance_id": instance.id}
                )  # fmt: skip
        return out

    def _card(self, item, order: Order, instance: ProcessInstance) -> dict:
        """The order's inbox card, as app/modules/orders/services/subject.py writes it."""
        priority = ""
        for tpl in item.template.tasks:
            if tpl["form_name"] == order_subject.DISPATCH_FORM and tpl["data"]:
                priority = json.loads(tpl["data"]).get("priority") or ""
        return {
            "type": order_subject.ORDER,
            "key": order.id,
            "reference": order.number,
            "customer": item.customer.name,
            "amount": sum((line.amount for line in order.lines), Decimal(0)),
            "currency": order.currency,
            "promised_on": order.promised_date,
            "priority": priority,
            "refreshed_at": instance.ended_at,
        }

    def _confirmation(self, item, order: Order, when: dict) -> dict:
        conf = item.template.confirmation
        at = when.get(conf["at"]) or when[item.template.times[-1]]
        db.session.add(
            ConfirmationToken(
                order_id=order.id,
                revision=order.revision,
                token_hash=secrets.token_hex(32),
                expires_at=at + timedelta(days=14),
                used_at=at,
                created_at=at - timedelta(hours=self.rng.randint(1, 72)),
                created_by_id=item.sales_id,
            )
        )
        signer = item.customer.contact[:100]
        return {**conf, "at": at, "order_id": order.id, "revision": order.revision,
                "revision_hash": order._volume_hash, "signer_name": signer}  # fmt: skip

    def _notifications(self, item, order: Order, _instances, when: dict) -> list[dict]:
        params = json.dumps(
            {
                "number": order.number,
                "customer": item.customer.name,
                "requested_date": order.requested_date.isoformat(),
                "requirements": key_requirements(order._volume_view),
            },
            ensure_ascii=False,
        )
        read = order.released_at + timedelta(days=1)
        return [
            {"user_id": uid, "subject_type": order_subject.ORDER, "subject_key": order.id,
             "kind": "order_released", "params": params,
             "created_at": order.released_at, "read_at": read if read < self.now else None}
            for uid in item.template.notified
        ]  # fmt: skip
