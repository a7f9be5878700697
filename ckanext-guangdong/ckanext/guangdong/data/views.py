"""Pages and endpoints of the data feature:

- ``/dataset/<id>/resource/<resource_id>/data.<fmt>``: the table as CSV, TSV, JSON, XML or XLSX
  (export.py), for whoever may read the resource;
- ``/dataset/<id>/resource/<resource_id>/api``: the 数据接口 tab, ready-to-run examples;
- ``/datastore/dump/<resource_id>``: the DataStore's own download, answered here in CSV, TSV and
  XML (``dump``) so its cells are written as ours and bad search parameters are a 400;
- ``/datatables/ajax/<view_id>``: the DataTables preview's data, registered before
  ckanext-datatablesview's endpoint of the same path, whose search replaces every character
  outside [0-9a-zA-Z-] and so can never find Chinese text.
"""
from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import ckan.plugins.toolkit as tk
from ckan.common import current_user
from ckan.types import Context
from flask import Blueprint, Response, request, stream_with_context

from ckanext.guangdong.data import export, helpers

guangdong_data = Blueprint("guangdong_data", __name__)
__all__ = ["guangdong_data"]


def _context() -> Context:
    return {"user": current_user.name if current_user.is_authenticated else "",
            "auth_user_obj": current_user}


def _resource(id: str, resource_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The dataset and resource, 404 for anyone who may not see them (no hint they exist)."""
    try:
        pkg = tk.get_action("package_show")(_context(), {"id": id})
        res = tk.get_action("resource_show")(_context(), {"id": resource_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Resource not found"))
    if res["package_id"] != pkg["id"]:
        return tk.abort(404, tk._("Resource not found"))
    return pkg, res


def _filename(res: dict[str, Any], ext: str) -> str:
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", res.get("name") or res["id"]).strip(" ._")[:100]
    name = re.sub(r"\.(csv|tsv|xlsx?|json|xml|txt)$", "", name, flags=re.I) or res["id"]
    return f"{name}.{ext}"


@guangdong_data.route("/dataset/<id>/resource/<resource_id>/data.<fmt>")
def download(id: str, resource_id: str, fmt: str) -> Any:
    if fmt not in export.FORMATS:
        return tk.abort(404, tk._("Unsupported format"))
    pkg, res = _resource(id, resource_id)
    context = _context()
    try:
        tk.get_action("datastore_search")(context.copy(), {"resource_id": resource_id, "limit": 0})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("This resource has no data in the DataStore"))
    max_rows = int(tk.config.get("ckanext.guangdong.data.export_max_rows"))

    def search(offset: int, limit: int) -> dict[str, Any]:
        return tk.get_action("datastore_search")(context.copy(), {
            "resource_id": resource_id, "offset": offset, "limit": limit, "sort": "_id",
            "records_format": "lists", "include_total": False})

    mimetype, ext = export.FORMATS[fmt]
    filename = _filename(res, ext)
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    headers = {"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; "
                                      f"filename*=UTF-8''{quote(filename)}",
               "X-Content-Type-Options": "nosniff"}
    body = stream_with_context(export.stream(fmt, search, max_rows))
    return Response(body, mimetype=mimetype.split(";")[0], content_type=mimetype, headers=headers)


@guangdong_data.route("/dataset/<id>/resource/<resource_id>/api")
def api(id: str, resource_id: str) -> Any:
    pkg, res = _resource(id, resource_id)
    res["has_views"] = True
    return tk.render("guangdong_data/api.html", extra_vars={
        "package": pkg, "pkg": pkg, "pkg_dict": pkg, "resource": res, "res": res,
        "dataset_type": pkg["type"], "resource_views": [], "current_resource_view": None,
        "api": helpers.guangdong_data_api_examples(pkg, res)})


def _form_int(name: str, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(tk.request.form.get(name, default))))
    except (TypeError, ValueError):
        return default


@guangdong_data.route("/datatables/ajax/<resource_view_id>", methods=["POST"])
def datatables_ajax(resource_view_id: str) -> Any:
    """The same answer as ckanext-datatablesview's endpoint, with the search text (global and
    per column) passed to datastore_search as typed: Chinese is matched as substrings
    (search.py), other text by the DataStore's full-text search with prefix matching."""
    from ckan.lib.helpers import decode_view_request_filters
    from ckanext.datatablesview.blueprint import merge_filters
    form = tk.request.form
    context = _context()
    try:
        view = tk.get_action("resource_view_show")(context.copy(), {"id": resource_view_id})
        search = tk.get_action("datastore_search")
        unfiltered = search(context.copy(), {"resource_id": view["resource_id"], "limit": 0,
                                            "filters": view.get("filters", {})})
    except tk.ObjectNotFound:
        return json.dumps({"error": "Object not found"}), 404
    except tk.NotAuthorized:
        return json.dumps({"error": "Not Authorized"}), 403
    cols = [f["id"] for f in unfiltered["fields"]]
    if "show_fields" in view:
        cols = [c for c in cols if c in view["show_fields"]]
    sort = []
    i = 0
    while f"order[{i}][column]" in form:
        n = _form_int(f"order[{i}][column]", 0, 0, max(len(cols) - 1, 0))
        direction = "desc" if form.get(f"order[{i}][dir]") == "desc" else "asc"
        if cols:
            sort.append(f'"{cols[n]}" {direction}')
        i += 1
    column_q: dict[str, str] = {}
    i = 0
    while f"columns[{i}][search][value]" in form:
        value = str(form.get(f"columns[{i}][search][value]") or "").strip()
        name = str(form.get(f"columns[{i}][name]") or "")
        if value and name in cols:
            column_q[name] = value
        i += 1
    text = str(form.get("search[value]") or "").strip()
    q: Any | None = column_q or text or None
    params: dict[str, Any] = {
        "resource_id": view["resource_id"],
        "offset": _form_int("start", 0, 0, 10**9),
        "limit": _form_int("length", 10, 1, 1000),
        "sort": ", ".join(sort),
        "filters": merge_filters(view.get("filters", {}), decode_view_request_filters()),
    }
    if q is not None:
        params["q"] = q if helpers.search_is_substring(q) else helpers.prefix_query(q)
        params["plain"] = False
        params["language"] = "simple"
    try:
        response = search(context.copy(), params)
    except (tk.ValidationError, tk.ObjectNotFound, tk.NotAuthorized):
        return json.dumps({"error": tk._("Invalid search query")}), 400
    null_label = tk.h.datatablesview_null_label()
    from html import escape
    data = []
    for row in response["records"]:
        record = {c: escape(str(null_label if row.get(c) is None else row.get(c))) for c in cols}
        record["DT_RowId"] = "row" + str(row.get("_id", ""))
        data.append(record)
    return json.dumps({"draw": _form_int("draw", 0, 0, 10**9),
                       "recordsTotal": unfiltered.get("total", 0),
                       "recordsFiltered": response.get("total", 0), "data": data})


