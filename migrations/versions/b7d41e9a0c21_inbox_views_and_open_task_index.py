"""inbox: saved views per user, and a partial index on open tasks

Users save named inbox filter sets (`inbox_view`, name unique per user). The inbox tabs count
and list open tasks only; `ix_human_task_open` (department, due) WHERE state = 'ready' keeps
them off the completed history.

Revision ID: b7d41e9a0c21
Revises: e5b1c0a7d2f4
Create Date: 2026-12-04 13:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import app.core.columns

revision = "b7d41e9a0c21"
down_revision = "e5b1c0a7d2f4"
branch_labels = None
depends_on = None

OPEN = sa.text("state IN ('ready', 'waiting')")


def upgrade():
    op.create_table(
        "inbox_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("query", sa.String(length=1000), nullable=False),
        sa.Column("created_at", app.core.columns.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_inbox_view_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_view")),
        sa.UniqueConstraint("user_id", "name", name=op.f("uq_inbox_view_user_id")),
    )
    with op.batch_alter_table("inbox_view", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbox_view_user_id"), ["user_id"], unique=False)
    op.create_index(
        "ix_human_task_open",
        "human_task",
        ["department_id", "due_at"],
        unique=False,
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )


def downgrade():
    op.drop_index(
        "ix_human_task_open", table_name="human_task", postgresql_where=OPEN, sqlite_where=OPEN
    )
    with op.batch_alter_table("inbox_view", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_view_user_id"))
    op.drop_table("inbox_view")
