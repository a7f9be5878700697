"""package_search as every caller reaches it (API, /dataset, organization pages, feeds,
the DCAT catalog), package_autocomplete, and ckanext-dcat's catalog actions.

- **The caller's fq is a filter of its own.** CKAN splices the caller's ``fq`` into one
  string with its fixed filters (``+capacity:public <fq> +dataset_type:dataset
  -dataset_type:harvest +state:(active)``). Under Lucene's rules an ``OR`` there turns
  its neighbours into optional clauses (``x OR +dataset_type:dataset`` leaves the type
  optional), so a caller could loosen the fixed filters. Here the caller's fq is checked
  on its own and bracketed before CKAN adds anything: ``+(<fq>)``, or ``+(*:* <fq>)`` when
  it is made of exclusions only (Solr's rule for a top-level filter of that kind). Textual
  checks by CKAN and plugins (``'+state' in fq``, ``dataset_type:harvest``) see the same
  text as before.
- **Short errors.** A request the backend refuses (``lucene.QueryError``: syntax, a bad
  parameter, a date or number out of range, NUL) becomes ``SearchQueryError`` with a
  zh/en message (API 400, /dataset 400); a failure of the search itself becomes
  ``SearchError`` with a generic message (API 409). CKAN's own error text would carry
  the whole composed query.
- **DCAT catalog pages** (``dcat_catalog_show``/``dcat_catalog_search``): ckanext-dcat
  builds its page links from the raw request parameters, so any ``q`` or ``fq`` with a
  space made an invalid URI and a 500 in the Turtle/XML serializer. Same search and
  pagination as ckanext-dcat, with the links percent-encoded.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import urlencode

import ckan.plugins.toolkit as tk
from ckan.lib.navl.validators import unicode_safe
from ckan.lib.search.common import SearchError, SearchQueryError
from ckan.types import Context, DataDict

from ckanext.guangdong import params
from ckanext.guangdong.search import fields, messages
from ckanext.guangdong.search.backend import executor, lucene, parameters, syntax
from ckanext.guangdong.search.logic import soft

# What @tk.blanket.actions registers (ckanext/guangdong/registration.py)
__all__ = ["package_search", "package_autocomplete", "dcat_catalog_show", "dcat_catalog_search"]
# registered only where that plugin is loaded (chaining an action that does not exist fails)
CHAINED_IF_LOADED = {"dcat_catalog_show": "dcat", "dcat_catalog_search": "dcat"}


def _query_error(exc: BaseException) -> lucene.QueryError | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, lucene.QueryError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _solr_rejected(exc: BaseException) -> bool:
    """A real Solr's 400 (search_backend = solr): a bad query, not a failure. (Solr
    answers some of a visitor's bad parameters with 500, e.g. tie=2: precheck refuses
    those first.)"""
    text = str(exc)
    return any(marker in text for marker in (
        "org.apache.solr.search.SyntaxError", "undefined field", "Can't determine a Sort Order",
        "sort param", "Invalid Date", "Invalid Number", "Invalid 'mm' spec",
        "Solr responded with an error (HTTP 400)"))


# ckan/lib/search/query.py: "Invalid search parameters: ['ps', 'qs']" (English)
_CKAN_INVALID_PARAMETERS = re.compile(r"^Invalid search parameters: \[(.*)\]$", re.S)


def short_error(exc: SearchError) -> SearchError:
    """CKAN's SearchError/SearchQueryError with a short message of ours."""
    cause = _query_error(exc)
    if cause is not None:
        return SearchQueryError(messages.for_code(cause.code, cause.detail))
    if str(exc).startswith("SOLR returned an error running query"):
        if "maxClauseCount" in str(exc):  # Solr's expansion of many words over its fields
            return SearchQueryError(messages.for_code("clauses", {"max": syntax.MAX_CLAUSES}))
        if _solr_rejected(exc):
            return SearchQueryError(messages.query_syntax())
        return SearchError(messages.search_failed())
    unknown = _CKAN_INVALID_PARAMETERS.match(str(exc))
    if unknown:
        names = ", ".join(sorted(re.findall(r"'([^']*)'", unknown.group(1))))
        return SearchQueryError(messages.for_code("unknown_param", {"param": names}))
    return exc  # CKAN's own short messages (local params)


