"""process instance kind

Every instance says what it is for (the order's lifecycle, a change, a rush request, ...)
instead of the code guessing "the order's process" from the first or the last instance.
Existing rows take their kind from the process their version belongs to.

Revision ID: a7c3e91f0b24
Revises: 5aa1d3abff58
Create Date: 2026-12-02 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7c3e91f0b24"
down_revision = "5aa1d3abff58"
branch_labels = None
depends_on = None

# Process id -> the kind its starter registers today (app/services/process_kinds.py);
# any other process keeps its own id as its kind.
KIND_OF_PROCESS = {
    "order_lifecycle": "order_lifecycle",
    "order_review": "order_lifecycle",
    "change_request": "change",
    "rush_order": "rush",
}


def upgrade():
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=40), nullable=True))
    version = sa.table(
        "process_version", sa.column("id", sa.Integer), sa.column("process_id", sa.String)
    )
    instance = sa.table(
        "process_instance",
        sa.column("kind", sa.String),
        sa.column("process_version_id", sa.Integer),
    )
    process_of_version = (
        sa.select(version.c.process_id)
        .where(version.c.id == instance.c.process_version_id)
        .scalar_subquery()
    )
    op.execute(instance.update().values(kind=process_of_version))
    for process_id, kind in KIND_OF_PROCESS.items():
        if kind != process_id:
            op.execute(instance.update().where(instance.c.kind == process_id).values(kind=kind))
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(length=40), nullable=False)
        batch_op.create_index(batch_op.f("ix_process_instance_kind"), ["kind"], unique=False)


def downgrade():
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_instance_kind"))
        batch_op.drop_column("kind")
