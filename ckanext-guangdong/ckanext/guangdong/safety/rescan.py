"""Links are read again (docs/safety.md, "Links read again").

A file the portal stores never changes after its scan, but a link's server may serve other
bytes the day after: the clean CSV a city published becomes a list of residents. So the links
of active datasets whose last clean scan is older than ``link_rescan_hours`` are fetched again
(``ckan guangdong scheduler`` asks every hour, through ``guangdong_safety_rescan_links``):

- a table (a format the data feature loads) is submitted to the load job again, which compares
  the file's hash with the last load and, when it changed, scans it before loading it;
- any other link is fetched here, and scanned by its content when its hash changed.

Either way a finding holds the dataset at once (``job.record`` settles it); an unchanged file
keeps its scan and any clearance, with a new ``scanned_at``. A link that cannot be fetched now
keeps its last scan (a city server's bad hour must not hold its datasets), dated now: the
oldest first never takes the same unreachable links again and again.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile

import ckan.plugins.toolkit as tk
from sqlalchemy import text

from . import gate, job, tables

log = logging.getLogger(__name__)


def due_links(max_age_hours: float, limit: int) -> list[str]:
    """Ids of active link resources (no ``url_type``) of active datasets whose last scan was
    clean and is older than ``max_age_hours``, the oldest first, at most ``limit``."""
    before = tables.utcnow() - dt.timedelta(hours=max_age_hours)
    rows = tables.conn().execute(text(f"""
        SELECT s.subject FROM {tables.SCAN} s
        JOIN resource r ON r.id = s.subject AND r.package_id = s.package_id
        JOIN package p ON p.id = s.package_id
        WHERE s.subject <> '' AND s.state = 'clean' AND s.scanned_at < :before
          AND r.state = 'active' AND p.state = 'active' AND COALESCE(r.url_type, '') = ''
        ORDER BY s.scanned_at LIMIT :limit"""), {"before": before, "limit": limit}).fetchall()
    return [r[0] for r in rows]


def rescan_link(resource_id: str) -> None:
    """The job: read one link again (see the module's docstring)."""
    from ckan import model

    from ckanext.guangdong.data import fetch
    from ckanext.guangdong.data.messages import LoadError
    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    try:
        resource = tk.get_action("resource_show")({"user": site["name"], "ignore_auth": True},
                                                  {"id": resource_id})
    except tk.ObjectNotFound:
        return
    if resource.get("url_type") or not gate.is_scanned(resource):
        return  # replaced by an upload (or gone) since it was picked
    if gate.is_tabular(resource):
        gate.queue_load(resource_id)  # the load job rescans a changed table
        return
    package_id = resource["package_id"]
    with tempfile.TemporaryDirectory(prefix="guangdong-rescan-") as tmp:
        path = os.path.join(tmp, "source")
        try:
            fetch.resource_file(resource, job._limits().max_bytes, path)
        except LoadError as e:
            log.info("link of %s not read again now: %s", resource_id, e)
            tables.touch_scan(package_id, resource_id)
            model.Session.commit()
            return
        previous = tables.scans(package_id).get(resource_id)
        if previous is not None and previous["content_hash"] == fetch.file_md5(path):
            job.record(resource, package_id, previous["state"], digest=previous["content_hash"],
                       rows=previous["rows"], findings=previous["findings"], columns=previous.get("columns"))
            return
        job.scan_by_content(resource, package_id, path)


def queue_due(max_age_hours: float, limit: int) -> int:
    """Queue ``rescan_link`` for each due link; how many were queued."""
    ids = due_links(max_age_hours, limit)
    for rid in ids:
        tk.enqueue_job(rescan_link, [rid], title=f"guangdong_safety rescan: resource {rid}")
    return len(ids)
