"""The rows of one finished order, as its template's life wrote them for the template order.

Built as plain dicts with the ids the history writer took in advance (history.py), appended
to the batch's rows per table: the order and its lines and revisions, its lifecycle's instance
with the engine state (capture.state_for), inbox tasks, audit trail, inbox card, the
customer's confirmation and the release notices.
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import TYPE_CHECKING

from app.core.audit.models import AuditEvent
from app.core.notifications.models import Notification
from app.core.subjects.models import Subject
from app.core.tasks.models import HumanTask, ProcessInstance
from app.modules.confirmations.models import Confirmation, ConfirmationToken
from app.modules.orders.models import (
    RELEASED_STATUSES,
    SPEC_FIELDS,
    Order,
    OrderLine,
    OrderRevision,
)
from app.modules.orders.services import revisions
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.lifecycle import key_requirements
from app.modules.orders.services.orders import ORDER_LIFECYCLE
from app.volume.capture import NUMBER_MARK, TASK_COLUMNS, state_for

if TYPE_CHECKING:
    from app.volume.history import HistoricOrder, HistoryWriter

PER_LINE_STEP = "standardise_item"


def status_of(item: HistoricOrder) -> str:
    """The order's status now: a released order made since is production_complete."""
    if item.template.status == "released" and item.made:
        return "production_complete"
    return item.template.status


