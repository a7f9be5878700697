"""Chinese text search in the DataStore.

PostgreSQL's full-text search has no Chinese word splitting: "广州市天河区" is one token, so a
search for 天河 finds nothing. A query that contains Chinese characters is therefore answered as
substring matches instead (every whitespace-separated term must occur, case-insensitively, in
the row — or in the named column for ``q={"column": "term"}``). The ``datastore_search`` action
(chained in logic/action.py) hands such a ``q`` to the IDatastore hook below through the context.
"""
from __future__ import annotations

import re
from typing import Any

CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\U00020000-\U0002ffff]")
CONTEXT_KEY = "guangdong_data_substring_q"
_SYSTEM = ("_id", "_full_text")


def has_cjk(q: Any) -> bool:
    if isinstance(q, str):
        return bool(CJK.search(q))
    if isinstance(q, dict):
        return any(isinstance(v, str) and CJK.search(v) for v in q.values())
    return False


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def where_clauses(q: str | dict[str, str], fields_types: dict[str, str]) -> list[tuple]:
    """``query_dict['where']`` entries for a substring query (parameters bound, never inlined)."""
    columns = [c for c in fields_types if c not in _SYSTEM and not c.startswith("rank")]
    clauses: list[tuple] = []
    n = 0

    def add(expr: str, term: str) -> None:
        nonlocal n
        key = f"guangdong_q{n}"
        n += 1
        clauses.append((f"{expr} ILIKE :{key}", {key: _like(term)}))

    if isinstance(q, dict):
        for field, value in q.items():
            if field not in columns:
                import ckan.plugins.toolkit as tk
                raise tk.ValidationError({"q": [f'field "{field}" not in table']})
            if isinstance(value, str):
                for term in value.split():
                    add(f"coalesce({_ident(field)}::text, '')", term)
        return clauses
    row_text = "concat_ws(' ', " + ", ".join(f"{_ident(c)}::text" for c in columns) + ")"
    for term in q.split():
        add(row_text, term)
    return clauses


def take_substring_query(data_dict: dict[str, Any]) -> str | dict | None:
    """Removes a Chinese ``q`` from a datastore_search request and returns it (None: leave it)."""
    q = data_dict.get("q")
    if q and has_cjk(q) and not data_dict.get("full_text"):
        data_dict.pop("q")
        data_dict.pop("plain", None)
        return q
    return None
