"""The DataStore load job, run by CKAN's background worker (``ckan jobs worker``, RQ on Redis).

fetch (fetch.py: storage or the URL policy, size limit) -> prepare (prepare.py: encoding, header,
numbers, dates, types, row limit) -> ckanext-xloader's loader (``load_csv``: COPY into the
DataStore, full-text column, indexes) with our column types (plugin.py, IXloader) -> checks.

The job keeps xloader's bookkeeping so its pages and badges work: the ``xloader`` task status
(through its ``xloader_hook`` action, called in process, which also creates the default views)
and its job log. Our own report (tables.py) keeps what the load found, for the resource page, the
dataset page and the harvest report. A load that fails after it touched the DataStore drops the
table: no half table is ever left behind.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

from . import config, fetch, tables
from .messages import N_, LoadError, message
from .prepare import Prepared, prepare

log = logging.getLogger(__name__)


def _notify(method: str, *args: Any) -> None:
    """Tell the IDataFile plugins (the safety scan) about the file; their failure is logged."""
    import ckan.plugins as p

    from .interfaces import IDataFile
    for plugin in p.PluginImplementations(IDataFile):
        try:
            getattr(plugin, method)(*args)
        except Exception:
            log.exception("%s of %s failed", method, type(plugin).__name__)


@dataclass
class Pending:
    prepared: Prepared
    notes: dict[str, str]  # column name -> the 信息项 description, for the data dictionary


# resource id -> the load in progress; read by the IXloader hook (plugin.py) that gives xloader's
# new table our column types. A worker process runs one job at a time.
PENDING: dict[str, Pending] = {}


def _site_context() -> Context:
    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site["name"], "ignore_auth": True}


def _record_task(resource_id: str) -> None:
    """xloader's task status for this job, when the submission could not write it (it was made
    inside another transaction's commit)."""
    from rq import get_current_job
    job = get_current_job()
    task: dict[str, Any] = {"entity_id": resource_id, "entity_type": "resource",
                            "task_type": "xloader", "key": "xloader", "state": "running",
                            "value": json.dumps({"job_id": job.id if job else None}),
                            "error": "{}", "last_updated": str(dt.datetime.utcnow())}
    try:
        existing = tk.get_action("task_status_show")(
            {"ignore_auth": True}, {"entity_id": resource_id, "task_type": "xloader", "key": "xloader"})
        task["id"] = existing["id"]
    except tk.ObjectNotFound:
        pass
    tk.get_action("task_status_update")({"ignore_auth": True}, task)


def _hook(resource_id: str, status: str, task_created: str | None, original_url: str | None,
          error: str | None = None) -> None:
    """xloader's task status (its badge and /resource_data page); on success it also creates the
    DataStore views (DataTables) through resource_create_default_resource_views."""
    data = {"metadata": {"resource_id": resource_id, "task_created": task_created,
                         "original_url": original_url},
            "status": status}
    if error:
        data["error"] = json.dumps({"message": error}, ensure_ascii=False)
    try:
        tk.get_action("xloader_hook")(_site_context(), data)
    except tk.ObjectNotFound:  # no task status (a load started outside xloader_submit)
        pass


@contextmanager
def _job_log(resource_id: str) -> Iterator[logging.Logger]:
    """A logger that also writes to xloader's job log (shown on its /resource_data page)."""
    logger = logging.getLogger(f"{__name__}.{resource_id}")
    logger.setLevel(logging.INFO)
    handler: logging.Handler | None = None
    try:
        from ckanext.xloader import db as xdb
        from ckanext.xloader import jobs as xjobs
        from rq import get_current_job
        job = get_current_job()
        if job is not None:
            xdb.init(tk.config)
            xdb.add_pending_job(job.id, "xloader_to_datastore", None,
                                metadata={"resource_id": resource_id})
            handler = xjobs.StoringHandler(job.id, {})
            handler.setFormatter(logging.Formatter("%(message)s"))
            logger.addHandler(handler)
    except Exception:  # the job log is a convenience; the load goes on without it
        log.warning("no xloader job log for %s", resource_id, exc_info=True)
    try:
        yield logger
    finally:
        if handler is not None:
            logger.removeHandler(handler)


def _existing_fields(resource_id: str) -> list[tuple[str, str]] | None:
    try:
        info = tk.get_action("datastore_info")({"ignore_auth": True}, {"id": resource_id})
    except tk.ObjectNotFound:
        return None
    return [(f["id"], f["type"]) for f in info.get("fields", []) if not f["id"].startswith("_")]


