"""Create the publication event tables and backfill them from the existing catalog.

Revision ID: a1e0c0de0001
Revises:
Create Date: 2026-11-22
"""
from alembic import op
from sqlalchemy import text

revision = "a1e0c0de0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The DDL is in events/tables.py (idempotent); the backfill dates what is open already.
    from ckanext.guangdong.events import backfill
    try:
        import ckan.plugins.toolkit as tk
        source = tk.config.get("ckanext.guangdong.events.backfill_date") or "metadata_created"
    except Exception:  # config not loaded (alembic run by hand)
        source = "metadata_created"
    backfill.create_and_backfill(op.get_bind(), source)


def downgrade() -> None:
    from ckanext.guangdong.events import tables as events_tables
    for statement in events_tables.DROP:
        op.execute(text(statement))
