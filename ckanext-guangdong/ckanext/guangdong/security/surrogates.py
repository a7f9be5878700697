"""Lone UTF-16 surrogates in a request: text that is not valid Unicode.

JSON lets a client write one (``"\\ud800"``), and Python's JSON reader also lets through the
UTF-8-style bytes of one (``ED A0 80``, read with ``surrogatepass``). Such a string cannot be
encoded as UTF-8, so it failed wherever it went next (PostgreSQL, Solr, the log) with
``UnicodeEncodeError: surrogates not allowed`` and a 500. werkzeug decodes the address, form
fields and headers with replacement, so a surrogate arrives only through something parsed as
JSON: the body, CKAN's "JSON as the only form key" form posts, and parameters an action reads
as JSON (datastore_search's ``filters``, for example). Those are what ``in_request`` reads.
"""
from __future__ import annotations

import json
import re
from typing import Any

import ckan.plugins.toolkit as tk

WHOLE = ""   # the parameter is the whole body (not a named one)
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_ESCAPE_BYTES = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\xed[\xa0-\xbf]")


def has_surrogate(value: Any) -> bool:
    return first_with_surrogate(value) is not None


def first_with_surrogate(value: Any, name: str = WHOLE) -> str | None:
    """The name of the first top-level parameter (``name`` for a scalar) holding a lone
    surrogate, in its key or anywhere in its value; None when there is none."""
    if isinstance(value, str):
        return name if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = _shown(key) if name == WHOLE else name
            if (isinstance(key, str) and _SURROGATE.search(key)) or first_with_surrogate(item, inner) is not None:
                return inner
    elif isinstance(value, list):
        for item in value:
            found = first_with_surrogate(item, name)
            if found is not None:
                return found
    return None


def _shown(key: Any) -> str:
    """A parameter name fit for a message (no surrogate, short)."""
    return _SURROGATE.sub("\ufffd", str(key))[:60]


def _parsed(text: str | bytes) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def in_request(request: Any, raw: bytes) -> str | None:
    """The parameter of ``request`` that holds a lone surrogate (``WHOLE`` when it is not a
    named one); None when there is none."""
    if raw and not (request.mimetype or "").startswith("multipart/") and _ESCAPE_BYTES.search(raw):
        found = first_with_surrogate(_parsed(raw))   # a body that is not JSON is decoded with replacement
        if found is not None:
            return found
    fields = [*request.args.items(multi=True)]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        fields += [*request.form.items(multi=True)]
    for key, value in fields:
        for text in (key, value):
            if _ESCAPE.search(text):
                parsed = _parsed(text)
                if parsed is not None and has_surrogate(parsed):
                    return WHOLE if text is key else _shown(key)
    return None


def message(param: str) -> str:
    if param == WHOLE:
        return tk._("The request contains text that is not valid Unicode (a lone UTF-16 surrogate, "
                    "such as \\ud800). Send text in UTF-8.")
    return tk._("Parameter “{param}” contains text that is not valid Unicode (a lone UTF-16 surrogate, "
                "such as \\ud800). Send text in UTF-8.").format(param=param)
