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
    from ckanext.guangdong.data import model as data_model  # shared, idempotent DDL
    data_model.ensure_table(op.get_bind())


def downgrade() -> None:
    from ckanext.guangdong.data import model as data_model
    for statement in data_model.DROP:
        op.execute(text(statement))
