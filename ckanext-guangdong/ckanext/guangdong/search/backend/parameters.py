"""The Solr request parameters a search reads, checked the way Solr checks them.

Everything Solr would refuse with 400 is refused here (``lucene.QueryError``)
before any SQL is built.
"""
from __future__ import annotations

import re
from typing import Any

from ckanext.guangdong.search.backend import lucene

MAX_INT = 2**31 - 1  # Solr reads rows, start and facet numbers as Java ints
_SORT_FIELD = re.compile(r"^\w[\w.\-]*$")


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None and str(v).strip()]
    return [str(value)] if str(value).strip() else []


def number(params: dict[str, Any], key: str, default: int, low: int = -MAX_INT) -> int:
    value = params.get(key)
    if value in (None, ""):
        return default
    try:
        found = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        raise lucene.QueryError("param", f"Invalid value '{str(value)[:40]}' for {key}",
                                param=key) from None
    if not low <= found <= MAX_INT:
        raise lucene.QueryError("range", f"'{key}' must be between {low} and {MAX_INT}",
                                param=key, low=low, high=MAX_INT)
    return found


def check_nul(q: str, params: dict[str, Any]) -> None:
    """PostgreSQL text cannot hold NUL; Solr would not find it either: a clear error."""
    for key, value in [("q", q), *params.items()]:
        values = value if isinstance(value, (list, tuple)) else [value]
        if any(isinstance(v, str) and "\x00" in v for v in values):
            raise lucene.QueryError("nul", f"NUL character in '{key}'", param=key)


def parse_sort(spec: str) -> list[tuple[str, str]]:
    """Solr's sort syntax: ``field asc|desc`` clauses separated by commas (one trailing
    comma is accepted, as Solr does). Functions are not supported."""
    clauses = spec.split(",")
    if len(clauses) > 1 and not clauses[-1].strip():
        clauses.pop()
    out = []
    for clause in clauses:
        pieces = clause.split()
        if len(pieces) != 2 or pieces[1].lower() not in ("asc", "desc"):
            raise lucene.QueryError(
                "sort", f"Can't determine a Sort Order (asc or desc) in sort spec "
                f"'{clause.strip()[:60]}'", value=clause.strip())
        if not _SORT_FIELD.match(pieces[0]):
            raise lucene.QueryError("sort", f"can not sort on field '{pieces[0][:60]}'",
                                    value=clause.strip())
        out.append((pieces[0], pieces[1].upper()))
    return out


def validate(q: str, params: dict[str, Any]) -> None:
    """Everything Solr would refuse with 400, before any SQL runs."""
    check_nul(q, params)
    number(params, "rows", 10, low=0)
    number(params, "start", 0, low=0)
    number(params, "facet.mincount", 0, low=0)
    for key in params:
        if key == "facet.limit" or (key.startswith("f.") and key.endswith(".facet.limit")):
            number(params, key, 100)
    if str(params.get("q.op", "OR")).upper() not in ("AND", "OR"):
        raise lucene.QueryError("param", "q.op must be AND or OR", param="q.op")
    if str(params.get("defType", "lucene")) not in lucene.PARSERS:
        raise lucene.QueryError("unsupported", "unsupported query parser "
                                f"'{str(params.get('defType'))[:40]}'", what="defType")
    parse_sort(str(params.get("sort") or "").strip() or "score desc")


def default_and(params: dict[str, Any]) -> bool:
    return str(params.get("q.op", "OR")).upper() == "AND"


def facet_fields(params: dict[str, Any]) -> list[str]:
    if str(params.get("facet", "false")).lower() not in ("true", "on", "1"):
        return []
    return list(dict.fromkeys(as_list(params.get("facet.field"))))  # once each


def facet_limit(params: dict[str, Any], name: str) -> int:
    return number(params, f"f.{name}.facet.limit", number(params, "facet.limit", 100))


def wanted_fields(params: dict[str, Any]) -> list[str]:
    """The ``fl`` fields (``*`` for all)."""
    return [f for f in re.split(r"[\s,]+", str(params.get("fl") or "*")) if f]