def own_filter(fq: Any) -> Any:
    """The caller's fq as a bracketed filter of its own (see the module docstring)."""
    if fq is None:
        return fq
    text = unicode_safe(fq)
    if not text.strip():
        return text
    node = _checked_filter(text)
    if isinstance(node, syntax.Boolean) and \
            all(c.occur == syntax.MUST_NOT for c in node.clauses):
        return f"+(*:* {text})"
    return f"+({text})"


def _refuse_unsupported(node: syntax.Node | None) -> None:
    """What neither engine should run, wherever it sits in the tree: regular expressions
    (a real Solr ran them: expensive) and magic fields (CKAN's English 409)."""
    if isinstance(node, syntax.Boolean):
        for clause in node.clauses:
            _refuse_unsupported(clause.query)
    elif isinstance(node, syntax.Term):
        name = node.field or ""
        if name.startswith("{!") or name in ("_query_", "_val_"):
            raise _refuse("unsupported", what=name)
        if node.kind == "regex":
            raise _refuse("unsupported", what="/regex/")


def _checked_filter(text: str) -> syntax.Node | None:
    """A filter (fq or one fq_list entry) parsed as Solr reads it (CKAN always sends
    q.op=AND): syntax, nesting, clause count, regex and magic fields checked."""
    try:
        node = syntax.parse(text, default_and=True)
    except syntax.QuerySyntaxError as exc:
        raise SearchQueryError(messages.for_code(exc.code, exc.detail)) from None
    _refuse_unsupported(node)
    return node


MAX_INT = 2**31 - 1
# Separate filters of one request (each its own filter query: 2,000 were accepted); more
# conditions go in one fq (MAX_CLAUSES a query).
MAX_FQ_LIST = 100


def _refuse(code: str, **detail: Any) -> SearchQueryError:
    return SearchQueryError(messages.for_code(code, detail))


# Parameters that hold one value: a GET with the parameter twice (?fq=a&fq=b) reaches the
# action as a list, which CKAN would turn into its Python text (['a', 'b']).
SINGLE_VALUED = ("q", "fq", "sort", "wt", "defType", "mm", "qf", "df", "tie", "bf", "boost")
# Response formats: package_search answers JSON; wt=xml or javabin made a real Solr answer
# in a format CKAN cannot read (a 500).
RESPONSE_FORMATS = (None, "", "json")


def _local_params_allowed(q: str) -> bool:
    """CKAN's own rule for local parameters ({!parser ...}): only the parsers a site
    allows (ckan.search.solr_allowed_query_parsers, none by default)."""
    from ckan.lib.search.query import _get_local_query_parser  # pyright: ignore[reportPrivateUsage]
    try:
        parser = _get_local_query_parser(q)
    except SearchQueryError:
        return False
    return bool(parser) and parser in tk.config.get("ckan.search.solr_allowed_query_parsers")


