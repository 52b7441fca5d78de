"""notification mail and preferences: user email, per-kind channel, mail outbox, unread index

Users gain an email address (not unique: several accounts may share a department mailbox)
and a channel per kind of notification (in-app, email, daily digest). Notifications record
the channel chosen when they were sent and when they went by mail; the bell's unread count
reads the (user_id, read_at) index. Mail is written to `mail_outbox` in the notifying
transaction and sent by the worker after commit.

Revision ID: c3e8f1a2b4d5
Revises: a9e3c5d7f102
Create Date: 2026-12-04 13:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import app.core.columns

revision = "c3e8f1a2b4d5"
down_revision = "a9e3c5d7f102"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))

    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel", sa.String(length=10), nullable=False, server_default="in_app")
        )
        batch_op.add_column(sa.Column("mailed_at", app.core.columns.UTCDateTime(), nullable=True))
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.alter_column("channel", server_default=None)
        batch_op.create_index("ix_notification_unread", ["user_id", "read_at"], unique=False)
        batch_op.create_index("ix_notification_digest", ["channel", "mailed_at"], unique=False)

    op.create_table(
        "notification_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_notification_preference_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preference")),
        sa.UniqueConstraint("user_id", "kind", name=op.f("uq_notification_preference_user_id")),
    )

    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("created_at", app.core.columns.UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", app.core.columns.UTCDateTime(), nullable=False),
        sa.Column("sent_at", app.core.columns.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_mail_outbox_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
    )
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_mail_outbox_due", ["status", "next_attempt_at"], unique=False)


def downgrade():
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_mail_outbox_due")
    op.drop_table("mail_outbox")
    op.drop_table("notification_preference")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_digest")
        batch_op.drop_index("ix_notification_unread")
        batch_op.drop_column("mailed_at")
        batch_op.drop_column("channel")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("email")
