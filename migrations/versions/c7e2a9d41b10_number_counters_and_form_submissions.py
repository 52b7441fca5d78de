"""number counters and once-only form submissions

Order numbers come from a counter row locked in the saving transaction instead of max()+1,
and a create form's token is stored once with what it created. The counters of the order
number series are seeded from the orders already stored.

Revision ID: c7e2a9d41b10
Revises: a7c3e91f0b24
Create Date: 2026-12-02 10:00:00.000000

"""

import re

import sqlalchemy as sa
from alembic import op

import app.core.columns

# revision identifiers, used by Alembic.
revision = "c7e2a9d41b10"
down_revision = "a7c3e91f0b24"
branch_labels = None
depends_on = None

_ORDER_NUMBER = re.compile(r"SO-(\d{4})-(\d+)")


def upgrade():
    counter = op.create_table(
        "number_counter",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_number_counter")),
    )
    op.create_table(
        "form_submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.core.columns.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_form_submission_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_submission")),
        sa.UniqueConstraint("token", name=op.f("uq_form_submission_token")),
    )
    with op.batch_alter_table("form_submission", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_form_submission_user_id"), ["user_id"], unique=False)
    # Seed one counter per year from the highest number stored (numbers may outgrow 5 digits,
    # so compare them as integers, not as strings).
    highest: dict[int, int] = {}
    for (number,) in op.get_bind().execute(sa.text("SELECT number FROM sales_order")):
        found = _ORDER_NUMBER.fullmatch(number or "")
        if found:
            year, seq = int(found.group(1)), int(found.group(2))
            highest[year] = max(highest.get(year, 0), seq)
    if highest:
        op.bulk_insert(
            counter, [{"name": f"order:{year}", "value": seq} for year, seq in highest.items()]
        )


def downgrade():
    with op.batch_alter_table("form_submission", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_submission_user_id"))
    op.drop_table("form_submission")
    op.drop_table("number_counter")