class OrderRows:
    """The rows of one historical order, appended to the batch's rows per table."""

    def __init__(self, writer: HistoryWriter, item: HistoricOrder, ids: dict, rows: dict):
        self.rng, self.now = writer.rng, writer.now
        self.item, self.tpl, self.rows = item, item.template, rows
        self.when = writer._timeline(item.template, item.created_at)
        self.order_id = next(ids[Order])
        self.instance_id = next(ids[ProcessInstance])
        self.line_ids = [next(ids[OrderLine]) for _ in item.lines]
        self.task_ids = {t["tmpl_id"]: next(ids[HumanTask]) for t in self.tpl.tasks}

    def build(self) -> None:
        order = self._order()
        lines = self._lines(order)
        view = _view(order, lines, self.item)
        signed_hash = self._revisions(view)
        custom = [line for line in lines if line["product_id"] is None]
        self._instance(order, custom, signed_hash)
        self._tasks(custom)
        self._card(order, lines)
        self._audits(order)
        if self.tpl.confirmation:
            self._confirmation(order, signed_hash)
        if self.tpl.status == "released":
            self._notifications(order, view)

    def _order(self) -> dict:
        item, rng = self.item, self.rng
        requested = (item.created_at + timedelta(days=rng.randint(20, 60))).date()
        status = status_of(item)
        ended = self.when[self.tpl.times[-1]]
        order = {
            "id": self.order_id,
            "number": item.number,
            "customer_id": item.customer.id,
            "customer_po": f"PO-{item.customer.id}-{item.created_at:%y%m%d}",
            "order_type": item.order_type,
            "status": status,
            "requested_date": requested,
            "promised_date": requested + timedelta(days=rng.choice((0, 0, 3, 7))),
            "revision": 2 if self.tpl.revised else 1,
            "released_at": ended if status in RELEASED_STATUSES else None,
            "currency": "CNY",
            "notes": "",
            "created_at": item.created_at,
            "created_by_id": item.sales_id,
        }
        self.rows[Order].append(order)
        return order

    def _lines(self, order: dict) -> list[dict]:
        made = order["status"] == "production_complete"
        lines = []
        pairs = zip(self.item.lines, self.line_ids, strict=True)
        for position, (shape, line_id) in enumerate(pairs, start=1):
            custom = shape.product is None
            line = {
                "id": line_id,
                "order_id": self.order_id,
                "position": position,
                "product_id": None if custom else shape.product.id,
                "description": shape.description,
                "quantity": shape.quantity,
                "quantity_done": shape.quantity if made else Decimal(0),
                "unit_price": shape.unit_price,
                **{name: shape.specs.get(name, "") for name in SPEC_FIELDS},
                "prod_hours_per_unit": Decimal(self.rng.randint(10, 250)) / 100 if custom else None,
                "prod_line_id": shape.line_id if custom else None,
            }
            lines.append(line)
        self.rows[OrderLine].extend(lines)
        return lines

    def _revisions(self, view: SimpleNamespace) -> str:
        """Revision 1 (and 2 when revised); returns the hash of the one the customer signed."""
        current = revisions.snapshot(view)
        first = self.item.created_at
        snaps = [(current, "entered", first)]
        if self.tpl.revised:
            earlier = json.loads(json.dumps(current))
            line = earlier["lines"][0]
            line["quantity"] = f"{int(float(line['quantity']) * 1.5)}"
            later = sorted(self.when.values())[len(self.when) // 3]
            snaps = [(earlier, "entered", first), (current, "按评审意见修改 revised", later)]
        for number, (data, reason, at) in enumerate(snaps, start=1):
            self.rows[OrderRevision].append(
                {
                    "order_id": self.order_id,
                    "number": number,
                    "data": json.dumps(data, ensure_ascii=False),
                    "content_hash": revisions.content_hash(data),
                    "reason": reason,
                    "created_at": at,
                    "created_by_id": self.item.sales_id,
                }
            )
        return revisions.content_hash(current)

    def _instance(self, order: dict, custom: list[dict], signed_hash: str) -> None:
        tpl, item = self.tpl, self.item
        started = self.when[tpl.times[0]]
        values = {
            "ORDER-ID": self.order_id,
            "ORDER-DATA": {
                **tpl.order_data,
                "id": self.order_id,
                "number": item.number,
                "type": item.order_type,
                "customer": item.customer.name,
                "line_count": len(item.lines),
                "non_standard_count": len(custom),
                "all_standard": not custom,
            },
            "REVISION-HASH": signed_hash,
            "SIGNER": self._signer(),
            "STARTED": started,
        }
        values["NONSTANDARD-LINES"] = [_line_data(line) for line in custom]
        for k, line in enumerate(custom):
            values[f"LINE-{k}"] = _line_data(line)
            values[f"LINE-ID-{k}"] = line["id"]
        self.rows[ProcessInstance].append(
            {
                "id": self.instance_id,
                "process_version_id": tpl.version_id,
                "kind": ORDER_LIFECYCLE,
                "subject_type": order_subject.ORDER,
                "subject_key": self.order_id,
                "status": "completed",
                "state": state_for(tpl, values),
                "lock_version": tpl.lock_version,
                "started_at": started,
                "started_by_id": item.sales_id,
                "ended_at": self.when[tpl.times[-1]],
            }
        )

    def _signer(self) -> str:
        return self.item.customer.contact[:100]

    def _tasks(self, custom: list[dict]) -> None:
        per_line = iter(custom)
        for tpl in self.tpl.tasks:
            values = {k: tpl[k] for k in TASK_COLUMNS}
            if tpl["spec_name"] == PER_LINE_STEP:
                ctx = {"line": _line_data(next(per_line))}
                values["context"] = json.dumps(ctx, ensure_ascii=False)
            created = self.when[tpl["created_at"]]
            due = created + (tpl["due_at"] - tpl["created_at"]) if tpl["due_at"] else None
            self.rows[HumanTask].append(
                {
                    "id": self.task_ids[tpl["tmpl_id"]],
                    "instance_id": self.instance_id,
                    "task_id": str(uuid.uuid4()),
                    "subject_type": order_subject.ORDER,
                    "subject_key": self.order_id,
                    "created_at": created,
                    "due_at": due,
                    "completed_at": self.when.get(tpl["completed_at"]),
                    **values,
                }
            )

    def _audits(self, order: dict) -> None:
        for tpl in self.tpl.audits:
            target = tpl["object_id"]
            if tpl["object_type"] == "order":
                target = str(self.order_id)
            elif tpl["object_type"] == "process_instance":
                target = str(self.instance_id)
            elif tpl["object_type"] == "human_task":
                task_id = self.task_ids.get(int(tpl["object_id"]))
                if task_id is None:
                    continue  # a task of another instance (as before: not copied)
                target = str(task_id)
            data = tpl["data"].replace(NUMBER_MARK, order["number"]) if tpl["data"] else None
            self.rows[AuditEvent].append(
                {**tpl, "at": self.when[tpl["at"]], "object_id": target, "data": data,
                 "subject_type": order_subject.ORDER, "subject_key": self.order_id,
                 "instance_id": self.instance_id}
            )  # fmt: skip

    def _card(self, order: dict, lines: list[dict]) -> None:
        """The order's inbox card, as app/modules/orders/services/subject.py writes it."""
        priority = ""
        for tpl in self.tpl.tasks:
            if tpl["form_name"] == order_subject.DISPATCH_FORM and tpl["data"]:
                priority = json.loads(tpl["data"]).get("priority") or ""
        self.rows[Subject].append(
            {
                "type": order_subject.ORDER,
                "key": self.order_id,
                "reference": order["number"],
                "customer": self.item.customer.name,
                "amount": sum((ln["quantity"] * ln["unit_price"] for ln in lines), Decimal(0)),
                "currency": order["currency"],
                "promised_on": order["promised_date"],
                "priority": priority,
                "refreshed_at": self.when[self.tpl.times[-1]],
            }
        )

    def _confirmation(self, order: dict, signed_hash: str) -> None:
        conf = self.tpl.confirmation
        at = self.when.get(conf["at"]) or self.when[self.tpl.times[-1]]
        self.rows[ConfirmationToken].append(
            {
                "order_id": self.order_id,
                "revision": order["revision"],
                "token_hash": secrets.token_hex(32),
                "expires_at": at + timedelta(days=14),
                "used_at": at,
                "created_at": at - timedelta(hours=self.rng.randint(1, 72)),
                "created_by_id": self.item.sales_id,
            }
        )
        self.rows[Confirmation].append(
            {**conf, "at": at, "order_id": self.order_id, "revision": order["revision"],
             "revision_hash": signed_hash, "signer_name": self._signer()}
        )  # fmt: skip

    def _notifications(self, order: dict, view: SimpleNamespace) -> None:
        params = json.dumps(
            {
                "number": order["number"],
                "customer": self.item.customer.name,
                "requested_date": order["requested_date"].isoformat(),
                "requirements": key_requirements(view),
            },
            ensure_ascii=False,
        )
        released = order["released_at"] or self.when[self.tpl.times[-1]]
        read = released + timedelta(days=1)
        self.rows[Notification].extend(
            {"user_id": uid, "subject_type": order_subject.ORDER, "subject_key": self.order_id,
             "kind": "order_released", "params": params, "created_at": released,
             "read_at": read if read < self.now else None}
            for uid in self.tpl.notified
        )  # fmt: skip


def _line_data(line: dict) -> dict:
    """A non-standard line as the lifecycle's data names it (orders.process_data)."""
    return {"line_id": line["id"], "position": line["position"], "description": line["description"]}


def _view(order: dict, lines: list[dict], item: HistoricOrder) -> SimpleNamespace:
    """The order as revisions.snapshot and the release notice read it."""
    shown = [
        SimpleNamespace(**line, product=shape.product)
        for line, shape in zip(lines, item.lines, strict=True)
    ]
    return SimpleNamespace(**order, customer=item.customer, lines=shown)
