"""The indexes the targets feature's counters scan the open intervals with.

Made by the targets migration b2f0c0de0002 before, which had to create (and backfill) this
feature's tables for them; they belong to the tables' owner. Idempotent: a database where the
targets migration made them keeps them.

Revision ID: a1e0c0de0004
Revises: a1e0c0de0003
Create Date: 2026-12-01
"""
from alembic import op
from sqlalchemy import text

revision = "a1e0c0de0004"
down_revision = "a1e0c0de0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(text("CREATE INDEX IF NOT EXISTS guangdong_open_period_closed_idx "
                    "ON guangdong_open_period (closed_at)"))
    op.execute(text("CREATE INDEX IF NOT EXISTS guangdong_open_period_org_idx "
                    "ON guangdong_open_period (owner_org)"))


def downgrade() -> None:
    op.execute(text("DROP INDEX IF EXISTS guangdong_open_period_closed_idx"))
    op.execute(text("DROP INDEX IF EXISTS guangdong_open_period_org_idx"))
