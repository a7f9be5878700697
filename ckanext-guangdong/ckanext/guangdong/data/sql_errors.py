"""What datastore_search_sql answers when PostgreSQL refuses a query: a short zh/en message
that says what to fix (the kind of error from its SQLSTATE, the token or name the caller
wrote, the character of the caller's query where it is), never the statement CKAN ran,
its parameters or the driver's text (CKAN's own answer carried all three, and a data error
such as a division by zero was a 500). docs/data.md "SQL errors"."""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk

_QUOTED = re.compile(r'"([^"]*)"')
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def _shown(text: str) -> str:
    text = _CONTROL.sub(" ", text)
    return text if len(text) <= 60 else text[:60] + "…"


def database_error(error: BaseException | None) -> Any | None:
    """The driver's error (psycopg2, with ``pgcode`` and ``diag``) behind ``error``."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        orig = getattr(error, "orig", None)
        if getattr(orig, "pgcode", None):
            return orig
        error = error.__cause__ or error.__context__
    return None


def position(orig: Any, statement: str | None, sql: str) -> int | None:
    """The character of the caller's query PostgreSQL points at (its own position counts in
    the statement CKAN wrapped the query in)."""
    raw = getattr(getattr(orig, "diag", None), "statement_position", None)
    if not raw or not str(raw).isdigit() or not statement or not sql:
        return None
    start = statement.find(sql)
    pos = int(raw) - start if start >= 0 else -1
    return pos if 1 <= pos <= len(sql) else None


def message(orig: Any, pos: int | None) -> str:
    code = str(getattr(orig, "pgcode", "") or "")
    primary = str(getattr(getattr(orig, "diag", None), "message_primary", "") or "")
    quoted = _QUOTED.search(primary)
    name = _shown(quoted.group(1)) if quoted else ""
    where = tk._(" (at character {pos})").format(pos=pos) if pos else ""
    if code == "42601":
        if "end of input" in primary or pos is None:   # past the caller's query: into CKAN's wrapping
            text = tk._("SQL syntax error: the query ends too early")
        else:
            text = tk._("SQL syntax error near “{token}”").format(token=name)
    elif code == "42703":
        text = tk._("Unknown column “{name}”").format(name=name)
    elif code == "42P01":
        return unknown_table(name, pos)
    elif code == "42883":
        text = tk._("Unknown function, or a function given arguments of the wrong type")
    elif code == "57014":
        text = tk._("The query took too long")
    elif code.startswith("22"):
        text = tk._("A value in the query is invalid (for example a division by zero, or text "
                    "that is not a number or a date)")
    elif code.startswith("42"):
        text = tk._("The SQL query is invalid")
    else:
        text = tk._("The SQL query could not be run")
    return f"{text}{where} [SQLSTATE {code or '?'}]"


def unknown_table(name: str, pos: int | None) -> str:
    """PostgreSQL's "relation does not exist", as ``message`` says it: also the answer for a
    table of a resource the caller may not read (data/logic/auth.py), so a held or private
    resource's id reads as a random one."""
    where = tk._(" (at character {pos})").format(pos=pos) if pos else ""
    text = tk._("Unknown table “{name}”: name a table by its resource id, in double quotes"
                ).format(name=_shown(name))
    return f"{text}{where} [SQLSTATE 42P01]"


def missing_table(sql: str, name: str) -> tuple[int | None, str]:
    """What PostgreSQL says of a missing table ``name`` in the caller's query: where it points
    (its first mention, quoted, from its schema when it has one, counted from 1) and the name
    it gives (``public.<id>`` when written ``public."<id>"``)."""
    found = re.search(r'((?:"public"|public)\s*\.\s*)?"' + re.escape(name.replace('"', '""')) + '"', sql)
    if found is None:
        return None, name
    return found.start() + 1, f"public.{name}" if found.group(1) else name
