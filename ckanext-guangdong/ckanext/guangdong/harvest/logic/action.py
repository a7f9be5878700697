"""Actions of the harvest feature (found by ``@tk.blanket.actions``)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict
from ckanext.harvest.model import HarvestJob, HarvestSource

from ckanext.guangdong.harvest import status, timeout
from ckanext.guangdong.harvesters.errors import HarvestError
from ckanext.guangdong.harvesters.http import check_url

__all__ = ["guangdong_harvest_progress", "guangdong_harvest_error_report", "harvest_jobs_run",
           "package_create", "package_update"]


def _source(data_dict: DataDict) -> HarvestSource:
    source_id = data_dict.get("source_id") or data_dict.get("id")
    if not source_id:
        raise tk.ValidationError({"source_id": [tk._("Missing value")]})
    from ckan import model
    pkg = model.Package.get(source_id)
    source = HarvestSource.get(pkg.id if pkg else source_id)
    if not source:
        raise tk.ObjectNotFound(tk._("Harvest source not found"))
    return source


@tk.side_effect_free
def guangdong_harvest_progress(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Progress of a harvest source's latest job (or of ``job_id``): records done / total,
    rate per second, estimated seconds left, phase (queued, gathering, importing, finished,
    failed with its reason) and the source's last successful harvest time.

    :param source_id: id or name of the harvest source
    :param job_id: a job id (optional; default the latest job of the source)
    """
    if data_dict.get("job_id"):
        job = HarvestJob.get(data_dict["job_id"])
        if not job:
            raise tk.ObjectNotFound(tk._("Harvest job not found"))
        source = job.source
    else:
        source = _source(data_dict)
        job = status.latest_job(source.id)
    tk.check_access("guangdong_harvest_progress", context, {"id": source.id})
    last = status.last_successful(source.id)
    out: dict[str, Any] = {"source_id": source.id, "job": status.progress(job) if job else None,
                           "last_successful_harvest": status._iso(last.finished) if last else None,
                           "last_successful_job_id": last.id if last else None}
    return out


@tk.side_effect_free
def guangdong_harvest_error_report(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Every error of a job, grouped by kind (most frequent first). No truncation: the CSV
    download (/harvest/<source>/job/<job_id>/errors.csv) has the same rows.

    :param job_id: the harvest job (default: the latest job of ``source_id``)
    """
    if data_dict.get("job_id"):
        job = HarvestJob.get(data_dict["job_id"])
    else:
        job = status.latest_job(_source(data_dict).id)
    if not job:
        raise tk.ObjectNotFound(tk._("Harvest job not found"))
    tk.check_access("guangdong_harvest_error_report", context, {"id": job.id})
    report = status.error_report(job.id)
    report["source_id"] = job.source_id
    return report


@tk.chained_action
def harvest_jobs_run(original: Any, context: Context, data_dict: DataDict) -> Any:
    """Finish jobs past our timeout first, then what ckanext-harvest does (start due jobs,
    mark completed ones finished). The scheduler of ``make run`` calls this."""
    timeout.finish_timed_out_jobs()
    return original(context, data_dict)


def _check_source_url(data_dict: DataDict) -> None:
    if data_dict.get("type") != "harvest" and "source_type" not in data_dict:
        return
    url = data_dict.get("url")
    if url is None:
        return
    try:
        check_url(str(url))
    except HarvestError as e:
        raise tk.ValidationError({"url": [e.message]})


@tk.chained_action
def package_create(original: Any, context: Context, data_dict: DataDict) -> Any:
    _check_source_url(data_dict)
    return original(context, data_dict)


@tk.chained_action
def package_update(original: Any, context: Context, data_dict: DataDict) -> Any:
    _check_source_url(data_dict)
    return original(context, data_dict)
