"""Jobs that run past ``ckanext.guangdong.harvest.job_timeout`` minutes (counted from the
job's creation, not from its last activity as ckanext-harvest's own ckan.harvest.timeout
does, so a job that trickles along forever is caught too) are finished as failed with
a recorded reason, and their unfinished records are marked as errors."""
from __future__ import annotations

import datetime
import logging

import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject

from ckanext.guangdong.harvesters.errors import format_message

log = logging.getLogger(__name__)


def timeout_minutes() -> float:
    return float(tk.config.get("ckanext.guangdong.harvest.job_timeout") or 0)


def finish_timed_out_jobs(now: datetime.datetime | None = None) -> list[str]:
    limit = timeout_minutes()
    if limit <= 0:
        return []
    now = now or datetime.datetime.utcnow()
    cutoff = now - datetime.timedelta(minutes=limit)
    jobs = (model.Session.query(HarvestJob)
            .filter(HarvestJob.status.in_(["Running", "New"]))
            .filter(HarvestJob.created < cutoff).all())
    finished = []
    for job in jobs:
        if job.status == "New" and not job.gather_started:
            continue  # never sent to a gather consumer: waiting, not running
        started = job.gather_started or job.created
        pending = (model.Session.query(HarvestObject)
                   .filter(HarvestObject.harvest_job_id == job.id)
                   .filter(HarvestObject.state.notin_(["COMPLETE", "ERROR"])))
        left = pending.count()
        pending.update({"state": "ERROR", "report_status": "errored"}, synchronize_session=False)
        reason = (f"the job ran longer than the limit of {limit:g} minutes "
                  f"(started {started:%Y-%m-%d %H:%M} UTC); {left} records were not processed. "
                  "Check that the gather and fetch consumers are running and the source answers.")
        model.Session.add(HarvestGatherError(message=format_message("job_timeout", reason), job=job))
        job.status = "Finished"
        job.finished = now
        finished.append(job.id)
        log.warning("harvest job %s timed out after %s minutes", job.id, limit)
    if finished:
        model.Session.commit()
    return finished
