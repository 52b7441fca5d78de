"""generic subjects: instances, tasks, notifications and audit rows name a subject (type + key)

The core no longer knows the sales_order table: `order_id` on process_instance, human_task,
notification and audit_event becomes subject ("order", id), and the new `subject` table holds
each subject's inbox card (reference, customer, amount, promised date, priority), backfilled
here for every order a process ran for.

Revision ID: e5b1c0a7d2f4
Revises: 45ce792ac80c
Create Date: 2026-12-04 06:00:00.000000

"""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import app.core.columns

revision = "e5b1c0a7d2f4"
down_revision = "45ce792ac80c"
branch_labels = None
depends_on = None

# table -> (its order_id index, if it had one)
TABLES = {
    "process_instance": "ix_process_instance_order_id",
    "human_task": "ix_human_task_order_id",
    "audit_event": "ix_audit_event_order_id",
    "notification": None,
}
SUBJECT_INDEXES = {
    "process_instance": "ix_process_instance_subject",
    "human_task": "ix_human_task_subject",
    "audit_event": "ix_audit_event_subject",
}


def upgrade():
    op.create_table(
        "subject",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("key", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=False),
        sa.Column("customer", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("promised_on", sa.Date(), nullable=True),
        sa.Column("priority", sa.String(length=20), nullable=False),
        sa.Column("refreshed_at", app.core.columns.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject")),
        sa.UniqueConstraint("type", "key", name=op.f("uq_subject_type")),
    )
    with op.batch_alter_table("subject", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subject_customer"), ["customer"], unique=False)
        batch_op.create_index(batch_op.f("ix_subject_reference"), ["reference"], unique=False)

    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("subject_type", sa.String(length=40), nullable=True))
            batch_op.add_column(sa.Column("subject_key", sa.Integer(), nullable=True))
        op.execute(
            f"UPDATE {table} SET subject_type = 'order', subject_key = order_id"
            " WHERE order_id IS NOT NULL"
        )
    for table, index in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            if index:
                batch_op.drop_index(index)
            batch_op.drop_constraint(f"fk_{table}_order_id_sales_order", type_="foreignkey")
            batch_op.drop_column("order_id")
            if table in SUBJECT_INDEXES:
                batch_op.create_index(
                    SUBJECT_INDEXES[table], ["subject_type", "subject_key"], unique=False
                )
    _backfill_cards()


def _backfill_cards():
    """One card per order that a process ran for, as the orders domain describes it."""
    bind = op.get_bind()
    now = datetime.now(UTC).replace(tzinfo=None)
    orders = bind.execute(
        sa.text(
            "SELECT o.id, o.number, c.name, o.currency, o.promised_date,"
            " (SELECT SUM(l.quantity * l.unit_price) FROM order_line l WHERE l.order_id = o.id)"
            " FROM sales_order o JOIN customer c ON c.id = o.customer_id"
            " WHERE EXISTS (SELECT 1 FROM process_instance i"
            "  WHERE i.subject_type = 'order' AND i.subject_key = o.id)"
        )
    ).all()
    priorities = {}
    dispatched = bind.execute(
        sa.text(
            "SELECT subject_key, data FROM human_task WHERE subject_type = 'order'"
            " AND form_name = 'pmc_dispatch' AND state = 'completed' ORDER BY id"
        )
    )
    for key, data in dispatched:
        try:
            priorities[key] = str(json.loads(data or "{}").get("priority") or "")
        except (ValueError, AttributeError):
            pass
    subject = sa.table(
        "subject",
        *(sa.column(name) for name in ("type", "key", "reference", "customer", "amount")),
        *(sa.column(name) for name in ("currency", "promised_on", "priority", "refreshed_at")),
    )
    rows = [
        {"type": "order", "key": oid, "reference": number, "customer": customer,
         "amount": round(amount, 2) if amount is not None else 0, "currency": currency,
         "promised_on": promised, "priority": priorities.get(oid, ""), "refreshed_at": now}
        for oid, number, customer, currency, promised, amount in orders
    ]  # fmt: skip
    for start in range(0, len(rows), 1000):
        op.bulk_insert(subject, rows[start : start + 1000])


def downgrade():
    for table, index in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("order_id", sa.Integer(), nullable=True))
        op.execute(f"UPDATE {table} SET order_id = subject_key WHERE subject_type = 'order'")
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table in SUBJECT_INDEXES:
                batch_op.drop_index(SUBJECT_INDEXES[table])
            batch_op.drop_column("subject_key")
            batch_op.drop_column("subject_type")
            batch_op.create_foreign_key(
                f"fk_{table}_order_id_sales_order", "sales_order", ["order_id"], ["id"]
            )
            if index:
                batch_op.create_index(index, ["order_id"], unique=False)
    with op.batch_alter_table("subject", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subject_reference"))
        batch_op.drop_index(batch_op.f("ix_subject_customer"))
    op.drop_table("subject")
