"""Template helpers of the data feature (all prefixed ``guangdong_data``) and the small pieces
of the DataTables search they share with views.py."""
from __future__ import annotations

import json
import re
import shlex
import unicodedata
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.guangdong.data import export, records, search, tables

__all__ = ["guangdong_data_load_report", "guangdong_data_record_count_check",
           "guangdong_data_download_links", "guangdong_data_api_examples",
           "guangdong_data_items_comparison", "guangdong_data_harvest_checks",
           "guangdong_data_type_label"]

DOWNLOAD_FORMATS = ("csv", "xlsx", "tsv", "json", "xml")
# DataStore types -> the 信息项 types (schemas/vocab/misc.yaml data_types) they agree with
COMPATIBLE = {"text": {"string", "boolean", "binary"}, "numeric": {"integer", "decimal"},
              "date": {"date", "datetime"}, "timestamp": {"datetime", "date"}}
_TS_SPECIAL = re.compile(r"[^0-9A-Za-z\u00c0-\uffff]+")


def search_is_substring(q: Any) -> bool:
    return search.has_cjk(q)


def _prefix(text: str) -> str:
    terms = [t for t in _TS_SPECIAL.sub(" ", text).split() if t]
    return " & ".join(f"{t}:*" for t in terms)


def prefix_query(q: Any) -> Any:
    """A to_tsquery text that matches words starting with each term (DataTables' habit)."""
    if isinstance(q, dict):
        return {k: _prefix(v) for k, v in q.items() if _prefix(v)}
    return _prefix(q)


def _context() -> Context:
    user = tk.current_user
    return {"user": user.name if user.is_authenticated else "", "auth_user_obj": user}


