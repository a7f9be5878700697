"""One row per open interval and theme / format, kept by a trigger (events/tables.py VALUE_DDL).

Revision ID: a1e0c0de0003
Revises: a1e0c0de0002
Create Date: 2026-11-22
"""
from alembic import op
from sqlalchemy import text

revision = "a1e0c0de0003"
down_revision = "a1e0c0de0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from ckanext.guangdong.events import tables as events_tables
    for statement in events_tables.VALUE_DDL:
        op.execute(text(statement))


def downgrade() -> None:
    op.execute(text("DROP TABLE IF EXISTS guangdong_open_period_value"))
    op.execute(text("DROP FUNCTION IF EXISTS guangdong_open_period_values() CASCADE"))
