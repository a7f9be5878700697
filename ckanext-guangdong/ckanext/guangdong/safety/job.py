"""The scan in the data feature's load job (IDataFile): the parsed file is read once more,
column by column, before the DataStore load; the result is stored and the gate settles the
dataset (held while findings stand, released when nothing is in the way)."""
from __future__ import annotations

import csv
import json
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

from . import config, documents, filescan, gate, tables
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
           error: str | None = None, columns: list[str] | None = None) -> None:
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

    def write() -> None:
        tables.save_scan(package_id, resource["id"], state, file_key=key, content_hash=digest,
                        rows=rows, findings=findings, error=error, keep_clearance=same, columns=columns)
        if state == "findings":
            tables.audit("findings", None, package_id, resource=resource["id"],
                        findings=[{k: f[k] for k in ("column", "detector", "count")} for f in findings or []])
    write()
    # not committed here: the settlement commits it with the hold it causes (gate.hold), so
    # no reader sees these findings beside a dataset that is still public
    gate.settle(package_id, redo=write)


def on_prepared(resource: dict[str, Any], package: dict[str, Any], prepared: Any, digest: str,
                source_path: str = "") -> None:
    columns = [str(n) for n in prepared.names]
    findings, rows = scan_csv(prepared.path, columns)
    if source_path:  # the load reads one sheet of a workbook; the scan reads them all
        try:
            more = other_sheets(source_path)
        except filescan.Unscannable as e:
            record(resource, package["id"], "failed", digest=digest, error=e.message)
            return
        findings += more.findings
        rows += more.rows
        columns += more.columns
    record(resource, package["id"], "findings" if findings else "clean", digest=digest,
           rows=rows, findings=findings, columns=columns)


def other_sheets(source_path: str) -> filescan.Result:
    """Findings on the sheets of a workbook the data feature does not load, and in the parts
    of an XLSX beside its cells (documents.xlsx_extras)."""
    result = filescan.Result()
    kind = filescan.kind_of(source_path)
    if kind not in ("xlsx", "xls"):
        return result
    opts, limits = config.options(), config.thresholds()
    for sheet, rows in filescan.sheets(source_path, kind, skip_first=True):
        filescan._table(rows, sheet, opts, limits, result)
    if kind == "xlsx":  # comments, headers, properties, formulas: the loaded sheet's too
        filescan.extra_text(documents.xlsx_extras(source_path, _limits().max_bytes), "", opts, result)
    return result


def _limits() -> filescan.Limits:
    from ckanext.guangdong.data import config as data_config
    return filescan.Limits(max_bytes=data_config.max_bytes(), candidates=data_config.encodings())


def scan_upload(resource_id: str) -> None:
    """The job for a file the data feature does not load (an upload or a link declared TXT,
    JSON, ZIP, HTML, PDF ...): read by its content (filescan.py); what cannot be read is recorded as failed,
    which holds the dataset while ``hold_unscannable`` is on."""
    import time

    import ckan.plugins.toolkit as tk
    from ckan import model as ckan_model

    from ckanext.guangdong.data import fetch
    from ckanext.guangdong.data.messages import LoadError
    for _attempt in range(20):  # queued inside the write's transaction: wait for its commit
        ckan_model.Session.remove()
        res = ckan_model.Resource.get(resource_id)
        row = tables.scans(res.package_id).get(resource_id) if res is not None and res.package_id else None
        key = gate.file_key({"url": res.url, "url_type": res.url_type}) if res is not None else None
        if row is not None and row["file_key"] == key:
            if row["state"] != "queued":
                ckan_model.Session.remove()
                return  # scanned already (queued twice)
            break
        time.sleep(0.5)
    else:
        log.info("resource %s: no scan waits for its file; nothing to do", resource_id)
        ckan_model.Session.remove()
        return
    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    resource = tk.get_action("resource_show")({"user": site["name"], "ignore_auth": True}, {"id": resource_id})
    package = {"id": resource["package_id"]}
    if not gate.is_scanned(resource):
        ckan_model.Session.remove()
        return
    limits = _limits()
    with tempfile.TemporaryDirectory(prefix="guangdong-safety-") as tmp:
        src = os.path.join(tmp, "source")
        try:  # an upload from storage, a link through the project's URL policy (urlpolicy.py)
            fetch.resource_file(resource, limits.max_bytes, src)
        except LoadError as e:
            record(resource, package["id"], "failed", error=stored_error(e.as_dict()))
            return
        scan_by_content(resource, package["id"], src)


def on_unchanged(resource: dict[str, Any], package: dict[str, Any], source_path: str, digest: str) -> None:
    previous = tables.scans(package["id"]).get(resource["id"])
    if previous is not None and previous["content_hash"] == digest and previous["state"] in ("clean", "findings"):
        record(resource, package["id"], previous["state"], digest=digest, rows=previous["rows"],
               findings=previous["findings"], columns=previous.get("columns"))
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


def stored_error(message: dict[str, Any] | None, fallback: str = "") -> str:
    """A load error as stored with a scan: its message id, or the id and its parameters as
    JSON when it has some (``error_text`` translates both where they are shown)."""
    if not message or not message.get("message"):
        return (fallback or "")[:1000]
    if message.get("params"):
        return json.dumps({"message": message["message"], "params": message["params"]},
                          ensure_ascii=False, default=str)[:1000]
    return str(message["message"])[:1000]


def error_text(stored: str | None) -> str | None:
    """A stored error in the request's language (the data feature's, the URL policy's or
    our own catalog: CKAN merges them)."""
    if not stored:
        return None
    import ckan.plugins.toolkit as tk

    from ckanext.guangdong.data.messages import render
    if stored.startswith('{"message"'):
        try:
            msg = json.loads(stored)
        except ValueError:
            return stored
        return render(msg)
    return tk._(stored)


def scan_by_content(resource: dict[str, Any], package_id: str, path: str) -> None:
    """Read a fetched file by what it holds (filescan.py) and record the scan."""
    from ckanext.guangdong.data.fetch import file_md5
    digest = file_md5(path)
    try:
        result = filescan.scan_file(path, _limits(), config.options(), config.thresholds())
    except filescan.Unscannable as e:
        record(resource, package_id, "failed", digest=digest, error=e.message)
        return
    record(resource, package_id, "findings" if result.findings else "clean",
           digest=digest, rows=result.rows, findings=result.findings, columns=result.columns)


def on_failed(resource: dict[str, Any], package: dict[str, Any], error: str, source_path: str = "",
              message: dict[str, Any] | None = None) -> None:
    if not gate.is_scanned(resource):
        return
    if source_path and os.path.exists(source_path):
        # fetched but not loadable as a table (a ZIP declared CSV, a workbook declared CSV):
        # read by its content like any other file, instead of holding it as unscannable
        scan_by_content(resource, package["id"], source_path)
        return
    record(resource, package["id"], "failed", error=stored_error(message, error))
