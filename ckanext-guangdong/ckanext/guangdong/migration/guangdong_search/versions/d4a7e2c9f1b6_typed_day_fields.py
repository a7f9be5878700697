"""Search index v4: the calendar days (issued, modified, temporal_start, temporal_end) are
dates, as in Solr's schema (docker/solr/conf/schema.xml): rows indexed before keep them as
"2018-06-01"; this rewrites them as the index writes them now ("2018-06-01T00:00:00.000Z"
for filters and ranges, "2018-06-01T00:00:00Z" stored), so no reindex is needed.

Revision ID: d4a7e2c9f1b6
Revises: c5e1a9d7b3f2
Create Date: 2026-11-30
"""
from alembic import op

from ckanext.guangdong.search.backend import ddl

revision = "d4a7e2c9f1b6"
down_revision = "c5e1a9d7b3f2"
branch_labels = None
depends_on = None

DAY_FIELDS = ("issued", "modified", "temporal_start", "temporal_end")
DAY = r"^\d{4}-\d{2}-\d{2}$"


def statements() -> list[str]:
    out = []
    for name in DAY_FIELDS:
        path = "'{" + name + "}'"
        canonical = f"jsonb_build_array((k -> '{name}' ->> 0) || 'T00:00:00.000Z')"
        out.append(
            f"UPDATE {ddl.TABLE} SET "
            f"k = jsonb_set(k, {path}, {canonical}), "
            f"f = CASE WHEN f ? '{name}' THEN jsonb_set(f, {path}, {canonical}) ELSE f END, "
            f"doc = CASE WHEN doc ? '{name}' THEN jsonb_set(doc, {path}, "
            f"to_jsonb((doc ->> '{name}') || 'T00:00:00Z')) ELSE doc END "
            f"WHERE k -> '{name}' ->> 0 ~ '{DAY}'")
    return out


def upgrade() -> None:
    if ddl.exists(op.get_bind()):
        for statement in statements():
            op.execute(statement)


def downgrade() -> None:
    pass  # the longer form is read by the older code as well (byte-wise compare)
