"""Search errors on pages: no route of its own, two app-wide hooks.

- A page that lets CKAN's SearchError escape (feeds, ckanext-dcat's catalog, any page a
  plugin adds) answers 400 (the request was bad) or 409 (the search failed) with the
  short message of logic/action.py, instead of a 500.
- CKAN's dataset search view (/dataset, /application, every dataset type) splits
  ``sort`` itself before searching and fails with a 500 on an empty clause
  (``sort=title_string asc,``): such a sort is refused with a 400 first.
- The same view lists soft matches on /dataset (logic/soft.py): the request is marked here.
- The same view (and the organization and group pages) turns every URL parameter it does
  not know into a field filter (``fq`` ``name:"value"``): a shared link with
  ``utm_source=wechat`` (or WeChat OAuth's ``state=STATE``) found nothing and showed a
  chip "None: wechat". Parameters that are neither a facet of the page nor a documented
  filter field (search/fields.py) are dropped from the request before the view reads it.
- The Action API puts CKAN's English words before our zh/en message
  (``Search Query is invalid: '...'``, the message as Python text): the API's search
  errors carry our message alone.
"""
from __future__ import annotations

import ast
import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SearchError, SearchQueryError
from flask import Blueprint, Response, current_app, request
from werkzeug.datastructures import ImmutableMultiDict

from ckanext.guangdong.search import fields, messages
from ckanext.guangdong.search.backend import lucene, parameters

search_pages = Blueprint("guangdong_search", __name__)
__all__ = ["search_pages"]


def _is_view(module: str, name: str) -> bool:
    # By name: CKAN's app factory may import ckan.views.dataset a second time (through
    # a relative path), so the registered function is not always the module's.
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "__module__", None) == module and getattr(view, "__name__", None) == name


def _is_dataset_search_view() -> bool:
    return _is_view("ckan.views.dataset", "search")


def _page_facets() -> set[str]:
    """The facets the dataset search page shows (CKAN's defaults and every IFacets)."""
    import ckan.plugins as p
    from ckan.lib.helpers import facets as default_facets
    package_type = (request.view_args or {}).get("package_type") or "dataset"
    found: dict[str, Any] = {name: name for name in default_facets()}
    for plugin in p.PluginImplementations(p.IFacets):
        found = plugin.dataset_facets(found, package_type)  # pyright: ignore[reportArgumentType]
    return set(found)


@search_pages.before_app_request
def ignore_unknown_search_parameters() -> None:
    if not request.args or not (_is_dataset_search_view() or _is_view("ckan.views.group", "read")):
        return
    facets = _page_facets()
    kept = [(k, v) for k, v in request.args.items(multi=True) if fields.is_page_filter(k, facets)]
    if len(kept) != len(list(request.args.items(multi=True))):
        request.args = ImmutableMultiDict(kept)  # pyright: ignore[reportAttributeAccessIssue]


@search_pages.before_app_request
def soft_matching_on_dataset_search() -> None:
    """/dataset lists all-words results, then most-words ones, with both counts
    (logic/soft.py; option ckanext.guangdong.search.soft_matching)."""
    from flask import g
    if _is_dataset_search_view() and (request.view_args or {}).get("package_type", "dataset") == "dataset" \
            and tk.asbool(tk.config.get("ckanext.guangdong.search.soft_matching", True)):
        g.guangdong_soft_page = True


@search_pages.before_app_request
def refuse_bad_sort_on_dataset_search() -> None:
    sort = request.args.get("sort")
    if not sort or not _is_dataset_search_view():
        return
    try:
        if any(not clause.strip() for clause in sort.split(",")):
            raise lucene.QueryError("sort", "empty sort clause", value=sort)
        parameters.parse_sort(sort)
    except lucene.QueryError as exc:
        tk.abort(400, messages.for_code(exc.code, exc.detail))


# CKAN's organization/group list (ckan.logic.action.get._group_or_org_list): one clause,
# on these fields; anything else showed CKAN's English "Cannot sort by field `foo`".
GROUP_SORT_FIELDS = ("name", "title", "package_count", "packages")


@search_pages.before_app_request
def refuse_bad_sort_on_group_list() -> None:
    sort = request.args.get("sort")
    if not sort or not _is_view("ckan.views.group", "index"):
        return
    pieces = sort.split()
    if not (1 <= len(pieces) <= 2 and pieces[0] in GROUP_SORT_FIELDS
            and (len(pieces) == 1 or pieces[1].lower() in ("asc", "desc"))):
        tk.abort(400, messages.for_code("group_sort", {"value": sort}))


# The longest search text a page takes: a URL with it (Chinese: 9 bytes a character,
# percent-encoded) and the page's other parameters fits in the request line the servers
# accept (gunicorn --limit-request-line 8190, scripts/run.sh and docker; nginx's 8k
# buffers), so a long text gets this zh/en page, not the server's English 414.
MAX_PAGE_Q = 500


@search_pages.before_app_request
def refuse_overlong_search_text() -> None:
    if request.blueprint == "api":
        return  # the API's rule: syntax.MAX_QUERY_CHARS (POST takes long queries)
    q = request.args.get("q")
    if q and len(q) > MAX_PAGE_Q:
        tk.abort(400, messages.for_code("length", {"max": MAX_PAGE_Q}))


@search_pages.app_errorhandler(SearchError)
def search_error_page(exc: SearchError) -> Any:
    from ckan.lib import base
    code = 400 if isinstance(exc, SearchQueryError) else 409
    name = messages.status_name(code)
    content = str(exc) if exc.args else messages.search_failed()
    return base.render("error_document_template.html",
                       {"code": code, "content": content, "name": name}), code


# ckan/views/api.py: u'Search Query is invalid: %r' % e.args (and the same for SearchError)
_CKAN_PREFIXES = {"Search Query Error": "Search Query is invalid: ", "Search Error": "Search error: "}


@search_pages.after_app_request
def api_search_error_without_ckan_prefix(response: Response) -> Response:
    if request.endpoint != "api.action" or response.status_code not in (400, 409) \
            or response.mimetype != "application/json":
        return response
    try:
        body = json.loads(response.get_data(as_text=True))
    except ValueError:
        return response
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return response
    prefix, message = _CKAN_PREFIXES.get(error.get("__type", "")), error.get("message")
    if not prefix or not isinstance(message, str) or not message.startswith(prefix):
        return response
    try:
        text = ast.literal_eval(message[len(prefix):])  # the repr of the one argument
    except (ValueError, SyntaxError):
        return response
    if isinstance(text, str):
        error["message"] = text
        response.set_data(json.dumps(body))
    return response
