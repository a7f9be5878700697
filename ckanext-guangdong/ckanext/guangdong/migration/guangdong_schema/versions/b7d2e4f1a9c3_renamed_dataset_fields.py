"""Renamed dataset fields (docs/schema.md, "Renamed fields"): ``publisher_id`` (a 统一社会信用代码,
which DCAT calls an identifier) is now ``publisher_identifier``, and ``spatial_coverage`` (a
GB/T 2260 code, which clashed with ckanext-dcat's structured field of that name) is now
``region_code``. Moves the stored extras and the dataset copies in the activity stream, so that
old datasets read, index, export and count as before and their history shows no false change.
Where a dataset already has the new key, its old row is left as it is (nothing is overwritten).
After upgrading, rebuild the search index (``ckan search-index rebuild``).

Revision ID: b7d2e4f1a9c3
Revises:
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "b7d2e4f1a9c3"
down_revision = None
branch_labels = None
depends_on = None

# old key -> new key (ckanext.guangdong.metadata.renamed.RENAMED, copied: a migration keeps
# the names of its own day)
RENAMED = {"publisher_id": "publisher_identifier", "spatial_coverage": "region_code"}

EXTRAS = sa.text(
    "UPDATE package_extra pe SET key = :new WHERE pe.key = :old AND NOT EXISTS "
    "(SELECT 1 FROM package_extra n WHERE n.package_id = pe.package_id AND n.key = :new)")
# the dataset as each activity recorded it (activity.data is JSON kept as text)
ACTIVITIES = sa.text(
    "UPDATE activity SET data = jsonb_set(CAST(data AS jsonb) #- CAST(:old_path AS text[]), "
    "CAST(:new_path AS text[]), CAST(data AS jsonb) #> CAST(:old_path AS text[]))::text "
    "WHERE strpos(data, :quoted_old) > 0 "
    "AND CAST(data AS jsonb) #> CAST(:old_path AS text[]) IS NOT NULL "
    "AND CAST(data AS jsonb) #> CAST(:new_path AS text[]) IS NULL")


def _rename(pairs: dict[str, str]) -> None:
    bind = op.get_bind()
    has_activity = sa.inspect(bind).has_table("activity")  # the activity plugin may be off
    for old, new in pairs.items():
        bind.execute(EXTRAS, {"old": old, "new": new})
        if has_activity:
            bind.execute(ACTIVITIES, {"old_path": ["package", old], "new_path": ["package", new],
                                      "quoted_old": f'"{old}"'})


def upgrade() -> None:
    _rename(RENAMED)


def downgrade() -> None:
    _rename({new: old for old, new in RENAMED.items()})
