"""stored plan: the plan's input version and the plan computed for it, shared by every process

Every page that shows the plan used to compute it from all open orders (issue 14). A write to
anything the plan is computed from moves `plan_input.version` on at commit; the plan computed
for a version, start day and language is stored in `plan_snapshot` (docs/PLANNING.md).

Revision ID: a9d4e2c7f013
Revises: c4a1e7b3d902
Create Date: 2026-12-04 22:40:00.000000

"""

import uuid

import sqlalchemy as sa
from alembic import op

import app.core.columns

revision = "a9d4e2c7f013"
down_revision = "c4a1e7b3d902"
branch_labels = None
depends_on = None


def upgrade():
    plan_input = op.create_table(
        "plan_input",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("generation", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(plan_input, [{"id": 1, "version": 0, "generation": uuid.uuid4().hex}])
    op.create_table(
        "plan_snapshot",
        sa.Column("generation", sa.String(length=32), nullable=False),
        sa.Column("input_version", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", app.core.columns.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("generation", "input_version", "start", "locale"),
    )


def downgrade():
    op.drop_table("plan_snapshot")
    op.drop_table("plan_input")