def precheck(data_dict: DataDict) -> None:
    """What any search engine should refuse, checked before CKAN composes the query: the
    same answer whichever backend runs it (a real Solr takes NUL characters, and its
    parser overflows its stack on deep nesting). The PostgreSQL backend checks more
    (dates, numbers, sort) itself."""
    for key, value in data_dict.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        if any(isinstance(v, str) and "\x00" in v for v in values):
            raise _refuse("nul", param=key)
    for key in SINGLE_VALUED:
        if isinstance(data_dict.get(key), (list, tuple)):
            raise _refuse("repeated", param=key)
    if data_dict.get("wt") not in RESPONSE_FORMATS:
        raise _refuse("wt", value=data_dict["wt"])
    start = data_dict.get("start")
    if isinstance(start, (int, str)) and str(start).strip().lstrip("-").isdigit() \
            and not 0 <= int(start) <= MAX_INT:
        raise _refuse("range", param="start", low=0, high=MAX_INT)
    _check_dismax_parameters(data_dict)
    fq_list = data_dict.get("fq_list")
    if isinstance(fq_list, (list, tuple)) and len(fq_list) > MAX_FQ_LIST:
        raise _refuse("fq_list", max=MAX_FQ_LIST)
    for entry in fq_list if isinstance(fq_list, (list, tuple)) else []:
        # each entry is a filter of its own: the same limits as fq (a deep one overflowed
        # Solr's stack: 500)
        if isinstance(entry, str) and entry.strip():
            _checked_filter(entry)
    q = data_dict.get("q")
    if q is None or (isinstance(q, str) and q.strip() in ("", '""', "''", "*:*")):
        return
    text = unicode_safe(q)
    if "{!" in text and not (text.lstrip().startswith("{!") and _local_params_allowed(text)):
        # CKAN's refusal is an English SearchError (409 on the API, an English notice on
        # /dataset), and only local parameters at the start are CKAN's to read.
        raise _refuse("unsupported", what="{!...}")
    if text.lstrip().startswith("{!"):
        return  # a parser the site allows: its own syntax
    # The parser CKAN will ask for (ckan.lib.search.query.PackageSearchQuery.run).
    parser = data_dict.get("defType") or ("dismax" if ":" not in text else "lucene")
    try:
        node = lucene.parse(text, parser, True)
    except lucene.QueryError as exc:
        raise _refuse(exc.code, **exc.detail) from None
    _refuse_unsupported(node)


def _check_dismax_parameters(data_dict: DataDict) -> None:
    """defType, mm and tie as the embedded engine reads them: a bad one was a 409 that
    asked the user to try again later (or, on Solr, ran: defType=func/xmlparser)."""
    deftype = data_dict.get("defType")
    if deftype not in (None, "") and deftype not in lucene.PARSERS:
        raise _refuse("deftype", value=deftype)
    mm = data_dict.get("mm")
    if mm not in (None, ""):
        try:
            syntax.min_should_match(str(mm), 3)
        except syntax.QuerySyntaxError:
            raise _refuse("mm", value=mm) from None
        # every part, whatever the number of clauses ("2<" passed above; Solr: 400)
        parts = " ".join(re.sub(r"\s*<\s*", "<", str(mm)).split()).split(" ")
        if not all(_MM_PART.fullmatch(part) for part in parts) \
                or (len(parts) > 1 and not all("<" in part for part in parts)):
            raise _refuse("mm", value=mm)
    tie = data_dict.get("tie")
    if tie not in (None, ""):
        try:
            if not 0 <= float(str(tie)) <= 1:  # Solr: "tieBreakerMultiplier must be in [0, 1]", a 500
                raise ValueError(tie)
        except ValueError:
            raise _refuse("tie", value=tie) from None
    for name in ("qf", "pf"):
        # field^boost: Solr's Float.parseFloat of a non-number, or a negative boost, was a 500
        value = data_dict.get(name)
        if isinstance(value, str) and not all(_FIELD_BOOST.fullmatch(f) for f in value.split()):
            raise _refuse("boost", param=name, value=value)


_MM_PART = re.compile(r"(-?\d{1,9}<)?-?\d{1,9}%?")
_FIELD_BOOST = re.compile(r"[^\s^]+(\^(\d+(\.\d*)?|\.\d+))?")


