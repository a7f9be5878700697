"""Translate the demo data's plain codes into the stored values of the provincial schema.

The schema owns the vocabularies (schemas/vocab/*.yaml); the demo reads them rather than
repeating their values, so a change of the schema's stored values does not break the demo.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

import ckanext.guangdong.schemas as schemas_package

VOCAB = Path(schemas_package.__file__).parent / "vocab"


@lru_cache(maxsize=None)
def _entries(name: str) -> list[dict[str, Any]]:
    path = VOCAB / f"{name}.yaml"
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data.get("choices", data) if isinstance(data, dict) else data


def frequency(gd_code: str) -> str:
    """开放广东 update-cycle code ("1".."7", "99", "irregular") -> stored frequency value."""
    for entry in _entries("frequencies"):
        if str(entry.get("gd_code", "")) == gd_code or (gd_code == "irregular" and entry.get("gd_code") in (None, "")):
            return entry["value"]
    return gd_code


def column_type(kind: str) -> str:
    head = kind.split(" ", 1)[0]
    return {"int": "integer", "float": "decimal", "date": "date", "month": "date", "year": "date"}.get(head, "string")


def internal_fields(access: str) -> dict[str, Any]:
    return {}


def org_fields(region_code: str, org_type: str) -> dict[str, Any]:
    return {"region_code": region_code, "org_type": org_type,
            "extras": [{"key": "region_code", "value": region_code}, {"key": "org_type", "value": org_type}]}
