"""Actions of the harvest feature (found by ``@tk.blanket.actions``)."""
from __future__ import annotations

# The pyright ignores in this file: ckanext-harvest's model declares plain Column attributes,
# so a type checker reads a row's values (ids, dates, content) as Column objects.
import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict
from ckanext.harvest.model import HarvestJob, HarvestSource

from ckanext.guangdong import params, urlpolicy
from ckanext.guangdong.harvest_ops import secrets, status, timeout
from ckanext.guangdong.harvest_ops.logic.auth import HARVEST_TYPE, allowed_to
from ckanext.guangdong.harvesters.errors import HarvestError

__all__ = ["guangdong_harvest_progress", "guangdong_harvest_error_report", "harvest_jobs_run",
           "harvest_abort_failed_jobs", "harvest_source_reindex", "package_create", "package_update",
           "harvest_job_show", "harvest_job_list", "harvest_source_list", "harvest_source_show_status",
           "activity_create"]
# registered only where that plugin is loaded (ckanext/guangdong/registration.py)
CHAINED_IF_LOADED = {"activity_create": "activity"}


def _source(data_dict: DataDict) -> HarvestSource:
    source_id = params.as_id(data_dict, "source_id") or params.as_id(data_dict, "id")
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
    job_id = params.as_id(data_dict, "job_id")
    if job_id:
        job = HarvestJob.get(job_id)
        if not job:
            raise tk.ObjectNotFound(tk._("Harvest job not found"))
        source = job.source
    else:
        source = _source(data_dict)
        job = status.latest_job(source.id)  # pyright: ignore[reportArgumentType]
    tk.check_access("guangdong_harvest_progress", context, {"id": source.id})
    last = status.last_successful(source.id)  # pyright: ignore[reportArgumentType]
    out: dict[str, Any] = {"source_id": source.id, "job": status.progress(job) if job else None,
                           "last_successful_harvest": status._iso(last.finished) if last else None,  # pyright: ignore[reportArgumentType]
                           "last_successful_job_id": last.id if last else None}
    return out


