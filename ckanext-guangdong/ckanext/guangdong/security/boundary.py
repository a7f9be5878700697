"""Checks at the door, before any view or action runs, for input no part of the portal can
use and that otherwise failed deep inside (PostgreSQL, the JSON parser) with a 500:

* text that is not valid Unicode: a lone UTF-16 surrogate (``"\\ud800"`` in a JSON body, or
  its UTF-8-style bytes ``ED A0 80``, which Python's JSON reader lets through), in the body of
  any request, whichever action or view it is for (PostgreSQL, Solr and the log cannot encode
  one: "surrogates not allowed"). Always a 400 naming the parameter (``surrogates.py``). The
  address and form fields cannot carry one (werkzeug decodes them with replacement);
* a NUL character anywhere in the path, the query, a form or a body (PostgreSQL text cannot
  hold one; every query with it failed). Where it is says how it is answered: in the address
  (path or query) a 400 naming the parameter, as the search feature answers it; in an action's
  data a 409 on each parameter that holds one, as the schema's validators answer it (the same
  messages, so a client meets one wording whichever layer stops it);
* a JSON body nested deeper than ``MAX_DEPTH`` (Python's parser gives up with RecursionError);
* a paging parameter (limit, offset, rows, start, page; in the query, and in an action's
  data) that is not a whole number from 0 to ``MAX_NUMBER``;
* in an action call, an identifier parameter (id, name, *_id) that is a list, an object or
  another non-text value.

Actions that check every parameter themselves, with messages that say more, are left to
them (``SELF_CHECKED``): the search feature's package_search and package_autocomplete
(paging, NUL; tests/search/test_search_bad_input.py), and its suggestions and hints (``rows``
1–20, ``q``: one 400 for any value they cannot use, search/logic/inputs.py); our own ``guangdong_*`` actions check
their identifiers themselves. On
dataset writes the schema's fields (``publisher_identifier`` …) are the schema's; only the dataset's
own ``id`` and ``name`` are checked here. ckanext-dcat's catalog pages check their ``page``
themselves (409 "Page param …").

Refusals are CKAN's own answers: the API's JSON error object with status 409 (400 for a body it
cannot read), and CKAN's error page with status 400 elsewhere.
"""
from __future__ import annotations

import io
import json
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.guangdong.security import surrogates

MAX_DEPTH = 100
MAX_NUMBER = 10**9
PAGING = ("limit", "offset", "rows", "start", "page")
SELF_CHECKED = frozenset({"package_search", "package_autocomplete",
                          # their rows is 1–20, one 400 for any value outside (search/logic/inputs.py)
                          "guangdong_search_suggest", "guangdong_search_hints"})
SCHEMA_WRITES = frozenset({"package_create", "package_update", "package_patch"})


def _is_identifier(key: str) -> bool:
    return key in ("id", "name", "name_or_id") or key.endswith("_id")


def _nul_message() -> str:
    return tk._("NUL characters are not allowed")


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _nul_in_query(request: Any) -> str | None:
    """The first query parameter whose name or value holds a NUL."""
    for key, value in request.args.items(multi=True):
        if "\x00" in key or "\x00" in value:
            return key.replace("\x00", "")
    return None


def json_depth_exceeds(body: bytes, most: int) -> bool:
    """Whether brackets nest deeper than ``most`` outside strings (counted without parsing)."""
    if body.count(b"[") + body.count(b"{") <= most:
        return False
    depth, in_string, escaped = 0, False, False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:      # backslash
                escaped = True
            elif byte == 0x22:      # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > most:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def _action_data(request: Any) -> dict[str, Any] | None:
    if request.method == "GET":
        return {k: (v if len(v) > 1 else v[0]) for k, v in request.args.lists()}
    if request.form:
        return {k: v for k, v in request.form.items()}
    try:
        data = json.loads(request.get_data() or b"{}")
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def action_problems(data: dict[str, Any], action: str = "") -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for key, value in data.items():
        if key in PAGING and value not in (None,):
            text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
            if text is None or not text.isdigit() or not text.isascii() or int(text) > MAX_NUMBER:
                problems[key] = [tk._("A whole number from 0 to {most}").format(most=MAX_NUMBER)]
        elif action.startswith("guangdong_") or (action in SCHEMA_WRITES and key not in ("id", "name")):
            continue   # their own validators say more (see the module's docstring)
        elif _is_identifier(key) and not (value is None or isinstance(value, str)):
            problems[key] = [tk._("Must be a text")]
    return problems


def check(request: Any) -> Any | None:
    """None if the request may go on; else the answer that refuses it."""
    from ckanext.guangdong.security.guards import error_page
    is_action = request.endpoint == "api.action"
    raw = b""
    if request.method in ("POST", "PUT", "PATCH"):
        raw = request.get_data(cache=True)
        # what reads the raw body after us (CKAN's tracking reads wsgi.input) finds it whole
        request.environ["wsgi.input"] = io.BytesIO(raw)
    bad = surrogates.in_request(request, raw)
    if bad is not None:
        message = surrogates.message(bad)
        return _api_error(400, {"message": message}) if is_action else error_page(400, message)
    if "\x00" in request.path or "%00" in request.path:
        return _api_error(400, {"message": _nul_message()}) if is_action else error_page(400, _nul_message())
    param = _nul_in_query(request)
    if param is not None:
        message = tk._("Parameter “{param}” contains a NUL character.").format(param=param)
        return _api_error(400, {"message": message}) if is_action else error_page(400, message)
    if not is_action and raw and (b"\x00" in raw or b"\\u0000" in raw
                                  or any(_has_nul(v) for v in request.form.values())):
        return error_page(400, _nul_message())
    if raw and json_depth_exceeds(raw, MAX_DEPTH):
        message = tk._("The request body is nested too deeply")
        return _api_error(400, {"message": message}) if is_action else error_page(400, message)
    paging = action_problems({k: v for k, v in request.args.items() if k in PAGING})
    if paging and not is_action and not (request.endpoint or "").startswith("dcat."):
        return error_page(400, "; ".join(f"{k}: {v[0]}" for k, v in paging.items()))
    action = (request.view_args or {}).get("logic_function", "") if is_action else ""
    if is_action and action not in SELF_CHECKED:
        data = _action_data(request)
        if data is None:
            return None   # CKAN answers a body it cannot read itself (400)
        nul = {key: [tk._("Remove the control characters (such as NUL) from this text")]
               for key, value in data.items() if _has_nul(key) or _has_nul(value)}
        if nul:
            return _api_error(409, {"__type": "Validation Error", **nul})
        problems = action_problems(data, action)
        if problems:
            return _api_error(409, {"__type": "Validation Error", **problems})
    return None


def _api_error(status: int, error: dict[str, Any]) -> Any:
    from flask import make_response
    body = {"help": tk.url_for("api.action", logic_function="help_show", ver=3, qualified=True)
            + f"?name={tk.request.view_args.get('logic_function', '') if tk.request.view_args else ''}",
            "success": False, "error": error}
    if status == 400 and "__type" not in error:
        body["error"] = {"__type": "Bad request", **error}
    response = make_response(json.dumps(body), status)
    response.headers["Content-Type"] = "application/json;charset=utf-8"
    return response
