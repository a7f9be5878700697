"""Job progress, last successful harvest and the full error report, computed from
ckanext-harvest's own tables (one aggregate query each: a 100,000-object job is fine)."""
from __future__ import annotations

# The pyright ignores in this file: ckanext-harvest's model declares plain Column attributes,
# so a type checker reads a row's values (ids, dates, content) as Column objects.
import datetime
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject, HarvestObjectError

from ckanext.guangdong.harvesters.errors import KINDS, parse_message

TIMEOUT_KIND = "job_timeout"


def _iso(value: datetime.datetime | None) -> str | None:
    return value.replace(microsecond=0).isoformat() + "Z" if value else None


def latest_job(source_id: str) -> HarvestJob | None:
    return (model.Session.query(HarvestJob).filter(HarvestJob.source_id == source_id)
            .order_by(HarvestJob.created.desc()).first())


def job_failed_reason(job: HarvestJob) -> str | None:
    """Why a finished job counts as failed: it timed out, or gather could not list the
    source (a job-level error and no records)."""
    messages = [m for (m,) in model.Session.query(HarvestGatherError.message)
                .filter(HarvestGatherError.harvest_job_id == job.id)]
    for text in messages:
        parsed = parse_message(text)
        if parsed["kind"] == TIMEOUT_KIND:
            return parsed["message"]
    if messages and not model.Session.query(HarvestObject.id).filter(
            HarvestObject.harvest_job_id == job.id).first():
        return parse_message(messages[0])["message"]
    return None


def progress(job: HarvestJob, now: datetime.datetime | None = None) -> dict[str, Any]:
    """done/total, rate (records/s) and ETA of a job. Before gather has finished the total
    is what has been listed so far."""
    now = now or datetime.datetime.utcnow()
    ho = HarvestObject
    rows = dict(model.Session.query(ho.state, sa.func.count(ho.id))
                .filter(ho.harvest_job_id == job.id).group_by(ho.state).all())
    total = sum(rows.values())
    done = rows.get("COMPLETE", 0) + rows.get("ERROR", 0)
    errored = rows.get("ERROR", 0)
    first_fetch = (model.Session.query(sa.func.min(ho.fetch_started))
                   .filter(ho.harvest_job_id == job.id).scalar())
    started = first_fetch or job.gather_finished or job.gather_started or job.created
    elapsed = max((now - started).total_seconds(), 0.001) if started else None
    rate = (done / elapsed) if (elapsed and done) else 0.0
    remaining = total - done
    eta = (remaining / rate) if rate > 0 and remaining > 0 else (0 if total and not remaining else None)
    if job.status == "Finished":
        phase = "failed" if job_failed_reason(job) else "finished"
    elif job.status == "Running" and not job.gather_finished:
        phase = "gathering"
    elif job.status == "Running":
        phase = "importing"
    else:
        phase = "queued"
    return {
        "job_id": job.id, "source_id": job.source_id, "status": job.status, "phase": phase,
        "failed_reason": job_failed_reason(job) if job.status == "Finished" else None,
        "done": done, "total": total, "errored": errored,
        "warnings": record_counts(job.id)["records_with_warnings"],  # pyright: ignore[reportArgumentType]
        "percent": round(100.0 * done / total, 1) if total else (100.0 if job.status == "Finished" else 0.0),
        "rate_per_second": round(rate, 2), "eta_seconds": None if eta is None else int(round(eta)),
        "created": _iso(job.created), "gather_started": _iso(job.gather_started),  # pyright: ignore[reportArgumentType]
        "gather_finished": _iso(job.gather_finished), "finished": _iso(job.finished),  # pyright: ignore[reportArgumentType]
        "by_state": rows,
    }


_WARNING = "[%/warning]%"  # how a warning's stored text starts (harvesters/errors.py)


