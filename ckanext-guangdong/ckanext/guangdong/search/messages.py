"""Short zh/en messages for search requests that cannot be run (codes from the backend's
``lucene.QueryError`` and ``syntax.QuerySyntaxError``). The texts name the parameter and
what is expected; they never carry SQL, the composed Solr query or a traceback."""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk


def _(text: str) -> str:
    """tk._ where a request (hence a language) exists; the English text elsewhere (CLI)."""
    try:
        return tk._(text)
    except Exception:  # no Flask app/request context
        return text


def _messages() -> dict[str, str]:
    # Written out so that the .po extraction sees every message.
    return {
        "syntax": _("Search query syntax error: cannot read “{token}” at character {pos}."),
        "lexical": _("Search query syntax error: cannot read “{token}” at character {pos}."),
        "end": _("Search query incomplete: a closing bracket or quote, or the term after "
                 "an operator, is missing."),
        "depth": _("Search query nested too deeply (at most {max} levels of brackets)."),
        "clauses": _("Search query has too many conditions (at most {max})."),
        "length": _("Search query too long (at most {max} characters)."),
        "unsupported": _("Search query syntax not supported: {what}."),
        "range_field": _("A range query needs a field name, e.g. "
                         "metadata_modified:[2020-01-01T00:00:00Z TO NOW]."),
        "date": _("Invalid or out-of-range date in the search query: “{value}” "
                  "(years 1–9999)."),
        "number": _("Number too large in the search query: “{value}”."),
        "mm": _("Invalid minimum match (mm) value: “{value}”."),
        "nul": _("Parameter “{param}” contains a NUL character."),
        "param": _("Invalid value for parameter “{param}”."),
        "repeated": _("Parameter “{param}” may be given only once (several filters: join "
                      "them with AND in one fq, or send them as fq_list)."),
        "wt": _("Unsupported response format “{value}” (parameter wt): the search API "
                "answers in JSON only."),
        "range": _("Parameter “{param}” must be a whole number from {low} to {high}."),
        "sort_field": _("Cannot sort by “{value}”: sort by score or by a public field "
                        "(e.g. metadata_modified, title_string, name)."),
        "facet_field": _("Cannot facet on field “{value}”: facets are available on public "
                         "keyword fields only (e.g. tags, organization, res_format)."),
        "deftype": _("Unsupported query parser “{value}” (parameter defType): use lucene, "
                     "dismax or edismax."),
        "sort": _("Invalid sort “{value}”: use “field asc” or “field desc”, separated by "
                  "commas."),
        "fq_list": _("Too many filters in fq_list (at most {max}): join conditions with AND "
                     "in one filter."),
        "tie": _("Invalid value “{value}” for parameter “tie”: a number from 0 to 1."),
        "boost": _("Invalid value “{value}” for parameter “{param}”: fields separated by "
                   "spaces, each optionally with a boost, e.g. title^2 notes^0.5."),
        "group_sort": _("Cannot sort by “{value}”: sort by name, title or package_count, "
                        "asc or desc."),
        "unknown_param": _("Unsupported search parameter(s): {param}."),
    }


def status_name(code: int) -> str:
    """The heading of our error pages (CKAN's shows werkzeug's English reason)."""
    return _("Bad Request") if code == 400 else _("Conflict")


def search_failed() -> str:
    return _("Search failed; please try again later.")


def query_syntax() -> str:
    return _("Search query syntax error; please check brackets, quotes and operators.")


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _shown(value: Any) -> str:
    """A user's value echoed in a message: short, one line, no control characters."""
    text = _CONTROL.sub(" ", str(value))
    return text if len(text) <= 40 else text[:40] + "…"


def for_code(code: str, detail: dict[str, Any] | None = None) -> str:
    template = _messages().get(code)
    if template is None:
        return query_syntax()
    values = {k: _shown(v) for k, v in (detail or {}).items()}
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return query_syntax()
