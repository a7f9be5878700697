"""/open-progress (开放进度): public dashboard and exports; /open-progress/targets: the
sysadmins' target editor with its audit trail."""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context
from flask import Blueprint, Response, request

from . import chart, export

guangdong_targets = Blueprint("guangdong_targets", __name__)

STATUS_LABELS = {"met": "Met", "on_track": "On track", "at_risk": "At risk", "missed": "Missed"}
ACCESS_LABELS = {"unconditional": "Unconditional", "conditional": "Conditional", "not_open": "Not open"}


def _context() -> Context:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def _figures(as_of: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    data = {"as_of": as_of} if as_of else {}
    progress = tk.get_action("guangdong_target_progress")(_context(), dict(data))
    stats = tk.get_action("guangdong_open_stats")(_context(), dict(data))
    return progress, stats


def _chart(progress: dict[str, Any], stats: dict[str, Any]) -> str:
    labels = {"datasets": tk._("Open datasets"), "applications": tk._("Open-data applications")}
    lines = [chart.TargetLine(label=f"{t['threshold']} ({t['deadline']})", metric=t["metric"],
                              threshold=t["threshold"], deadline=dt.date.fromisoformat(t["deadline"]))
             for t in progress["targets"] if t["scope"] == "province" and not t.get("filter")]
    series = stats.get("series", {})
    last_ds = series.get("datasets", [{}])[-1].get("count", 0) if series.get("datasets") else 0
    last_ap = series.get("applications", [{}])[-1].get("count", 0) if series.get("applications") else 0
    desc = tk._("Cumulative open datasets and applications per month up to {as_of}: "
                "{datasets} datasets and {applications} applications at the end; "
                "dashed lines are the province's targets. The table below lists the same figures.").format(
        as_of=stats["as_of"], datasets=last_ds, applications=last_ap)
    return chart.render({"datasets": series.get("datasets", []), "applications": series.get("applications", [])},
                        lines, tk._("Open datasets and applications over time"), desc, labels)


def _as_of_message() -> str:
    from .store import DATE_MAX, DATE_MIN
    return tk._("as_of must be a date in the form YYYY-MM-DD, from %(min)s to %(max)s") % {
        "min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()}


def ranked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows ordered by open datasets (most first), each with its rank (equal counts share one)."""
    rows = sorted(rows, key=lambda r: (-r["datasets"], r.get("region_code") or "", r.get("title") or ""))
    out, rank = [], 0
    for i, row in enumerate(rows):
        if i == 0 or row["datasets"] != rows[i - 1]["datasets"]:
            rank = i + 1
        out.append({**row, "rank": rank})
    return out


def city_ranking(stats: dict[str, Any]) -> list[dict[str, Any]]:
    """All 21 cities (those without open datasets too), ranked by open datasets."""
    from ckanext.guangdong.metadata import vocab
    found = {c["region_code"]: c for c in stats["by_city"] if c["region_code"] != "440000"}
    rows = [found.get(e["value"]) or {"region_code": e["value"], "title": e["label"].get("zh_Hans_CN"),
                                      "datasets": 0, "applications": 0}
            for e in vocab.entries("regions") if e.get("level") == "city"]
    for row in rows:
        row["label"] = vocab.label("regions", row["region_code"], tk.h.lang())
    return ranked(rows)


@guangdong_targets.route("/open-progress")
def dashboard() -> Any:
    as_of = request.args.get("as_of") or None
    try:
        progress, stats = _figures(as_of)
    except tk.ValidationError:
        return tk.abort(400, _as_of_message())
    return tk.render("targets/dashboard.html", {
        "progress": progress, "stats": stats, "chart_svg": _chart(progress, stats),
        "as_of": progress["as_of"], "status_labels": STATUS_LABELS, "access_labels": ACCESS_LABELS,
        "cities": city_ranking(stats), "departments": ranked(stats["by_department"]),
        "provincial": next((c for c in stats["by_city"] if c["region_code"] == "440000"), None),
    })


@guangdong_targets.route("/open-progress/export.<fmt>")
def export_figures(fmt: str) -> Any:
    if fmt not in ("csv", "xlsx"):
        return tk.abort(404)
    try:
        progress, stats = _figures(request.args.get("as_of") or None)
    except tk.ValidationError:
        return tk.abort(400, _as_of_message())
    name = f"open-progress-{progress['as_of']}.{fmt}"
    if fmt == "csv":
        body, mimetype = export.to_csv(progress, stats, tk._), "text/csv"  # charset: werkzeug adds it
    else:
        body = export.to_xlsx(progress, stats, tk._)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@guangdong_targets.route("/open-progress/targets", methods=["GET", "POST"])
def manage() -> Any:
    context = _context()
    try:
        tk.check_access("guangdong_target_save", context, {})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only sysadmins may change targets"))
    errors: dict[str, Any] = {}
    form: dict[str, Any] = {}
    if request.method == "POST":
        form = dict(request.form)
        form.pop("_csrf_token", None)
        try:
            if form.pop("delete", None):
                tk.get_action("guangdong_target_delete")(context, {"id": form.get("id")})
                tk.h.flash_success(tk._("Target deactivated"))
            else:
                tk.get_action("guangdong_target_save")(context, form)
                tk.h.flash_success(tk._("Target saved"))
            return tk.redirect_to("guangdong_targets.manage")
        except tk.ValidationError as error:
            errors = error.error_dict
        except tk.ObjectNotFound:
            errors = {"id": [tk._("Target not found")]}
    return tk.render("targets/manage.html", {
        "targets": tk.get_action("guangdong_target_list")(context, {"include_inactive": True}),
        "audit": tk.get_action("guangdong_target_audit")(context, {"limit": 100}),
        "errors": errors, "form": form,
    })
