"""Search index v3: housekeeping columns (state, dataset_type, capacity, entity_type,
labels) and the facet-value column fv, filled from the keyword column.

Revision ID: c5e1a9d7b3f2
Revises: b7c2d4e8f0a3
Create Date: 2026-11-22
"""
from alembic import op

from ckanext.guangdong.search.backend import ddl

revision = "c5e1a9d7b3f2"
down_revision = "b7c2d4e8f0a3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ddl.create(op.get_bind())  # adds the columns and the index (idempotent)
    ddl.backfill(op.get_bind())


def downgrade() -> None:
    for column in ddl.ADDED_COLUMNS:
        op.execute(f"ALTER TABLE {ddl.TABLE} DROP COLUMN IF EXISTS {column}")
