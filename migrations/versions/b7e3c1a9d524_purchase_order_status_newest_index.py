"""purchase_order (status, id) index: one status's newest purchase orders in index order (issue 14)

Replaces the index on status alone, which made the list of one status sort every purchase order
of that status ever placed to show the newest 50.

Revision ID: b7e3c1a9d524
Revises: a9d4e2c7b1f3
Create Date: 2026-12-05 01:50:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7e3c1a9d524'
down_revision = 'a9d4e2c7b1f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('purchase_order', schema=None) as batch_op:
        batch_op.create_index('ix_purchase_order_status_newest', ['status', 'id'], unique=False)
        batch_op.drop_index('ix_purchase_order_status')


def downgrade():
    with op.batch_alter_table('purchase_order', schema=None) as batch_op:
        batch_op.create_index('ix_purchase_order_status', ['status'], unique=False)
        batch_op.drop_index('ix_purchase_order_status_newest')
