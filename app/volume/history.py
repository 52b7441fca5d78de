"""Finished orders in bulk, each living the life of a real run of its shape (capture.py).

Every historical order gets the rows its template's lifecycle wrote (engine state, inbox
history, audit trail, confirmation, release notifications) with its own ids, number, customer,
lines and a timeline in the past. A batch is built as plain rows with ids taken in advance and
written with one COPY or executemany per table (bulk.py, rows.py): no ORM object, no flush
per order.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random

from app.core.audit import chain
from app.core.audit.models import AuditEvent
from app.core.notifications.models import Notification
from app.core.subjects.models import Subject
from app.core.tasks.models import HumanTask, ProcessInstance
from app.modules.confirmations.models import Confirmation, ConfirmationToken
from app.modules.orders.models import RELEASED_STATUSES, Order, OrderLine, OrderRevision
from app.volume import bulk
from app.volume.capture import Template, shape_of
from app.volume.rows import OrderRows
from app.volume.shapes import LineShape, Ref

# Written in this order: each table's references are written before it.
TABLES = (Order, OrderLine, OrderRevision, ProcessInstance, HumanTask, Subject, AuditEvent,
          Notification, ConfirmationToken, Confirmation)  # fmt: skip


@dataclass
class HistoricOrder:
    """One finished order to write: who, what, when, and which life it lived."""

    number: str
    customer: Ref
    order_type: str
    lines: list[LineShape]
    created_at: datetime
    kind: str  # full, short, revised or cancelled (live.run_life)
    sales_id: int
    # A released order that production has since made in full (status production_complete,
    # every line done): the finished history the plan must never read. False: still to make.
    made: bool = True
    template: Template | None = None

    @property
    def shape(self) -> tuple:
        """The shape of its life (capture.shape_of): orders of one shape share a template."""
        custom = sum(1 for line in self.lines if line.product is None)
        return shape_of(self.kind, self.order_type, custom)


def mark_made(order: Order) -> None:
    """A released order made in full since: every line done, production complete."""
    if order.status in RELEASED_STATUSES:
        order.status = "production_complete"
        for line in order.lines:
            line.quantity_done = line.quantity


class HistoryWriter:
    """Writes batches of historical orders in their templates' exact shapes."""

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

    def write(self, batch: list[HistoricOrder]) -> dict[str, int]:
        """Insert the batch's orders with everything their lives wrote; rows per table."""
        ids = {
            table: iter(bulk.take_ids(table.__table__, count))
            for table, count in (
                (Order, len(batch)),
                (OrderLine, sum(len(item.lines) for item in batch)),
                (ProcessInstance, len(batch)),
                (HumanTask, sum(len(item.template.tasks) for item in batch)),
            )
        }
        rows: dict[type, list[dict]] = {table: [] for table in TABLES}
        for item in batch:
            OrderRows(self, item, ids, rows).build()
        written = {
            table.__tablename__: bulk.insert_rows(table.__table__, rows[table]) for table in TABLES
        }
        written["audit_seal"] = self._seal()
        return written

    @staticmethod
    def _seal() -> int:
        """Seal the audit rows as the worker would (job audit.seal), in this transaction: a
        year's history was sealed long ago (0 when another sealer holds the chain's lock: the
        worker then seals them)."""
        done = 0
        while sealed := chain.seal_batch(chain.BATCH * 20):
            done += sealed
        return done
