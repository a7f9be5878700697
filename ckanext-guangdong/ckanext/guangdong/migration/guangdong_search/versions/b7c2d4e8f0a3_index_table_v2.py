"""Search index table v2: keyword column k, row storage settings; drops the v1 table.

The v1 table (guangdong_search_doc) only existed on development databases of
this branch. Its documents are not converted: run ``ckan search-index rebuild``
(or ``ckan guangdong search reindex``) after upgrading.

Revision ID: b7c2d4e8f0a3
Revises: a1f3c0d2e9b1
Create Date: 2026-11-22
"""
from alembic import op

from ckanext.guangdong.search.backend import ddl

revision = "b7c2d4e8f0a3"
down_revision = "a1f3c0d2e9b1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP TABLE IF EXISTS guangdong_search_doc")
    ddl.create(op.get_bind())


def downgrade() -> None:
    op.execute(ddl.DROP)
