"""The error report as CSV (every error of a job, one row each), and ckanext-harvest's
source actions on POST only."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.harvest import utils as harvest_utils
from ckanext.harvest.model import HarvestJob
from flask import Blueprint, Response, request

from ckanext.guangdong.harvest_ops import status
from ckanext.guangdong.security.cells import safe_row

guangdong_harvest = Blueprint("guangdong_harvest", __name__)
__all__ = ["guangdong_harvest"]
COLUMNS = ["kind", "severity", "scope", "stage", "guid", "package_id", "message", "created"]


@guangdong_harvest.route("/harvest/<source>/job/<job_id>/errors.csv")
def errors_csv(source: str, job_id: str) -> Response:
    job = HarvestJob.get(job_id)
    if not job:
        return tk.abort(404, tk._("Harvest job not found"))
    try:
        tk.check_access("guangdong_harvest_error_report", {"user": tk.current_user.name
                        if tk.current_user.is_authenticated else ""}, {"id": job.id})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see this page"))

    def rows() -> Iterator[str]:
        buf = io.StringIO()
        writer = csv.writer(buf)
        buf.write("\ufeff")  # so that Excel opens the Chinese text as UTF-8
        writer.writerow(COLUMNS)
        for err in status.iter_errors(job.id):
            # remote ids and messages are the city portal's text: never a formula
            writer.writerow(safe_row(err.get(c) or "" for c in COLUMNS))
            if buf.tell() > 64 * 1024:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    return Response(rows(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="harvest-errors-{job.id}.csv"'})


# ckanext-harvest runs a job, clears a source (deleting its datasets), deactivates it or stops a
# job on a plain GET: any page could make a signed-in editor's browser do it. The same URLs,
# registered first, do it on POST only (where CKAN checks the form's CSRF token); the admin
# page's buttons already POST (confirm-action), its Stop link is made to (source/admin_base.html).
def _post_only(view: Any, **kwargs: Any) -> Any:
    if request.method != "POST":
        return tk.abort(405, tk._("This changes the harvest source: use the button on its admin page."))
    return view(**kwargs)


guangdong_harvest.add_url_rule("/harvest/refresh/<id>", "refresh", methods=["GET", "POST"],
                               view_func=lambda id: _post_only(harvest_utils.refresh_view, id=id))
guangdong_harvest.add_url_rule("/harvest/clear/<id>", "clear", methods=["GET", "POST"],
                               view_func=lambda id: _post_only(harvest_utils.clear_view, id=id))
guangdong_harvest.add_url_rule("/harvest/delete/<id>", "delete", methods=["GET", "POST"],
                               view_func=lambda id: _post_only(harvest_utils.delete_view, id=id))
guangdong_harvest.add_url_rule("/harvest/<source>/job/<id>/abort", "job_abort", methods=["GET", "POST"],
                               view_func=lambda source, id: _post_only(harvest_utils.job_abort_view,
                                                                       source=source, id=id))
