"""A partial index on the applications' ``used_datasets`` extras: "applications using this
dataset" (application/links.py) reads the few application rows instead of scanning every
dataset's extras on each dataset page.

Revision ID: e3c7a1f09b42
Revises:
Create Date: 2026-11-30
"""
from alembic import op

revision = "e3c7a1f09b42"
down_revision = None
branch_labels = None
depends_on = None

INDEX = "guangdong_package_extra_used_datasets_idx"


def upgrade() -> None:
    op.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON package_extra (package_id) "
               "WHERE key = 'used_datasets'")


def downgrade() -> None:
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
