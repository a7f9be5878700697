"""Dataset fields renamed in 0.x (docs/schema.md, "Renamed fields"), and the old keys accepted
on input for one release, so that API clients and city portals written against the old names
keep working. Stored datasets were moved to the new keys by the migration
``migration/guangdong_schema`` (revision b7d2e4f1a9c3); nothing is written under an old key.
"""
from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

# old key -> new key
RENAMED: dict[str, str] = {
    "publisher_id": "publisher_identifier",  # a 统一社会信用代码: DCAT's dct:identifier
    "spatial_coverage": "region_code",  # a GB/T 2260 code; ckanext-dcat's spatial_coverage is structured
}


def new_name(key: str) -> str:
    return RENAMED.get(key, key)


def accept_old_keys(data_dict: MutableMapping[str, Any]) -> None:
    """Move values sent under an old key to the new one, before validation. When a request
    carries both, the old key wins: only a client that knows the old name sends it, and such a
    client updates a dataset it read (which carried the new key, unchanged) by setting the old."""
    for old, new in RENAMED.items():
        if old in data_dict:
            data_dict[new] = data_dict.pop(old)
