"""The scan in the data feature's load job (IDataFile): the parsed file is read once more,
column by column, before the DataStore load; the result is stored and the gate settles the
dataset (held while findings stand, released when nothing is in the way)."""
from __future__ import annotations

import csv
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

from . import config, gate, tables
from .scanner import TableScan

log = logging.getLogger(__name__)


def _rows(path: str) -> Iterator[list[str]]:
    csv.field_size_limit(sys.maxsize)
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader, None)  # the header: we have its names
        yield from reader


def scan_csv(path: str, header: list[str]) -> tuple[list[dict[str, Any]], int]:
    """Findings (as stored) and the number of rows of a prepared CSV."""
    scan = TableScan(header, config.options(), config.thresholds())
    scan.add_rows(_rows(path))
    return [f.as_dict() for f in scan.findings()], scan.rows


def _current_key(resource_id: str) -> str | None:
    from ckan import model as ckan_model
    ckan_model.Session.expire_all()
    res = ckan_model.Resource.get(resource_id)
    if res is None or res.state != "active":
        return None
    return gate.file_key({"url": res.url, "url_type": res.url_type})


def record(resource: dict[str, Any], package_id: str, state: str, *, digest: str | None = None,
           rows: int | None = None, findings: list[dict[str, Any]] | None = None,
           error: str | None = None) -> None:
    """Store a scan of the file the job fetched, then settle the dataset. A scan of a file that
    was replaced while the job ran is not kept: the new file's own job scans it."""
    from ckan import model as ckan_model
    key = gate.file_key(resource)
    if _current_key(resource["id"]) != key:
        log.info("resource %s changed during its scan; its next job scans it", resource["id"])
        ckan_model.Session.commit()
        return
    previous = tables.scans(package_id).get(resource["id"])
    same = previous is not None and previous["content_hash"] == digest and digest is not None
    tables.save_scan(package_id, resource["id"], state, file_key=key, content_hash=digest,
                    rows=rows, findings=findings, error=error, keep_clearance=same)
    if state == "findings":
        tables.audit("findings", None, package_id, resource=resource["id"],
                    findings=[{k: f[k] for k in ("column", "detector", "count")} for f in findings or []])
    ckan_model.Session.commit()
    gate.settle(package_id)


def on_prepared(resource: dict[str, Any], package: dict[str, Any], prepared: Any, digest: str) -> None:
    findings, rows = scan_csv(prepared.path, list(prepared.names))
    record(resource, package["id"], "findings" if findings else "clean", digest=digest,
           rows=rows, findings=findings)


def on_unchanged(resource: dict[str, Any], package: dict[str, Any], source_path: str, digest: str) -> None:
    previous = tables.scans(package["id"]).get(resource["id"])
    if previous is not None and previous["content_hash"] == digest and previous["state"] in ("clean", "findings"):
        record(resource, package["id"], previous["state"], digest=digest, rows=previous["rows"],
               findings=previous["findings"])
        return
    # never scanned (loaded before this feature, or its scan failed): parse and scan it now
    from ckanext.guangdong.data import config as data_config
    from ckanext.guangdong.data.messages import LoadError
    from ckanext.guangdong.data.prepare import prepare
    with tempfile.TemporaryDirectory(prefix="guangdong-safety-") as tmp:
        try:
            prepared = prepare(source_path, resource.get("format") or "", os.path.join(tmp, "data.csv"),
                               max_rows=data_config.max_rows(), candidates=data_config.encodings())
        except LoadError as e:
            on_failed(resource, package, str(e))
            return
        on_prepared(resource, package, prepared, digest)


def on_failed(resource: dict[str, Any], package: dict[str, Any], error: str) -> None:
    if not gate.is_tabular(resource):
        return
    record(resource, package["id"], "failed", error=(error or "")[:1000])
