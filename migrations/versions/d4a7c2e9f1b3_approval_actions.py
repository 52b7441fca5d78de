"""approval actions: co-sign and delegation child tasks, copies, out-of-office

human_task gains parent_id (a co-sign or delegation task made by the tasks core, outside the
BPMN) and held_form/held_by_id (a completion held until the after-co-signers agree); new tables
task_cosign (加签), task_delegation (委派), task_copy (抄送) and out_of_office. See
docs/TASK_ACTIONS.md.

Revision ID: d4a7c2e9f1b3
Revises: 6d1095145e60
Create Date: 2026-12-04 13:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import app.core.columns

revision = "d4a7c2e9f1b3"
down_revision = "6d1095145e60"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, app.core.columns.UTCDateTime(), nullable=nullable)


def upgrade():
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("held_form", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("held_by_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_human_task_parent_id", ["parent_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_human_task_parent_id_human_task", "human_task", ["parent_id"], ["id"]
        )
        batch_op.create_foreign_key("fk_human_task_held_by_id_user", "user", ["held_by_id"], ["id"])

    op.create_table(
        "task_cosign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("child_task_id", sa.Integer(), nullable=True),
        sa.Column("cosigner_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("opinion", sa.Text(), nullable=True),
        _when("requested_at"),
        _when("answered_at", True),
        sa.ForeignKeyConstraint(["task_id"], ["human_task.id"]),
        sa.ForeignKeyConstraint(["child_task_id"], ["human_task.id"]),
        sa.ForeignKeyConstraint(["cosigner_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["requested_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("task_cosign", schema=None) as batch_op:
        batch_op.create_index("ix_task_cosign_task_id", ["task_id"], unique=False)
        batch_op.create_index("ix_task_cosign_child_task_id", ["child_task_id"], unique=False)
        batch_op.create_index("ix_task_cosign_cosigner_id", ["cosigner_id"], unique=False)

    op.create_table(
        "task_delegation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("child_task_id", sa.Integer(), nullable=True),
        sa.Column("delegator_id", sa.Integer(), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        _when("created_at"),
        _when("answered_at", True),
        sa.ForeignKeyConstraint(["task_id"], ["human_task.id"]),
        sa.ForeignKeyConstraint(["child_task_id"], ["human_task.id"]),
        sa.ForeignKeyConstraint(["delegator_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["delegate_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("task_delegation", schema=None) as batch_op:
        batch_op.create_index("ix_task_delegation_task_id", ["task_id"], unique=False)
        batch_op.create_index("ix_task_delegation_child_task_id", ["child_task_id"], unique=False)
        batch_op.create_index("ix_task_delegation_delegate_id", ["delegate_id"], unique=False)

    op.create_table(
        "task_copy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        _when("created_at"),
        _when("read_at", True),
        sa.Column("subject_type", sa.String(length=40), nullable=True),
        sa.Column("subject_key", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["task_id"], ["human_task.id"]),
        sa.ForeignKeyConstraint(["recipient_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("task_copy", schema=None) as batch_op:
        batch_op.create_index("ix_task_copy_task_id", ["task_id"], unique=False)
        batch_op.create_index(
            "ix_task_copy_recipient_read", ["recipient_id", "read_at"], unique=False
        )

    op.create_table(
        "out_of_office",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("substitute_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        _when("created_at"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["substitute_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("out_of_office", schema=None) as batch_op:
        batch_op.create_index("ix_out_of_office_user_id", ["user_id"], unique=False)


def downgrade():
    op.drop_table("out_of_office")
    op.drop_table("task_copy")
    op.drop_table("task_delegation")
    op.drop_table("task_cosign")
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_constraint("fk_human_task_held_by_id_user", type_="foreignkey")
        batch_op.drop_constraint("fk_human_task_parent_id_human_task", type_="foreignkey")
        batch_op.drop_index("ix_human_task_parent_id")
        batch_op.drop_column("held_by_id")
        batch_op.drop_column("held_form")
        batch_op.drop_column("parent_id")
