"""Actions of the data feature (blanket-registered by plugin.py)."""
from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ckanext.guangdong.data import config, records, tables

log = logging.getLogger(__name__)
__all__ = ["xloader_submit", "datastore_search", "datastore_search_sql", "guangdong_data_load_report",
           "guangdong_data_record_count_check"]


def queued_key(resource_id: str) -> str:
    return f"ckan:{tk.config.get('ckan.site_id')}:guangdong_data:queued:{resource_id}"


def _mark_queued(resource_id: str) -> bool:
    """True when no load of the resource is waiting in the queue (and marks one as waiting): a
    resource made with its dataset is submitted both by xloader and by our package hook, and a
    waiting job reads the resource when it starts anyway. The job clears the mark as it starts."""
    from ckan.lib.redis import connect_to_redis
    return bool(connect_to_redis().set(queued_key(resource_id), "1", nx=True,
                                       ex=config.job_timeout()))


def _save_task(task: dict[str, Any]) -> None:
    from ckan import model
    # Context types session as CKAN's scoped session; this write needs a session of its own
    local: Context = {"session": model.meta.create_local_session(), "ignore_auth": True}  # pyright: ignore[reportAssignmentType]
    tk.get_action("task_status_update")(local, dict(task))


@tk.chained_action
def xloader_submit(up_func: Action, context: Context, data_dict: DataDict) -> bool:
    """ckanext-xloader's ``xloader_submit``, same parameters and checks, with every load done by
    this feature's job (``ckanext.guangdong.data.job.load_resource``): xloader's automatic
    submissions (new and changed resources), its "Upload to DataStore" button and its CLI all
    come here. No API token is needed: the job runs inside CKAN as the site user."""
    from ckanext.xloader import interfaces
    from ckanext.xloader import schema as xschema

    from ckanext.guangdong.data.job import load_resource
    tk.check_access("xloader_submit", context, data_dict)
    data, errors = tk.navl_validate(dict(data_dict), xschema.xloader_submit_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    res_id = data["resource_id"]
    from ckan import model
    # the model, not resource_show: this runs inside the caller's commit (xloader's notify), where
    # package_show's search lookup would commit the session under it
    resource = model.Resource.get(res_id)
    if resource is None or resource.state == "deleted":
        return False
    for plugin in p.PluginImplementations(interfaces.IXloader):
        if not plugin.can_upload(res_id):
            return False

    task: dict[str, Any] = {"entity_id": res_id, "entity_type": "resource", "task_type": "xloader",
                            "key": "xloader", "state": "submitting", "value": "{}", "error": "{}",
                            "last_updated": str(dt.datetime.utcnow())}
    try:
        existing = tk.get_action("task_status_show")(
            {"ignore_auth": True}, {"entity_id": res_id, "task_type": "xloader", "key": "xloader"})
        task["id"] = existing["id"]
    except tk.ObjectNotFound:
        pass
    if not _mark_queued(res_id):
        log.info("a load of %s is already queued", res_id)
        return False
    inside_commit = bool(context.get("defer_commit"))  # called from a commit hook (notify)
    if not inside_commit:
        _save_task(task)
    job = tk.enqueue_job(load_resource, [res_id, bool(data.get("ignore_hash")), task["last_updated"]],
                         title=f"guangdong_data load: package {resource.package_id} resource {res_id}",
                         rq_kwargs={"timeout": config.job_timeout(), "at_front": bool(data.get("sync"))})
    if not inside_commit:  # otherwise the job records its task status when it starts
        task.update(state="pending", value=json.dumps({"job_id": job.id}),
                    last_updated=str(dt.datetime.utcnow()))
        _save_task(task)
    return True


@tk.side_effect_free
def guangdong_data_load_report(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """What the last DataStore load of a resource found: state, rows, columns and their types,
    encoding, header row, warnings or the error (messages in the request's language).

    :param id: the resource id
    """
    res_id = tk.get_or_bust(data_dict, "id")
    if not isinstance(res_id, str):
        raise tk.ValidationError({"id": [tk._("Must be a string")]})
    tk.check_access("guangdong_data_load_report", context, {"id": res_id})
    report = tables.get(res_id)
    if report is None:
        raise tk.ObjectNotFound(tk._("This resource has not been loaded into the DataStore"))
    return records.public_report(report)


@tk.side_effect_free
def guangdong_data_record_count_check(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The dataset's declared 数据量 (record_count) against the rows its loaded resources hold.

    :param id: the dataset id or name
    """
    pkg_id = tk.get_or_bust(data_dict, "id")
    pkg = tk.get_action("package_show")(context.copy(), {"id": pkg_id})
    return records.record_count_check(pkg)


@tk.chained_action
@tk.side_effect_free
def datastore_search_sql(up_func: Action, context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The DataStore's SQL search; a query PostgreSQL refuses is a 409 with a short zh/en
    message instead of CKAN's answer with the statement and the driver's text (sql_errors.py)."""
    from sqlalchemy.exc import DBAPIError

    from ckanext.guangdong.data import sql_errors
    if isinstance(data_dict, dict) and data_dict.get("sql") is not None \
            and not isinstance(data_dict["sql"], str):
        # CKAN reads it as a text before any check (a list was a 500)
        raise tk.ValidationError({"sql": [tk._("The SQL query must be text, not a list, an object "
                                                "or a number")]})
    try:
        result = up_func(context, data_dict)
    except (tk.ValidationError, DBAPIError) as error:
        orig = sql_errors.database_error(error)
        if orig is None:
            raise   # CKAN's own messages (not a single statement, too long) carry no SQL
        statement = getattr(error.__context__, "statement", None) or getattr(error, "statement", None)
        sql = data_dict.get("sql") if isinstance(data_dict, dict) else None
        pos = sql_errors.position(orig, statement, sql if isinstance(sql, str) else "")
        raise tk.ValidationError({"query": [sql_errors.message(orig, pos)]}) from None
    _refuse_too_large(result)
    return result


def _refuse_too_large(result: dict[str, Any]) -> None:
    """An answer over ``sql_max_bytes`` is refused (attack trial a10, L4: one query made a 30 MB
    answer for anyone, a web worker's memory and time)."""
    cap = config.sql_max_bytes()
    if cap <= 0:
        return
    size = len(json.dumps(result.get("records"), ensure_ascii=False, default=str).encode("utf-8"))
    if size > cap:
        raise tk.ValidationError({"query": [tk._(
            "The answer to this query is too large ({size} MB, at most {cap} MB): select fewer "
            "rows or columns, or download the table").format(
                size=f"{size / 1e6:.1f}", cap=f"{cap / 1e6:.1f}")]})


TABLE_LIST = "_table_metadata"  # CKAN DataStore's WHITELISTED_RESOURCES


@tk.chained_action
@tk.side_effect_free
def datastore_search(up_func: Action, context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The DataStore's search; a ``q`` with Chinese characters matches substrings (search.py)."""
    from ckanext.guangdong.data import search
    if isinstance(data_dict, dict) and data_dict.get("resource_id") == TABLE_LIST:
        # CKAN answers this name with every DataStore table (the resource ids of private and
        # held datasets too) without an auth check, then fails its own auth audit (500):
        # sysadmins only, through the action's own auth function
        from ckan import authz
        if not authz.is_sysadmin(context.get("user")):
            raise tk.NotAuthorized(tk._("Access denied"))
        tk.check_access("datastore_search", context, data_dict)
    q = search.take_substring_query(data_dict) if isinstance(data_dict, dict) else None
    if q is None:
        return up_func(context, data_dict)
    context[search.CONTEXT_KEY] = q  # type: ignore[literal-required]
    try:
        result = up_func(context, data_dict)
    finally:
        context.pop(search.CONTEXT_KEY, None)  # type: ignore[misc]
    result["q"] = q
    return result
