"""Translate the demo data's plain codes into the stored values of the provincial schema.

The schema owns the vocabularies (schemas/vocab/*.yaml, read by ckanext.guangdong.metadata.vocab);
the demo asks it rather than repeating their values.
"""
from __future__ import annotations

from typing import Any

from ckanext.guangdong.metadata import vocab as schema_vocab

_COLUMN_TYPES = {"int": "integer", "float": "decimal", "date": "date", "month": "date", "year": "date"}


def frequency(gd_code: str) -> str:
    """开放广东 update-cycle code ("1".."7", "99"; "irregular" for 不定期) -> stored value."""
    if gd_code == "irregular":
        return "irregular"
    value = schema_vocab.frequency_from_gd_code(gd_code)
    if value is None:
        raise ValueError(f"no frequency with 开放广东 code {gd_code!r} in schemas/vocab/frequencies.yaml")
    return value


def column_type(kind: str) -> str:
    value = _COLUMN_TYPES.get(kind.split(" ", 1)[0], "string")
    assert value in schema_vocab.values("data_types"), value
    return value


def internal_fields(access: str) -> dict[str, Any]:
    """Internal grading: data not opened is shared only under conditions and graded higher."""
    if access == "not_open":
        return {"share_type": "conditional_share", "data_level": "level3", "deidentified": "false"}
    return {"share_type": "unconditional_share", "data_level": "level1", "deidentified": "true"}


def org_fields(region_code: str, org_type: str) -> dict[str, Any]:
    return {"region_code": region_code, "org_type": org_type}
