"""Indexes for reports counted over a window and lists of one status (issue 14)

change_request.raised_at: the approvals page counts the last 12 months' change requests, not
every one ever raised. rush_request, return_request and order_closeout (status, id) replace
their status-only indexes, so the list of one status reads its newest 50 in index order instead of sorting every
request of that status ever made.

Revision ID: c4d8f2a6e913
Revises: b7e3c1a9d524
Create Date: 2026-12-05 05:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4d8f2a6e913'
down_revision = 'b7e3c1a9d524'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('change_request', schema=None) as batch_op:
        batch_op.create_index('ix_change_request_raised_at', ['raised_at'], unique=False)
    with op.batch_alter_table('rush_request', schema=None) as batch_op:
        batch_op.create_index('ix_rush_request_status_newest', ['status', 'id'], unique=False)
        batch_op.drop_index('ix_rush_request_status')
    with op.batch_alter_table('return_request', schema=None) as batch_op:
        batch_op.create_index('ix_return_request_status_newest', ['status', 'id'], unique=False)
        batch_op.drop_index('ix_return_request_status')
    with op.batch_alter_table('order_closeout', schema=None) as batch_op:
        batch_op.create_index('ix_order_closeout_status_newest', ['status', 'id'], unique=False)
        batch_op.drop_index('ix_order_closeout_status')


def downgrade():
    with op.batch_alter_table('order_closeout', schema=None) as batch_op:
        batch_op.create_index('ix_order_closeout_status', ['status'], unique=False)
        batch_op.drop_index('ix_order_closeout_status_newest')
    with op.batch_alter_table('return_request', schema=None) as batch_op:
        batch_op.create_index('ix_return_request_status', ['status'], unique=False)
        batch_op.drop_index('ix_return_request_status_newest')
    with op.batch_alter_table('rush_request', schema=None) as batch_op:
        batch_op.create_index('ix_rush_request_status', ['status'], unique=False)
        batch_op.drop_index('ix_rush_request_status_newest')
    with op.batch_alter_table('change_request', schema=None) as batch_op:
        batch_op.drop_index('ix_change_request_raised_at')
