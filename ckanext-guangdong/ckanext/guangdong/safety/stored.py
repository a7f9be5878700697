"""A DataStore record's values as the table will store and show them (attack trial a10, H1).

PostgreSQL's input functions read a numeric, integer or float column's value as a number:
"013800138000", " 013800138000 ", "13800138000e0", "0.13800138e11" and
"44010619850312001.5e1" are stored, and shown by ``datastore_search``, the SQL API and the
dumps, as 13800138000 and 440106198503120015. The DataStore write guard (logic/action.py)
therefore judges such a column's value as its canonical decimal (``detectors.plain_decimal``),
never as sent. A column's type is the table's (``datastore_search`` with no rows), the one the
write declares (``fields``), or, for a column neither names, CKAN's own guess from the first
record (what ``datastore_create`` / ``_upsert`` will create it with).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import ckan.plugins.toolkit as tk
from ckan.types import Context

from . import detectors
from .scanner import as_text

# PostgreSQL types whose input reads a number (with their array forms: _int8, int8[]).
NUMERIC_TYPES = frozenset({
    "numeric", "decimal", "int", "int2", "int4", "int8", "integer", "smallint", "bigint",
    "float", "float4", "float8", "real", "double precision", "serial", "bigserial", "smallserial",
})


def numeric(type_name: Any) -> bool:
    """Whether a DataStore column type stores its values as numbers (numeric(20,0) too)."""
    name = str(type_name or "").strip().lower().lstrip("_").removesuffix("[]").split("(")[0].strip()
    return name in NUMERIC_TYPES


def _guessed(value: Any) -> str:
    """CKAN's type for a column it makes from a record's value (datastore backend's guess)."""
    try:
        from ckanext.datastore.backend.postgres import _guess_type  # pyright: ignore[reportPrivateUsage]
    except ImportError:  # pragma: no cover - the DataStore plugin is always installed here
        return "text"
    return str(_guess_type(value))


def numeric_columns(data_dict: Mapping[str, Any], header: list[str]) -> set[str]:
    """The columns of ``header`` that will store a write's values as numbers: numeric in the
    table as it is, in the write's ``fields``, or (a column neither names) by CKAN's guess
    from the first record. Either of the first two is enough: the guard may over-read a
    column as a number, never under-read it."""
    out: set[str] = set()
    known: set[str] = set()
    resource_id = data_dict.get("resource_id")
    if isinstance(resource_id, str) and resource_id:
        try:
            found = tk.get_action("datastore_search")(
                cast(Context, {"ignore_auth": True}),
                {"resource_id": resource_id, "limit": 0, "include_total": False})
        except (tk.ObjectNotFound, tk.ValidationError):
            found = {}
        for f in found.get("fields") or []:
            if isinstance(f, Mapping):
                known.add(str(f.get("id")))
                if numeric(f.get("type")):
                    out.add(str(f.get("id")))
    fields = data_dict.get("fields")
    for f in fields if isinstance(fields, list) else []:
        if isinstance(f, Mapping) and f.get("id") is not None:
            if f.get("type"):
                known.add(str(f["id"]))
            if numeric(f.get("type")):
                out.add(str(f["id"]))
    records = data_dict.get("records")
    first = records[0] if isinstance(records, list) and records and isinstance(records[0], Mapping) else {}
    for column in header:
        if column not in known and column in first and numeric(_guessed(first[column])):
            out.add(column)
    return out


def cell(value: Any, as_number: bool = False) -> str:
    """A record's value as the scan reads it: a number as its digits (``as_text``), None
    empty; in a numeric column the number the table stores (``detectors.plain_decimal``), an
    array's items each so, one per line."""
    if value is None:
        return ""
    if as_number and isinstance(value, list):
        return "\n".join(cell(v, True) for v in value)
    if as_number and isinstance(value, str):
        plain = detectors.plain_decimal(value)
        if plain is not None:
            return plain
    text = as_text(value)
    return text if text is not None else str(value)
