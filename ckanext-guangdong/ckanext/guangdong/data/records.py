"""Load reports as shown to people, and the check of a dataset's declared 数据量 (record_count)
against the rows its resources hold in the DataStore."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import tables
from .messages import render


def public_report(report: dict[str, Any]) -> dict[str, Any]:
    return {
        "resource_id": report["resource_id"],
        "state": report["state"],
        "rows": report.get("rows"),
        "columns": report.get("columns") or [],
        "encoding": report.get("encoding"),
        "header_line": report.get("header_line"),
        "warnings": [render(w) for w in report.get("warnings") or []],
        "error": render(report.get("error")) if report.get("error") else None,
        "finished": report["finished"].isoformat() if report.get("finished") else None,
    }


def _declared(pkg: dict[str, Any]) -> int | None:
    try:
        value = pkg.get("record_count")
        return None if value in (None, "") else int(value)
    except (TypeError, ValueError):
        return None


def record_count_check(pkg: dict[str, Any],
                       reports: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """``status``: ``match``, ``mismatch``, ``not_declared`` or ``not_loaded``. A dataset whose
    resources hold the same rows in several formats matches when any of them has the declared
    count; one split into several files matches when their sum is the declared count."""
    if reports is None:
        reports = tables.for_packages([pkg["id"]]).get(pkg["id"], [])
    names = {r["id"]: (r.get("name") or r["id"]) for r in pkg.get("resources") or []}
    loaded = [{"resource_id": r["resource_id"], "name": names[r["resource_id"]], "rows": r["rows"]}
              for r in reports if r["state"] == "complete" and r["resource_id"] in names
              and r.get("rows") is not None]
    failed = [{"resource_id": r["resource_id"], "name": names[r["resource_id"]],
               "error": render(r.get("error"))}
              for r in reports if r["state"] == "error" and r["resource_id"] in names]
    declared = _declared(pkg)
    counts = [r["rows"] for r in loaded]
    if declared is None:
        status = "not_declared"
    elif not loaded:
        status = "not_loaded"
    elif declared in counts or declared == sum(counts):
        status = "match"
    else:
        status = "mismatch"
    return {"status": status, "declared": declared, "loaded": loaded, "failed": failed,
            "total_rows": sum(counts)}


def checks_for(packages: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    pkgs = list(packages)
    reports = tables.for_packages(p["id"] for p in pkgs)
    return {p["id"]: record_count_check(p, reports.get(p["id"], [])) for p in pkgs}
