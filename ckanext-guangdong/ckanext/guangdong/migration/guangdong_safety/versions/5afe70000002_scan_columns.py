"""The column names of a scanned file (issue 14: a column named as a negative-list data item).

Revision ID: 5afe70000002
Revises: 5afe70000001
Create Date: 2026-12-01
"""
from alembic import op
from sqlalchemy import text

revision = "5afe70000002"
down_revision = "5afe70000001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from ckanext.guangdong import migrated
    from ckanext.guangdong.safety import tables  # the DDL (idempotent)
    migrated.run(op.get_bind(), tables.COLUMNS_DDL)


def downgrade() -> None:
    op.execute(text("ALTER TABLE guangdong_safety_scan DROP COLUMN IF EXISTS columns"))
