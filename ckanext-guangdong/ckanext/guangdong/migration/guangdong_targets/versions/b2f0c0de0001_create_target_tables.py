"""Create the targets, their audit trail and the daily snapshot table.

Revision ID: b2f0c0de0001
Revises:
Create Date: 2026-11-22
"""
from alembic import op
from sqlalchemy import text

revision = "b2f0c0de0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Idempotent DDL (targets/tables.py); the events feature's tables are made by its own
    # migrations. Targets are loaded from config/targets.yaml on first use, not here, so
    # the file path comes from the config.
    from ckanext.guangdong.targets import tables as targets_tables
    targets_tables.create_tables(op.get_bind())


def downgrade() -> None:
    from ckanext.guangdong.targets import tables as targets_tables
    for statement in targets_tables.DROP:
        op.execute(text(statement))
