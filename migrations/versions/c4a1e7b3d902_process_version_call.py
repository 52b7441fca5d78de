"""process version call: the published process versions a version's call activities call

Revision ID: c4a1e7b3d902
Revises: 269b1c9cf39b
Create Date: 2026-12-04 20:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a1e7b3d902'
down_revision = '269b1c9cf39b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('process_version_call',
    sa.Column('caller_version_id', sa.Integer(), nullable=False),
    sa.Column('callee_version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['callee_version_id'], ['process_version.id'], ),
    sa.ForeignKeyConstraint(['caller_version_id'], ['process_version.id'], ),
    sa.PrimaryKeyConstraint('caller_version_id', 'callee_version_id')
    )


def downgrade():
    op.drop_table('process_version_call')
