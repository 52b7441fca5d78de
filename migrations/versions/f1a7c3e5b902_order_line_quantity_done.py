"""order line quantity done: what production reported made, so the plan counts the rest

The production plan reads open orders only (released, in production) and plans the hours of
what is not yet made; `quantity_done` is kept by the progress reports (docs/FULFILMENT.md).

Revision ID: f1a7c3e5b902
Revises: c3e8f1a2b4d5
Create Date: 2026-12-04 16:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "f1a7c3e5b902"
down_revision = "c3e8f1a2b4d5"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "quantity_done",
                sa.Numeric(precision=14, scale=3),
                nullable=False,
                server_default="0",
            )
        )


def downgrade():
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.drop_column("quantity_done")