def check_public_request(data_dict: DataDict) -> None:
    """What a visitor (any caller but the portal's own, ignore_auth) may facet and sort
    on: public keyword fields (search/fields.py), sort also on score. Facets on internal
    fields listed their values; on text fields, the index's vocabulary."""
    facet_fields = data_dict.get("facet.field")
    if isinstance(facet_fields, str):
        try:
            facet_fields = json.loads(facet_fields)
        except ValueError:
            facet_fields = None  # CKAN's own validation answers
    if isinstance(facet_fields, str):
        facet_fields = [facet_fields]
    for name in facet_fields if isinstance(facet_fields, list) else []:
        if isinstance(name, str) and "\x00" in name:
            raise _refuse("nul", param="facet.field")
        if isinstance(name, str) and not fields.is_facetable(name):  # others: CKAN's 409
            raise _refuse("facet_field", value=name)
    # facet.mincount=0 made Solr list every value of its index with count 0, those of private,
    # draft and 不予开放 datasets too (names, ids, download links, contact e-mails): a visitor's
    # facets hold what the visitor may see, at least once (the embedded engine's rule already).
    # Function queries scored datasets by any indexed field, internal ones too
    # (bf=strdist(creator_user_id,'d8',edit)), past the refused defType=func: not for visitors.
    for name in ("bf", "boost"):
        if str(data_dict.get(name) or "").strip():
            raise _refuse("param", param=name)
    # (Negative and non-numeric values are CKAN's validator's to refuse.)
    try:
        if int(str(data_dict.get("facet.mincount", 1)).strip()) == 0:
            data_dict["facet.mincount"] = 1
    except ValueError:
        pass
    sort = data_dict.get("sort")
    if isinstance(sort, str) and sort.strip():
        try:
            clauses = parameters.parse_sort(sort.strip())
        except lucene.QueryError as exc:
            raise _refuse(exc.code, **exc.detail) from None
        for name, _order in clauses:
            if name not in fields.SORTABLE_FIELDS:
                raise _refuse("sort_field", value=name)


MATCH_ALL = ("*", "＊")


@tk.side_effect_free
@tk.chained_action
def package_search(original: Any, context: Context, data_dict: DataDict) -> Any:
    data_dict = dict(data_dict)
    # Soft matching (logic/soft.py): asked for by the caller, or by the /dataset page.
    page = _page_asks_soft(context, data_dict)
    # params.as_bool: "maybe" is a 409 naming the parameter (tk.asbool's ValueError was a 500)
    wants_soft = params.as_bool(data_dict, soft.PARAM, False) or page
    data_dict.pop(soft.PARAM, None)
    precheck(data_dict)
    if not context.get("ignore_auth"):
        check_public_request(data_dict)
    if isinstance(data_dict.get("q"), str) and data_dict["q"].strip() in MATCH_ALL:
        data_dict["q"] = "*:*"  # a user typing * expects everything (dismax read a literal *)
    if "fq" in data_dict:
        data_dict["fq"] = own_filter(data_dict["fq"])
    if data_dict.get("fl") and not context.get("ignore_auth"):
        # fl=* or fl=data_dict returned the index's stored copies and housekeeping
        # (index_id, creator_user_id, permission labels) to anyone: public fields only.
        data_dict["fl"] = fields.public_fl(data_dict["fl"])
    try:
        if wants_soft and soft.applies(data_dict):
            result = soft.search(original, context, data_dict)
            _remember_soft(result[soft.PARAM])
            return result
        if page:
            # The page never shows the embedded engine's any-word fallback as matches
            # (Solr has none): a word that finds nothing finds nothing, and the page's
            # "did you mean" and hints take over (docs/search.md).
            with executor.strict_words():
                return original(context, data_dict)
        return original(context, data_dict)
    except SearchError as exc:
        raise short_error(exc) from None


def _page_asks_soft(context: Context, data_dict: DataDict) -> bool:
    """The /dataset page's own search (search/views.py marks the request; the first
    for_view search with the page's q takes the mark)."""
    from flask import g, has_request_context, request
    if not has_request_context() or not context.get("for_view") or not g.get("guangdong_soft_page"):
        return False
    if data_dict.get("q", "") != request.args.get("q", ""):
        return False
    g.guangdong_soft_page = False
    return True


def _remember_soft(summary: dict[str, Any]) -> None:
    """For the page's template (helper guangdong_search_soft): CKAN's view passes on only
    the count, results and facets."""
    from flask import g, has_request_context
    if has_request_context():
        g.guangdong_soft_result = summary


MAX_AUTOCOMPLETE = 1000


