"""estimates per department: engineering's and production's hours per unit kept apart

Order lines had one estimate (`est_hours_per_unit`, `est_line_id`) that engineering's review
wrote and production's overwrote. Each department now has its own pair; the plan uses
production's when given, else engineering's (docs/PLANNING.md "Estimates").

The single stored value moves to production's columns, unless the order has a completed
engineering review and no completed production review that gave estimates (one that did not
reject): then it was engineering's. Nothing is dropped before it is copied. Downgrading puts
back the value the plan used.

Revision ID: d4a7e2c9b1f0
Revises: 7f3b2c9d1e84
Create Date: 2026-12-04 16:20:00.000000

"""

import json

import sqlalchemy as sa
from alembic import op

revision = "d4a7e2c9b1f0"
down_revision = "7f3b2c9d1e84"
branch_labels = None
depends_on = None


def _reviewed(conn) -> tuple[set, set]:
    """Orders with a completed engineering review; orders whose production review estimated."""
    rows = conn.execute(
        sa.text(
            "SELECT subject_key, spec_name, data FROM human_task"
            " WHERE subject_type = 'order' AND state = 'completed'"
            " AND spec_name IN ('review_engineering', 'review_production') ORDER BY id"
        )
    )
    engineering, production = set(), set()
    for order_id, spec_name, data in rows:
        if spec_name == "review_engineering":
            engineering.add(order_id)
            continue
        try:
            decision = json.loads(data or "{}").get("decision")
        except (ValueError, AttributeError):
            decision = None
        if decision != "reject":
            production.add(order_id)
    return engineering, production


def upgrade():
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.add_column(sa.Column("eng_hours_per_unit", sa.Numeric(10, 4), nullable=True))
        batch_op.add_column(sa.Column("eng_line_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prod_hours_per_unit", sa.Numeric(10, 4), nullable=True))
        batch_op.add_column(sa.Column("prod_line_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_order_line_eng_line_id_production_line"),
            "production_line",
            ["eng_line_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_order_line_prod_line_id_production_line"),
            "production_line",
            ["prod_line_id"],
            ["id"],
        )
    conn = op.get_bind()
    engineering, production = _reviewed(conn)
    rows = conn.execute(
        sa.text(
            "SELECT id, order_id FROM order_line"
            " WHERE est_hours_per_unit IS NOT NULL OR est_line_id IS NOT NULL ORDER BY id"
        )
    ).all()
    for line_id, order_id in rows:
        prefix = "eng" if order_id in engineering and order_id not in production else "prod"
        conn.execute(
            sa.text(
                f"UPDATE order_line SET {prefix}_hours_per_unit = est_hours_per_unit,"
                f" {prefix}_line_id = est_line_id WHERE id = :id"
            ),
            {"id": line_id},
        )
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_order_line_est_line_id_production_line"), type_="foreignkey"
        )
        batch_op.drop_column("est_line_id")
        batch_op.drop_column("est_hours_per_unit")


def downgrade():
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.add_column(sa.Column("est_hours_per_unit", sa.Numeric(10, 4), nullable=True))
        batch_op.add_column(sa.Column("est_line_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_order_line_est_line_id_production_line"),
            "production_line",
            ["est_line_id"],
            ["id"],
        )
    op.execute(
        "UPDATE order_line SET"
        " est_hours_per_unit = CASE WHEN prod_hours_per_unit IS NOT NULL"
        " THEN prod_hours_per_unit ELSE eng_hours_per_unit END,"
        " est_line_id = CASE WHEN prod_hours_per_unit IS NOT NULL"
        " THEN prod_line_id ELSE eng_line_id END"
    )
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_order_line_prod_line_id_production_line"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_order_line_eng_line_id_production_line"), type_="foreignkey"
        )
        batch_op.drop_column("prod_line_id")
        batch_op.drop_column("prod_hours_per_unit")
        batch_op.drop_column("eng_line_id")
        batch_op.drop_column("eng_hours_per_unit")
