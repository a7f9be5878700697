"""Month-end counts (targets/cube.py). (The indexes the counters' range scans use on the events
tables were made here once; the events migration a1e0c0de0004 owns them now.)

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
    from ckanext.guangdong.targets import cube
    for statement in cube.DDL:
        op.execute(text(statement))


def downgrade() -> None:
    op.execute(text("DROP TABLE IF EXISTS guangdong_open_cube"))