@tk.side_effect_free
@tk.chained_action
def package_autocomplete(original: Any, context: Context, data_dict: DataDict) -> Any:
    """CKAN's dataset autocomplete searches the index with ``limit`` as ``rows``, unchecked
    (``limit=abc`` was a 500, a huge one CKAN's long error text)."""
    limit = data_dict.get("limit", 10)
    try:
        limit = int(limit if limit not in (None, "") else 10)
    except (TypeError, ValueError):
        limit = -1
    if not 0 <= limit <= MAX_AUTOCOMPLETE:
        raise _refuse("range", param="limit", low=0, high=MAX_AUTOCOMPLETE)
    if isinstance(data_dict.get("q"), str) and "\x00" in data_dict["q"]:
        raise _refuse("nul", param="q")
    try:
        return original(context, {**data_dict, "limit": limit})
    except SearchError as exc:
        raise short_error(exc) from None


# -- ckanext-dcat ---------------------------------------------------------------------------
MAX_PAGE = 10**6
def _catalog_page_url(page: int) -> str:
    from ckanext.dcat.utils import catalog_uri
    args = [(k, v) for k, v in tk.request.args.items(multi=True)
            if k in ("modified_since", "profiles", "q", "fq")]
    return f"{catalog_uri()}{tk.request.path}?{urlencode(args + [('page', page)])}"


def _pagination_info(query: dict[str, Any], data_dict: DataDict) -> dict[str, Any]:
    """ckanext-dcat's _pagination_info (first/last/previous/next page links), with the
    links built by urlencode."""
    from ckanext.dcat import logic as dcat_logic
    try:
        page = int(data_dict.get("page", 1) or 1)
    except ValueError:
        raise dcat_logic.wrong_page_exception from None
    if page < 1:
        raise dcat_logic.wrong_page_exception
    if query["count"] == 0:
        return {}
    per_page = int(tk.config.get("ckanext.dcat.datasets_per_page",
                                 dcat_logic.DATASETS_PER_PAGE))
    last = int(math.ceil(query["count"] / per_page)) or 1
    info: dict[str, Any] = {"count": query["count"], "items_per_page": per_page,
                            "current": _catalog_page_url(page),
                            "first": _catalog_page_url(1), "last": _catalog_page_url(last)}
    if page > 1:
        within = (page - 1) * per_page + len(query["results"]) <= query["count"]
        info["previous"] = _catalog_page_url(page - 1 if within else last)
    if page * per_page < query["count"]:
        info["next"] = _catalog_page_url(page + 1)
    return info


def _catalog(action: str, context: Context, data_dict: DataDict) -> Any:
    """Search errors stay SearchError/SearchQueryError (short, from package_search above):
    search/views.py answers them with 400/409 where ckanext-dcat's views would 500."""
    from ckanext.dcat import logic as dcat_logic
    from ckanext.dcat.processors import RDFSerializer
    tk.check_access(action, context, data_dict)
    try:
        page = int(data_dict.get("page", 1) or 1)
    except (TypeError, ValueError):
        page = 0
    if not 1 <= page <= MAX_PAGE:  # ckanext-dcat's own refusal is an English 409
        raise SearchQueryError(messages.for_code(
            "range", {"param": "page", "low": 1, "high": MAX_PAGE}))
    query = dcat_logic._search_ckan_datasets(context, data_dict)
    serializer = RDFSerializer(profiles=data_dict.get("profiles"))
    # no format: rdflib's default (Turtle), as ckanext-dcat's own catalog action passes it
    return serializer.serialize_catalog({}, query["results"], _format=data_dict.get("format"),  # pyright: ignore[reportArgumentType]
                                        pagination_info=_pagination_info(query, data_dict))


@tk.side_effect_free
@tk.chained_action
def dcat_catalog_show(original: Any, context: Context, data_dict: DataDict) -> Any:
    return _catalog("dcat_catalog_show", context, data_dict)


@tk.side_effect_free
@tk.chained_action
def dcat_catalog_search(original: Any, context: Context, data_dict: DataDict) -> Any:
    return _catalog("dcat_catalog_search", context, data_dict)