_DUMP_SEARCH = ("filters", "q", "distinct", "plain", "language", "fields")


@guangdong_data.before_app_request
def _datastore_dump() -> Any:
    """CKAN's ``/datastore/dump`` (its blueprint's endpoint ``datastore.dump``) wrote CSV and
    TSV cells as PostgreSQL gave them (``=HYPERLINK(…)`` ran in a spreadsheet), answered a bad
    ``q`` or ``language`` and, in XML, a column named ``j`` with a 500 (attack trial a10, L1 and
    L2). Answered here instead, CKAN's parameters and shape kept; JSON and every refusal (a
    hidden or missing table, a bad parameter) stay CKAN's own answers."""
    if request.endpoint != "datastore.dump":
        return None
    return dump(str((request.view_args or {}).get("resource_id") or ""))


def dump(resource_id: str) -> Any:
    from ckan.lib.navl import dictization_functions as dict_fns
    from ckanext.datastore.blueprint import dump_schema
    context = _context()
    try:
        tk.get_action("datastore_search")(context.copy(), {"resource_id": resource_id, "limit": 0,
                                                           "include_total": False})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return None
    data, errors = dict_fns.validate(request.args.to_dict(), dump_schema())
    if errors:
        return None
    offset, limit = max(0, data["offset"]), data.get("limit")
    base = {"resource_id": resource_id, "sort": data["sort"], "records_format": "lists",
            "include_total": False, **{k: data[k] for k in _DUMP_SEARCH if k in data}}

    def search(off: int, size: int) -> dict[str, Any]:
        return tk.get_action("datastore_search")(context.copy(), {**base, "offset": offset + off,
                                                                  "limit": size})
    try:
        search(0, 1)  # a q, language, filter or sort PostgreSQL refuses: refused before any byte
    except tk.ValidationError:
        return tk.abort(400, tk._("The download could not be made: check its search parameters "
                                  "(q, plain, language, filters, fields, sort)"))
    fmt = data["format"]
    if fmt not in ("csv", "tsv", "xml"):
        return None
    mimetype = export.FORMATS[fmt][0]
    headers = {"Content-Disposition": f'attachment; filename="{resource_id}.{fmt}"',
               "X-Content-Type-Options": "nosniff"}
    max_rows = limit if limit is not None else 2 ** 62
    body = stream_with_context(export.stream_dump(fmt, search, max(0, max_rows), bool(data["bom"])))
    return Response(body, mimetype=mimetype.split(";")[0], content_type=mimetype, headers=headers)
