"""Template helpers for the source and job pages."""
from __future__ import annotations

# The pyright ignores in this file: ckanext-harvest's model declares plain Column attributes,
# so a type checker reads a row's values (ids, dates, content) as Column objects.
from typing import Any

from ckanext.guangdong.harvest_ops import status


def guangdong_harvest_progress(source_id: str) -> dict[str, Any] | None:
    job = status.latest_job(source_id)
    return status.progress(job) if job else None


def guangdong_harvest_last_success(source_id: str) -> str | None:
    job = status.last_successful(source_id)
    return status._iso(job.finished) if job and job.finished else None  # pyright: ignore[reportArgumentType]


def guangdong_harvest_error_report(job_id: str) -> dict[str, Any]:
    return status.error_report(job_id)


def guangdong_harvest_facet_label(item: dict[str, Any]) -> str:
    """A value of ckanext-harvest's facets (update frequency, source type) in the page's
    language: DAILY -> 每日, guangdong_ckan -> its harvester's name."""
    import ckan.plugins.toolkit as tk
    from ckanext.harvest.model import UPDATE_FREQUENCIES
    value = str(item.get("display_name") or item.get("name") or "")
    if value in UPDATE_FREQUENCIES:
        return tk._(value.title())
    titles = {h["name"]: h["title"] for h in tk.h.harvesters_info()}
    return tk._(titles[value]) if value in titles else value


def guangdong_harvest_error_text(text: str | None) -> dict[str, Any]:
    """A stored error text as {kind, severity, message, description (translated)}."""
    from ckanext.guangdong.harvesters.errors import parse_message
    parsed = parse_message(text)
    return {**parsed, "description": status._kind_description(parsed["kind"])}
