"""Create the embedded search index table (ckanext-guangdong search backend).

Revision ID: a1f3c0d2e9b1
Revises:
Create Date: 2026-11-22
"""
from alembic import op

from ckanext.guangdong.search.backend import ddl

revision = "a1f3c0d2e9b1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Same DDL the backend runs when it finds the table missing (see ddl.py).
    ddl.create(op.get_bind())


def downgrade() -> None:
    op.execute(ddl.DROP)
