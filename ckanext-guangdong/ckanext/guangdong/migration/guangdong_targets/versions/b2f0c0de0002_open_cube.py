"""Month-end counts (targets/cube.py) and the indexes the counters' range scans use.

Revision ID: b2f0c0de0002
Revises: b2f0c0de0001
Create Date: 2026-11-22
"""
from alembic import op
from sqlalchemy import text

revision = "b2f0c0de0002"
down_revision = "b2f0c0de0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The events tables are created by the guangdong_events migrations, which may run later
    # (plugin order): create what this revision needs to index, idempotently.
    from ckanext.guangdong.events import backfill
    from ckanext.guangdong.targets import cube
    backfill.ensure_and_backfill(op.get_bind())
    for statement in cube.DDL:
        op.execute(text(statement))


def downgrade() -> None:
    op.execute(text("DROP TABLE IF EXISTS guangdong_open_cube"))
