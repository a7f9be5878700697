"""The error report as CSV: every error of a job, one row each."""
from __future__ import annotations

import csv
import io
from typing import Iterator

from flask import Blueprint, Response

import ckan.plugins.toolkit as tk
from ckanext.harvest.model import HarvestJob

from ckanext.guangdong.harvest import status

guangdong_harvest = Blueprint("guangdong_harvest", __name__)
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
            writer.writerow([err.get(c) or "" for c in COLUMNS])
            if buf.tell() > 64 * 1024:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    return Response(rows(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="harvest-errors-{job.id}.csv"'})


def get_blueprints() -> list[Blueprint]:
    return [guangdong_harvest]