def guangdong_data_load_report(resource_id: str) -> dict[str, Any] | None:
    """The last load's report for the resource, or None (also when the user may not see it)."""
    try:
        return tk.get_action("guangdong_data_load_report")(_context(), {"id": resource_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None


def guangdong_data_record_count_check(pkg: dict[str, Any]) -> dict[str, Any]:
    return records.record_count_check(pkg)


def guangdong_data_type_label(type_: str) -> str:
    labels = {"text": tk._("Text"), "numeric": tk._("Number"), "date": tk._("Date"),
              "timestamp": tk._("Date and time")}
    return labels.get(type_, type_)


def guangdong_data_download_links(pkg: dict[str, Any], res: dict[str, Any]) -> list[dict[str, str]]:
    labels = {"csv": "CSV (UTF-8)", "xlsx": "Excel (XLSX)", "tsv": "TSV", "json": "JSON",
              "xml": "XML"}
    return [{"format": f, "label": labels[f],
             "url": tk.h.url_for("guangdong_data.download", id=pkg["name"], resource_id=res["id"],
                                 fmt=f)}
            for f in DOWNLOAD_FORMATS if f in export.FORMATS]


def _fields(resource_id: str) -> list[dict[str, Any]]:
    try:
        info = tk.get_action("datastore_info")(_context(), {"id": resource_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return []
    return [f for f in info.get("fields", []) if not f["id"].startswith("_")]


def _first_row(resource_id: str) -> dict[str, Any]:
    try:
        result = tk.get_action("datastore_search")(_context(), {"resource_id": resource_id,
                                                                "limit": 1})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return {}
    return (result.get("records") or [{}])[0]


def _norm(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))


def guangdong_data_items_comparison(pkg: dict[str, Any], res: dict[str, Any],
                                    fields: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The publisher's 信息项 (data_items) beside the DataStore's columns: each row is a column
    with its declared name, type and description, its loaded type, and what disagrees."""
    fields = _fields(res["id"]) if fields is None else fields
    items = [i for i in pkg.get("data_items") or [] if isinstance(i, dict) and i.get("name")]
    by_norm = {_norm(f["id"]): f for f in fields}
    rows, matched = [], set()
    for item in items:
        field = by_norm.get(_norm(item["name"]))
        row = {"name": item["name"], "declared_type": item.get("type"),
               "description": item.get("description") or "", "column": None, "loaded_type": None,
               "problem": None}
        if field is None:
            row["problem"] = "missing"
        else:
            matched.add(field["id"])
            row["column"], row["loaded_type"] = field["id"], field["type"]
            if item.get("type") and item["type"] not in COMPATIBLE.get(field["type"], {item["type"]}):
                row["problem"] = "type"
        rows.append(row)
    for f in fields:
        if f["id"] not in matched:
            rows.append({"name": f["id"], "declared_type": None, "description": "",
                         "column": f["id"], "loaded_type": f["type"],
                         "problem": "undeclared" if items else None})
    return {"rows": rows, "declared": bool(items), "loaded": bool(fields),
            "problems": sum(1 for r in rows if r["problem"])}


def _example_values(fields: list[dict[str, Any]], row: dict[str, Any]) -> dict[str, Any]:
    text = [f["id"] for f in fields if f["type"] == "text" and row.get(f["id"])]
    out: dict[str, Any] = {}
    if text:
        out["filter_field"], out["filter_value"] = text[0], row[text[0]]
        cjk = next((str(row[c]) for c in text if search.has_cjk(str(row[c]))), None)
        word = cjk or str(row[text[0]])
        out["q"] = word[:2] if cjk else word.split()[0][:20]
    numeric = [f["id"] for f in fields if f["type"] == "numeric"]
    if numeric:
        out["sort_field"] = numeric[0]
    return out


def guangdong_data_api_examples(pkg: dict[str, Any], res: dict[str, Any]) -> dict[str, Any]:
    """Ready-to-run calls for this resource: curl and Python for datastore_search (limit,
    filters, q, sort) and datastore_search_sql, with this table's own column names and values."""
    site = tk.config.get("ckan.site_url").rstrip("/")
    fields = _fields(res["id"])
    ex = _example_values(fields, _first_row(res["id"])) if fields else {}
    rid = res["id"]
    search_url = f"{site}/api/3/action/datastore_search"
    sql_url = f"{site}/api/3/action/datastore_search_sql"
    private = bool(pkg.get("private"))
    auth = ' -H "Authorization: $CKAN_API_TOKEN"' if private else ""
    calls: list[dict[str, Any]] = [{"title": "first", "params": {"resource_id": rid, "limit": 5}}]
    if ex.get("filter_field"):
        calls.append({"title": "filters", "params": {
            "resource_id": rid, "filters": json.dumps({ex["filter_field"]: ex["filter_value"]},
                                                      ensure_ascii=False)}})
    if ex.get("q"):
        calls.append({"title": "q", "params": {"resource_id": rid, "q": ex["q"], "limit": 10}})
    if ex.get("sort_field"):
        calls.append({"title": "sort", "params": {"resource_id": rid,
                                                  "sort": f"{ex['sort_field']} desc", "limit": 10}})
    columns = ", ".join('"' + f["id"].replace('"', '""') + '"' for f in fields[:3]) or "*"
    sql = f'SELECT {columns} FROM "{rid}" LIMIT 10'
    for call in calls:
        args = " ".join(f"--data-urlencode {shlex.quote(f'{k}={v}')}" for k, v in call["params"].items())
        call["curl"] = f"curl -G{auth} {shlex.quote(search_url)} {args}"
    sql_curl = f"curl -G{auth} {shlex.quote(sql_url)} --data-urlencode {shlex.quote('sql=' + sql)}"
    py_params = calls[1]["params"] if len(calls) > 1 else calls[0]["params"]
    headers = ', headers={"Authorization": os.environ["CKAN_API_TOKEN"]}' if private else ""
    python = "\n".join([
        "import json" + (", os" if private else "") + ", urllib.parse, urllib.request",
        "",
        f"params = urllib.parse.urlencode({json.dumps(py_params, ensure_ascii=False)})",
        f"request = urllib.request.Request({json.dumps(search_url)} + \"?\" + params{headers})",
        "with urllib.request.urlopen(request) as answer:",
        "    result = json.load(answer)[\"result\"]",
        "print(result[\"total\"], [f[\"id\"] for f in result[\"fields\"]])",
        "for record in result[\"records\"]:",
        "    print(record)",
    ])
    return {"resource_id": rid, "search_url": search_url, "sql_url": sql_url, "calls": calls,
            "sql": sql, "sql_curl": sql_curl, "python": python, "fields": fields,
            "private": private, "sql_enabled": tk.asbool(tk.config.get("ckan.datastore.sqlsearch.enabled")),
            "comparison": guangdong_data_items_comparison(pkg, res, fields)}


def guangdong_data_harvest_checks(job_id: str) -> list[dict[str, Any]]:
    """For a harvest job's report: the datasets it touched whose 数据量 disagrees with the rows
    loaded, or whose files failed to load (as the viewer may see them)."""
    from ckan import model as ckan_model
    from ckanext.harvest.model import HarvestObject
    ids = [pid for (pid,) in ckan_model.Session.query(HarvestObject.package_id)
           .filter(HarvestObject.harvest_job_id == job_id, HarvestObject.package_id.isnot(None))
           .distinct()]
    reports = tables.for_packages(ids)
    out = []
    for pid in reports:
        try:
            pkg = tk.get_action("package_show")(_context(), {"id": pid})
        except (tk.ObjectNotFound, tk.NotAuthorized):
            continue
        check = records.record_count_check(pkg, reports[pid])
        if check["status"] == "mismatch" or check["failed"]:
            out.append({"package": pkg, "check": check})
    return out