def record_counts(job_id: str) -> dict[str, int]:
    """Records of a job that failed (state ERROR, or with an error message) and records that
    were saved with warnings only; job-level errors apart. Warnings are never errors."""
    ho, he, ge = HarvestObject, HarvestObjectError, HarvestGatherError
    has_error = sa.exists().where(sa.and_(he.harvest_object_id == ho.id, sa.not_(he.message.like(_WARNING))))
    has_warning = sa.exists().where(sa.and_(he.harvest_object_id == ho.id, he.message.like(_WARNING)))
    failed = sa.or_(ho.state == "ERROR", ho.report_status == "errored", has_error)
    errored, warned = model.Session.query(
        sa.func.count(ho.id).filter(failed),
        sa.func.count(ho.id).filter(sa.and_(sa.not_(failed), has_warning)),
    ).filter(ho.harvest_job_id == job_id).one()
    job_errors = (model.Session.query(sa.func.count(ge.id))
                  .filter(ge.harvest_job_id == job_id, sa.not_(ge.message.like(_WARNING))).scalar())
    return {"errored_records": errored or 0, "records_with_warnings": warned or 0,
            "job_errors": job_errors or 0}


def fix_job_stats(job_dict: dict[str, Any]) -> dict[str, Any]:
    """ckanext-harvest counts every record with any message as an error (a warning shows as
    "1 个错误"): recount ``stats`` with errors and warnings apart."""
    stats = job_dict.get("stats")
    if isinstance(stats, dict) and job_dict.get("id"):
        counts = record_counts(job_dict["id"])
        stats["errored"] = counts["errored_records"] + counts["job_errors"]
        stats["warnings"] = counts["records_with_warnings"]
    return job_dict


def last_successful(source_id: str) -> HarvestJob | None:
    """The latest finished job that did not fail (object errors do not make a job fail:
    the other records were harvested)."""
    jobs = (model.Session.query(HarvestJob)
            .filter(HarvestJob.source_id == source_id, HarvestJob.status == "Finished")
            .order_by(HarvestJob.finished.desc().nullslast()).limit(50))
    for job in jobs:
        if not job_failed_reason(job):
            return job
    return None


def iter_errors(job_id: str) -> Iterator[dict[str, Any]]:
    """Every error of a job, job-level first, each with kind, severity, record and message."""
    for e in (model.Session.query(HarvestGatherError).filter(HarvestGatherError.harvest_job_id == job_id)
              .order_by(HarvestGatherError.created)):
        parsed = parse_message(e.message)
        yield {"scope": "job", "stage": "Gather", "guid": None, "object_id": None,
               "package_id": None, "created": _iso(e.created), **parsed}
    q = (model.Session.query(HarvestObjectError, HarvestObject.guid, HarvestObject.package_id)
         .join(HarvestObject, HarvestObject.id == HarvestObjectError.harvest_object_id)
         .filter(HarvestObject.harvest_job_id == job_id)
         .order_by(HarvestObjectError.created))
    for e, guid, package_id in q.yield_per(1000):
        parsed = parse_message(e.message)
        yield {"scope": "record", "stage": e.stage, "guid": guid, "object_id": e.harvest_object_id,
               "package_id": package_id, "created": _iso(e.created), **parsed}


def _kind_description(kind: str) -> str:
    """The kind's description in the request's language (msgids: harvesters/errors.py KINDS)."""
    import ckan.plugins.toolkit as tk
    text = KINDS.get(kind, "")
    return tk._(text) if text else ""


def error_report(job_id: str) -> dict[str, Any]:
    groups: dict[str, dict[str, Any]] = {}
    total = warnings = 0
    for err in iter_errors(job_id):
        total += 1
        warnings += err["severity"] == "warning"
        group = groups.setdefault(err["kind"], {"kind": err["kind"],
                                                "description": _kind_description(err["kind"]),
                                                "count": 0, "errors": []})
        group["count"] += 1
        group["errors"].append(err)
    ordered = sorted(groups.values(), key=lambda g: (-g["count"], g["kind"]))
    return {"job_id": job_id, "total": total, "errors": total - warnings, "warnings": warnings,
            "by_kind": ordered}
