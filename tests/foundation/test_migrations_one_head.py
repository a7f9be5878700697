"""Each feature's alembic migrations form one line (one head): two branches that each added
a revision after the same parent made `ckan db upgrade` refuse to run ("Multiple head
revisions"), which stopped `make test` and would stop a production upgrade."""
from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parents[2] / "ckanext-guangdong" / "ckanext" / "guangdong" / "migration"


@pytest.mark.parametrize("plugin", sorted(p.name for p in MIGRATIONS.iterdir() if (p / "versions").is_dir()))
def test_one_head(plugin: str) -> None:
    heads = ScriptDirectory(str(MIGRATIONS / plugin)).get_heads()
    assert len(heads) == 1, f"{plugin}: heads {heads}"
