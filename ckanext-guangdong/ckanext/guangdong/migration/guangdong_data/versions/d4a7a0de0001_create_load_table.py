"""Create the DataStore load report table.

Revision ID: d4a7a0de0001
Revises:
Create Date: 2026-12-01
"""
from alembic import op
from sqlalchemy import text

revision = "d4a7a0de0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    from ckanext.guangdong.data import tables as data_tables  # shared, idempotent DDL
    data_tables.create_table(op.get_bind())


def downgrade() -> None:
    from ckanext.guangdong.data import tables as data_tables
    for statement in data_tables.DROP:
        op.execute(text(statement))
