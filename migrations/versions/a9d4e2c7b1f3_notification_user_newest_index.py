"""notification (user_id, id) index: a user's newest notifications in index order (issue 14)

Replaces the index on user_id alone, which made the list sort every notification the user ever
had to show the newest 50.

Revision ID: a9d4e2c7b1f3
Revises: a9d4e2c7f013
Create Date: 2026-12-04 22:25:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a9d4e2c7b1f3'
down_revision = 'a9d4e2c7f013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_newest', ['user_id', 'id'], unique=False)
        batch_op.drop_index('ix_notification_user_id')


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_id', ['user_id'], unique=False)
        batch_op.drop_index('ix_notification_user_newest')
