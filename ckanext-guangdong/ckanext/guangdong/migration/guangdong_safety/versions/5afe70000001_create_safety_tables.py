"""Create the publishing-safety tables (scans, publication requests, audit trail, negative
list versions, organisation review settings).

Revision ID: 5afe70000001
Revises:
Create Date: 2026-12-10
"""
from alembic import op
from sqlalchemy import text

revision = "5afe70000001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    from ckanext.guangdong.safety import tables  # the DDL (idempotent)
    tables.create_tables(op.get_bind())


def downgrade() -> None:
    from ckanext.guangdong.safety import tables
    for statement in tables.DROP:
        op.execute(text(statement))
