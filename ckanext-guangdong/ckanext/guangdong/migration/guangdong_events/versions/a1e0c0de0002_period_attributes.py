"""Copy the counters' attributes onto the open intervals (see events/tables.py ATTRIBUTE_DDL).

Revision ID: a1e0c0de0002
Revises: a1e0c0de0001
Create Date: 2026-11-22
"""
from alembic import op
from sqlalchemy import text

revision = "a1e0c0de0002"
down_revision = "a1e0c0de0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from ckanext.guangdong.events import tables as events_tables
    for statement in events_tables.ATTRIBUTE_DDL:
        op.execute(text(statement))


def downgrade() -> None:
    for column in ("count_key", "owner_org", "access_rights", "frequency", "themes", "formats", "shared"):
        op.execute(text(f"ALTER TABLE guangdong_open_period DROP COLUMN IF EXISTS {column}"))
