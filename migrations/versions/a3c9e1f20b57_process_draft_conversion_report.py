"""process draft: conversion report of the file it was opened from

Revision ID: a3c9e1f20b57
Revises: c6d4235f1fc4
Create Date: 2026-12-04 19:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a3c9e1f20b57'
down_revision = 'c6d4235f1fc4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('process_draft', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('process_draft', schema=None) as batch_op:
        batch_op.drop_column('report')
