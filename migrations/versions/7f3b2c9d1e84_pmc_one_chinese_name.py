"""PMC has one Chinese name: 计划部(PMC), as the process files and the catalogue call it

Revision ID: 7f3b2c9d1e84
Revises: f1a7c3e5b902
Create Date: 2026-12-04 16:40:00

Only the name the demo data seeded (生产物料控制部) is renamed; a name an administrator chose
is left as it is.
"""

from alembic import op
import sqlalchemy as sa

revision = "7f3b2c9d1e84"
down_revision = "f1a7c3e5b902"
branch_labels = None
depends_on = None

OLD, NEW = "生产物料控制部", "计划部(PMC)"


def _rename(before: str, after: str) -> None:
    op.get_bind().execute(
        sa.text("UPDATE department SET name_zh = :after WHERE key = 'pmc' AND name_zh = :before"),
        {"before": before, "after": after},
    )


def upgrade():
    _rename(OLD, NEW)


def downgrade():
    _rename(NEW, OLD)
