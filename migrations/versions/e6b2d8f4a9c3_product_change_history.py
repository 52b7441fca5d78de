"""product change history: who changed a product, when, why, each field before and after

Products could not be edited; engineering now edits them (and their line rates) on the product
page, and standardisation creates them with rates. Every creation and edit is kept.

Revision ID: e6b2d8f4a9c3
Revises: d4a7e2c9b1f0
Create Date: 2026-12-04 16:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

import app.core.columns

revision = "e6b2d8f4a9c3"
down_revision = "d4a7e2c9b1f0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "product_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("changed_at", app.core.columns.UTCDateTime(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["user.id"], name=op.f("fk_product_change_changed_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_product_change_product_id_product")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_change")),
    )
    with op.batch_alter_table("product_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_change_product_id"), ["product_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("product_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_change_product_id"))
    op.drop_table("product_change")