def _reindex(resource_id: str) -> None:
    """xloader sets datastore_active in the resource's extras directly and patches the search
    document through a Solr-only query; index the dataset again so package_show (which reads the
    index) and the views see the flag."""
    from ckan import model as ckan_model
    from ckan.lib import search as ckan_search
    res = ckan_model.Resource.get(resource_id)
    if res is not None:
        ckan_model.Session.expire_all()
        ckan_search.rebuild(res.package_id)


def drop_table(resource_id: str) -> None:
    """Remove the resource's DataStore table (if any) and clear datastore_active."""
    from ckanext.xloader import utils as xutils
    try:
        tk.get_action("datastore_delete")(_site_context(), {"resource_id": resource_id, "force": True})
    except tk.ObjectNotFound:
        pass
    xutils.set_resource_metadata({"resource_id": resource_id, "datastore_active": False})
    _reindex(resource_id)


def is_table_format(resource: dict[str, Any]) -> bool:
    """The formats this feature loads (ckanext.xloader.formats: CSV, TSV, XLS, XLSX); the safety
    gate's ``is_tabular`` reads the same list, and scans the others by their content."""
    from ckanext.xloader.utils import XLoaderFormats
    return bool(XLoaderFormats.is_it_an_xloader_format(resource.get("format") or ""))


def unload(resource_id: str) -> None:
    """A resource of a format that is not loaded (JSON, ...) has no DataStore table, load report,
    task status or table view; the text view previews it. Removes those a version that read
    every file as CSV left behind (a JSON file became one column named "{")."""
    from ckan import model as ckan_model
    if _existing_fields(resource_id) is not None:
        drop_table(resource_id)
    tables.delete(resource_id)
    for obj in ckan_model.Session.query(ckan_model.ResourceView).filter_by(
            resource_id=resource_id, view_type="datatables_view"):
        ckan_model.Session.delete(obj)
    ckan_model.Session.query(ckan_model.TaskStatus).filter_by(
        entity_id=resource_id, task_type="xloader").delete()
    ckan_model.repo.commit()


def _count(resource_id: str) -> int:
    result = tk.get_action("datastore_search")(
        _site_context(), {"resource_id": resource_id, "limit": 0, "include_total": True})
    return int(result.get("total") or 0)


def load_into_datastore(resource: dict[str, Any], prepared: Prepared, logger: logging.Logger,
                        notes: dict[str, str] | None = None) -> None:
    """The prepared CSV into the resource's DataStore table through ckanext-xloader's loader."""
    from ckanext.xloader import jobs as xjobs
    from ckanext.xloader import loader as xloader
    rid = resource["id"]
    wanted = [(c.name, c.type) for c in prepared.columns]
    existing = _existing_fields(rid)
    if existing is not None and existing != wanted:
        # other columns or types: a new table (xloader would truncate one whose names match)
        logger.info("columns changed: dropping the old table")
        drop_table(rid)
    PENDING[rid] = Pending(prepared, notes or {})
    try:
        fields = xloader.load_csv(prepared.path, resource_id=rid, mimetype="text/csv",
                                  allow_type_guessing=False, logger=logger)
    finally:
        PENDING.pop(rid, None)
    xloader.calculate_record_count(resource_id=rid, logger=logger)
    loaded = _count(rid)
    if loaded != prepared.rows:
        raise LoadError(N_("The DataStore holds %(loaded)s rows but the file has %(rows)s"),
                        loaded=loaded, rows=prepared.rows)
    xjobs.set_datastore_active({"resource_id": rid}, resource, logger)
    _reindex(rid)
    xloader.create_column_indexes(fields=fields, resource_id=rid, logger=logger)


