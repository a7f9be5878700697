"""Search index v4: generations per organization (guangdong_search_scope), so a write to
one organization's datasets keeps the cached counts of queries restricted to another.

Revision ID: d8b4f1c6a2e5
Revises: d4a7e2c9f1b6 (after the typed day fields of the Solr work)
Create Date: 2026-11-30
"""
from alembic import op

from ckanext.guangdong.search.backend import ddl

revision = "d8b4f1c6a2e5"
down_revision = "d4a7e2c9f1b6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ddl.create(op.get_bind())  # adds the scope table (idempotent)


def downgrade() -> None:
    op.execute(f"DROP TABLE IF EXISTS {ddl.SCOPES}")
