"""Template helpers for the source and job pages."""
from __future__ import annotations

from typing import Any

from ckanext.guangdong.harvest import status


def guangdong_harvest_progress(source_id: str) -> dict[str, Any] | None:
    job = status.latest_job(source_id)
    return status.progress(job) if job else None


def guangdong_harvest_last_success(source_id: str) -> str | None:
    job = status.last_successful(source_id)
    return status._iso(job.finished) if job and job.finished else None


def guangdong_harvest_error_report(job_id: str) -> dict[str, Any]:
    return status.error_report(job_id)


def get_helpers() -> dict[str, Any]:
    return {name: fn for name, fn in globals().items() if name.startswith("guangdong_harvest_")}