def load_resource(resource_id: str, ignore_hash: bool = False,
                  task_created: str | None = None) -> None:
    """The job: load one resource's file into the DataStore (see the module's docstring)."""
    import time

    from ckan.lib.redis import connect_to_redis

    from ckanext.guangdong.data.logic.action import queued_key
    connect_to_redis().delete(queued_key(resource_id))  # a change from now on queues a new load
    context = _site_context()
    for _attempt in range(20):  # submitted before the creating transaction committed
        try:
            resource = tk.get_action("resource_show")(context.copy(), {"id": resource_id})
            package = tk.get_action("package_show")(context.copy(), {"id": resource["package_id"]})
            break
        except tk.ObjectNotFound:
            from ckan import model as ckan_model
            ckan_model.Session.remove()
            time.sleep(0.5)
    else:
        log.info("resource %s is gone; nothing to load", resource_id)
        return
    if not is_table_format(resource):  # a JSON file is never parsed as CSV
        log.info("resource %s is %s, not a table format: not loaded", resource_id,
                 resource.get("format") or "of no format")
        unload(resource_id)
        return
    pid = package["id"]
    original_url = resource.get("url")
    _record_task(resource_id)
    previous = tables.get(resource_id) or {}  # before "running" replaces it
    tables.save(resource_id, pid, "running")
    tmpdir = tempfile.mkdtemp(prefix="guangdong-data-")
    touched = False
    told = False  # an IDataFile plugin has heard about this file
    fetched = False  # the whole file is at ``src`` (a parse failure may still be readable)
    with _job_log(resource_id) as logger:
        src = os.path.join(tmpdir, "source")
        try:
            fetch.resource_file(resource, config.max_bytes(), src)
            fetched = True
            digest = fetch.file_md5(src)
            if (not ignore_hash and resource.get("hash") == digest and previous.get("rows") is not None
                    and resource.get("datastore_active") and _existing_fields(resource_id)):
                logger.info("the file has not changed since the last load (%s)", digest)
                told = True
                _notify("data_file_unchanged", resource, package, src, digest)
                tables.save(resource_id, pid, "complete",
                           **{k: previous.get(k) for k in ("rows", "columns", "encoding",
                                                            "header_line", "warnings")
                              if previous.get(k) is not None})
                _hook(resource_id, "complete", task_created, original_url)
                return
            items = [i for i in package.get("data_items") or [] if isinstance(i, dict)]
            declared = {str(i.get("name")): str(i.get("type")) for i in items}
            notes = {str(i.get("name")): str(i["description"]) for i in items if i.get("description")}
            prepared = prepare(src, resource.get("format") or "", os.path.join(tmpdir, "data.csv"),
                               max_rows=config.max_rows(), candidates=config.encodings(),
                               declared_types=declared)
            logger.info("prepared: %s rows, encoding %s, header on row %s, columns %s",
                        prepared.rows, prepared.encoding, prepared.header_line,
                        [(c.name, c.type) for c in prepared.columns])
            told = True
            _notify("data_file_prepared", resource, package, prepared, digest, src)
            touched = True
            load_into_datastore(resource, prepared, logger, notes)
            if resource.get("hash") != digest:
                # so an unchanged file is not loaded again (as xloader does), written on the
                # model: a resource_patch would be a dataset change (activity, a reload check)
                from ckan import model as ckan_model
                row = ckan_model.Resource.get(resource_id)
                assert row is not None  # resource_show found it above
                row.hash = digest
                ckan_model.repo.commit()
                _reindex(resource_id)
            # xloader's hook first: it creates the DataTables view, which must exist once the
            # report says "complete"
            _hook(resource_id, "complete", task_created, original_url)
            tables.save(resource_id, pid, "complete", rows=prepared.rows,
                       columns=[{"name": c.name, "type": c.type} for c in prepared.columns],
                       encoding=prepared.encoding, header_line=prepared.header_line,
                       warnings=prepared.warnings)
        except Exception as e:
            if isinstance(e, LoadError):
                error = e.as_dict()
                logger.warning("load failed: %s", e)
            else:
                log.exception("DataStore load of %s failed", resource_id)
                error = message(N_("The load failed unexpectedly; the portal's administrators "
                                   "can see the details in the job log"))
            if touched:
                try:
                    drop_table(resource_id)
                except Exception:
                    log.exception("could not drop the DataStore table of %s", resource_id)
            tables.save(resource_id, pid, "error", error=error)
            if not told:
                told = True
                _notify("data_file_failed", resource, package,
                        error["message"] % error["params"] if error.get("params") else error["message"],
                        src if fetched else "", error)
            # never SQL or a traceback in what the portal shows: our message, in English
            english = error["message"] % error["params"] if error.get("params") else error["message"]
            _hook(resource_id, "error", task_created, original_url, error=english[:500])
        finally:
            shutil.rmtree(tmpdir, ignore_errors=True)