@tk.side_effect_free
def guangdong_harvest_error_report(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Every error of a job, grouped by kind (most frequent first). No truncation: the CSV
    download (/harvest/<source>/job/<job_id>/errors.csv) has the same rows.

    :param job_id: the harvest job (default: the latest job of ``source_id``)
    """
    job_id = params.as_id(data_dict, "job_id")
    if job_id:
        job = HarvestJob.get(job_id)
    else:
        job = status.latest_job(_source(data_dict).id)  # pyright: ignore[reportArgumentType]
    if not job:
        raise tk.ObjectNotFound(tk._("Harvest job not found"))
    tk.check_access("guangdong_harvest_error_report", context, {"id": job.id})
    report = status.error_report(job.id)  # pyright: ignore[reportArgumentType]
    report["source_id"] = job.source_id
    return report


@tk.chained_action
def harvest_jobs_run(original: Any, context: Context, data_dict: DataDict) -> Any:
    """Finish jobs past our timeout first, then what ckanext-harvest does (start due jobs,
    mark completed ones finished). The scheduler of ``make run`` calls this. Access is checked
    before anything is done (sysadmins only)."""
    tk.check_access("harvest_jobs_run", context, data_dict)
    timeout.finish_timed_out_jobs()
    return original(context, data_dict)


@tk.chained_action
def harvest_abort_failed_jobs(original: Any, context: Context, data_dict: DataDict) -> Any:
    """ckanext-harvest checks no access here: aborting jobs is for those who may run them."""
    tk.check_access("harvest_jobs_run", context, data_dict)
    return original(context, data_dict)


@tk.chained_action
def harvest_source_reindex(original: Any, context: Context, data_dict: DataDict) -> Any:
    """ckanext-harvest's reindex checks no access (it runs with ``ignore_auth``) and takes any
    dataset's id: anyone could rewrite any dataset's search document with the harvest source's
    reading of it, and its answer (true) told that a private dataset exists. Only a harvest
    source is reindexed here, for whoever may manage it."""
    from ckan import model
    source_id = params.as_id(data_dict, "id")
    pkg = model.Package.get(source_id) if source_id else None
    if pkg is None or pkg.type != HARVEST_TYPE:
        raise tk.ObjectNotFound(tk._("Harvest source not found"))
    tk.check_access("harvest_source_reindex", context, {"id": pkg.id})
    return original(context, data_dict)


def _refusal(e: urlpolicy.URLRefused) -> str:
    return tk._(e.message_key) % e.params if e.params else tk._(e.message_key)


def _check_source(context: Context, data_dict: DataDict, action: str) -> None:
    """A harvest source is checked as a whole when it is saved: its URL and every URL its
    config makes a job request (remote_ckan_api, API endpoints) pass the URL policy now, and
    the links it makes are http/https. (ckanext-harvest validates the config on its own
    without the URL; the same checks run again on every request of a job.)"""
    if data_dict.get("type") != "harvest" and "source_type" not in data_dict:
        return
    # Who may save it first: the checks below resolve host names, which is not for everyone.
    tk.check_access(action, context, data_dict)
    params.as_bool(data_dict, "private", False)  # ckanext-harvest's own reading fails on []
    url = data_dict.get("url")
    if url is None:
        return
    try:
        urlpolicy.check_url(url)
    except urlpolicy.URLRefused as e:
        raise tk.ValidationError({"url": [_refusal(e)]}) from e
    harvester, cfg = _harvester_and_config(data_dict)
    if harvester is None or cfg is None or not hasattr(harvester, "fetch_urls"):
        return  # an unknown type or a bad config: ckanext-harvest's validators say so
    try:
        fetched, linked = harvester.fetch_urls(url, cfg), harvester.link_urls(url, cfg)
    except HarvestError as e:
        raise tk.ValidationError({"config": [e.message]}) from e
    for other in fetched:
        try:
            urlpolicy.check_url(other)
        except urlpolicy.URLRefused as e:
            raise tk.ValidationError({"config": [f"{other}: {_refusal(e)}"]}) from e
    for link in linked:
        try:
            urlpolicy.check_url_form(link)
        except urlpolicy.URLRefused as e:
            raise tk.ValidationError({"config": [f"{link}: {_refusal(e)}"]}) from e


def _harvester_and_config(data_dict: DataDict) -> tuple[Any, dict[str, Any] | None]:
    from ckanext.harvest.queue import get_harvester

    from ckanext.guangdong.harvesters import config as source_config
    source_type = data_dict.get("source_type")
    if not isinstance(source_type, str):
        from ckan import model
        ref = data_dict.get("id") or data_dict.get("name")
        source = HarvestSource.get(ref) if isinstance(ref, str) else None
        if source is None and isinstance(ref, str) and (pkg := model.Package.get(ref)) is not None:
            source = HarvestSource.get(pkg.id)
        source_type = source.type if source else None
    harvester = get_harvester(source_type) if isinstance(source_type, str) else None
    name = getattr(harvester, "NAME", None)
    if not name:
        return None, None
    try:
        return harvester, source_config.parse(data_dict.get("config"), name)
    except (source_config.ConfigError, TypeError, AttributeError):
        return harvester, None


@tk.chained_action
def package_create(original: Any, context: Context, data_dict: DataDict) -> Any:
    _check_source(context, data_dict, "package_create")
    return _masked_for(context, original, data_dict)


@tk.chained_action
def package_update(original: Any, context: Context, data_dict: DataDict) -> Any:
    _keep_stored_secrets(data_dict)
    _check_source(context, data_dict, "package_update")
    return _masked_for(context, original, data_dict)


# --- secrets of harvest sources: sysadmins see them, everyone else masked (secrets.py) -------

def _masked_for(context: Context, action: Any, data_dict: DataDict) -> Any:
    """CKAN answers package_create/update with a package_show run under ignore_auth: a source
    comes back masked unless the caller may see its secrets."""
    see = may_see_secrets(context)
    result = action(context, data_dict)
    if not see and isinstance(result, dict) and result.get("type") == "harvest":
        secrets.mask_source(result)
    return result


def _keep_stored_secrets(data_dict: DataDict) -> None:
    """A source edited without retyping its secrets (the form and the API show them masked)
    keeps the stored ones."""
    if secrets.MASK not in str(data_dict):
        return
    from ckan import model
    pkg = model.Package.get(str(data_dict.get("id") or data_dict.get("name") or ""))
    source = HarvestSource.get(pkg.id) if pkg else None
    if source is None:
        return
    if "config" in data_dict:
        data_dict["config"] = secrets.restore_config(data_dict["config"], source.config)
    if isinstance(data_dict.get("url"), str):
        data_dict["url"] = secrets.restore_value(data_dict["url"], source.url)
    # ckanext-harvest also shows the config's keys at the top level (auth_header ...)
    try:
        stored = json.loads(source.config or "{}")
    except ValueError:
        stored = {}
    if isinstance(stored, dict):
        for key in set(data_dict) & set(stored):
            data_dict[key] = secrets.restore_value(data_dict[key], stored[key])


def may_see_secrets(context: Context) -> bool:
    """Sysadmins, and the site's own calls (harvest jobs, indexing)."""
    if context.get("ignore_auth"):
        return True
    from ckan import authz
    return authz.is_sysadmin(context.get("user"))


@tk.chained_action
@tk.side_effect_free
def harvest_source_list(original: Any, context: Context, data_dict: DataDict) -> Any:
    tk.check_access("harvest_source_list", context, data_dict)
    sources = original(context, data_dict)
    if not may_see_secrets(context):
        for source in sources:
            secrets.mask_source(source)
    return sources


# --- errors and warnings counted apart wherever ckanext-harvest shows job statistics --------

@tk.chained_action
@tk.side_effect_free
def harvest_job_show(original: Any, context: Context, data_dict: DataDict) -> Any:
    return status.fix_job_stats(original(context, data_dict))


@tk.chained_action
@tk.side_effect_free
def harvest_job_list(original: Any, context: Context, data_dict: DataDict) -> Any:
    return [status.fix_job_stats(job) for job in original(context, data_dict)]


@tk.chained_action
@tk.side_effect_free
def harvest_source_show_status(original: Any, context: Context, data_dict: DataDict) -> Any:
    """Job statistics with errors and warnings apart. The last job's error messages quote
    remote records (of datasets that may be private or 不予开放): only those who may run the
    source see them; everybody sees the counts."""
    source_id = params.as_id(data_dict, "id")
    if not source_id:
        raise tk.ValidationError({"id": [tk._("Missing value")]})
    result = original(context, data_dict)
    last_job = result.get("last_job") if isinstance(result, dict) else None
    if isinstance(last_job, dict):
        status.fix_job_stats(last_job)
        if not allowed_to("harvest_source_update", context, {"id": source_id}):
            for key in ("object_error_summary", "gather_error_summary"):
                last_job.pop(key, None)
    return result


@tk.chained_action
def activity_create(original: Any, context: Context, data_dict: DataDict) -> Any:
    """Activity streams are public where the source is: the stored copy holds no secret."""
    data = data_dict.get("data")
    package = data.get("package") if isinstance(data, dict) else None
    if isinstance(package, dict) and package.get("type") == "harvest":
        secrets.mask_source(package)
    return original(context, data_dict)
