"""Auth of the harvest feature's actions, and who may manage harvest sources.

A harvest source makes the server fetch URLs, so by default only sysadmins may create, change,
delete, clear or run one (``ckanext.guangdong.harvest.editors_manage_sources = true`` gives it
back to the organization's editors, ckanext-harvest's own rule). A harvest source is a dataset
of type ``harvest``, so the dataset actions are covered too, not only ``harvest_source_*``.
CKAN lets sysadmins through before any of these functions is asked.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["guangdong_harvest_progress", "guangdong_harvest_error_report",
           # source management (sysadmins unless editors_manage_sources)
           "harvest_source_create", "harvest_source_update", "harvest_source_patch",
           "harvest_source_delete", "harvest_source_clear", "harvest_source_reindex",
           "harvest_job_create", "harvest_send_job_to_gather_queue",
           "package_create", "package_update", "package_delete",
           # always sysadmins (ckanext-harvest answers anonymous callers with a 500 here)
           "harvest_jobs_run", "harvest_job_abort", "harvest_job_create_all",
           "harvest_sources_clear", "harvest_objects_import", "harvest_sources_reindex",
           "harvest_object_create",
           # the remote records and the log (source editors; the log: sysadmins)
           "harvest_object_show", "harvest_object_list", "harvest_log_list"]

HARVEST_TYPE = "harvest"
AuthFunction = Callable[[Context, DataDict], AuthResult]


@tk.auth_allow_anonymous_access
def guangdong_harvest_progress(context: Context, data_dict: DataDict) -> AuthResult:
    # Whoever may see the source may see how its harvest is going.
    return {"success": allowed_to("harvest_source_show", context, {"id": data_dict["id"]})}


def guangdong_harvest_error_report(context: Context, data_dict: DataDict) -> AuthResult:
    # As ckanext-harvest's job report: those who may update the source.
    return {"success": allowed_to("harvest_job_show", context, {"id": data_dict["id"]})}


def allowed_to(name: str, context: Context, data: dict[str, Any]) -> bool:
    """Whether the context's user passes the auth function ``name`` (asked with a fresh context)."""
    try:
        # Context types user as str; a missing user stays None (anonymous), as CKAN reads it
        fresh = cast(Context, {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")})
        tk.check_access(name, fresh, data)
        return True
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False


def editors_manage_sources() -> bool:
    return tk.asbool(tk.config.get("ckanext.guangdong.harvest.editors_manage_sources"))


def _sysadmins_only() -> AuthResult:
    return {"success": False, "msg": tk._("Only sysadmins may create, change or run harvest sources")}


def _source_management(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    return next_auth(context, data_dict) if editors_manage_sources() else _sysadmins_only()


def _is_harvest_source(data_dict: DataDict | None) -> bool:
    data_dict = data_dict or {}
    if data_dict.get("type") == HARVEST_TYPE or "source_type" in data_dict:
        return True
    ref = data_dict.get("id") or data_dict.get("name")
    if isinstance(ref, str) and ref:
        from ckan import model
        pkg = model.Package.get(ref)
        return pkg is not None and pkg.type == HARVEST_TYPE
    # The "new harvest source" page asks package_create without data: the page's dataset type.
    try:
        return (tk.request.view_args or {}).get("package_type") == HARVEST_TYPE
    except (RuntimeError, AttributeError):  # no request (command line, consumers)
        return False


def _dataset_rule(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    if _is_harvest_source(data_dict) and not editors_manage_sources():
        return _sysadmins_only()
    return next_auth(context, data_dict)


def _chain(rule: Callable[[AuthFunction, Context, DataDict], AuthResult]) -> Any:
    def auth(next_auth: AuthFunction, context: Context, data_dict: DataDict | None) -> AuthResult:
        return rule(next_auth, context, {} if data_dict is None else data_dict)  # CKAN passes a dict
    return tk.chained_auth_function(auth)


def _always_sysadmins(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    return _sysadmins_only()


harvest_source_create = _chain(_source_management)
harvest_source_update = _chain(_source_management)
harvest_source_patch = _chain(_source_management)
harvest_source_delete = _chain(_source_management)
harvest_source_clear = _chain(_source_management)
harvest_source_reindex = _chain(_source_management)
harvest_job_create = _chain(_source_management)
harvest_send_job_to_gather_queue = _chain(_source_management)
package_create = _chain(_dataset_rule)
package_update = _chain(_dataset_rule)
package_delete = _chain(_dataset_rule)

harvest_jobs_run = _chain(_always_sysadmins)
harvest_job_abort = _chain(_always_sysadmins)
harvest_job_create_all = _chain(_always_sysadmins)
harvest_sources_clear = _chain(_always_sysadmins)
harvest_objects_import = _chain(_always_sysadmins)
harvest_sources_reindex = _chain(_always_sysadmins)
harvest_object_create = _chain(_always_sysadmins)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def harvest_object_show(next_auth: Any, context: Context, data_dict: DataDict | None) -> AuthResult:
    """A harvest object is the remote record as the city portal sent it (fields we do not
    publish, records of private, withdrawn and 不予开放 datasets, records we rejected): those
    who may run its source or edit its dataset see it, nobody else (ckanext-harvest lets
    everybody)."""
    data_dict = {} if data_dict is None else data_dict  # CKAN passes a dict; its type allows None
    from ckan import model
    from ckanext.harvest.model import HarvestObject
    obj = None
    if data_dict.get("id"):
        obj = HarvestObject.get(data_dict["id"])
    elif data_dict.get("dataset_id"):
        pkg = model.Package.get(data_dict["dataset_id"])
        obj = pkg and model.Session.query(HarvestObject).filter(
            HarvestObject.package_id == pkg.id).first()
    if obj is None:
        return {"success": False, "msg": tk._("Harvest object not found")}
    allowed = allowed_to("harvest_source_update", context, {"id": obj.harvest_source_id}) or (
        obj.package_id is not None and allowed_to("package_update", context, {"id": obj.package_id}))
    if not allowed:
        return {"success": False, "msg": tk._("Not authorized to see this harvest record")}
    return next_auth(context, data_dict)


@tk.chained_auth_function
def harvest_object_list(next_auth: Any, context: Context, data_dict: DataDict | None) -> AuthResult:
    """The ids of a source's objects: for those who may run the source (every source: sysadmins)."""
    data_dict = {} if data_dict is None else data_dict  # CKAN passes a dict; its type allows None
    source_id = data_dict.get("source_id")
    if not (source_id and allowed_to("harvest_source_update", context, {"id": source_id})):
        return {"success": False, "msg": tk._("Not authorized to list harvest records")}
    return next_auth(context, data_dict)


@tk.chained_auth_function
def harvest_log_list(next_auth: Any, context: Context, data_dict: DataDict | None) -> AuthResult:
    """Sysadmins only (who pass before any auth function runs). ckanext-harvest has no auth
    function for its log: its plugin collects actions and auth functions into one shared dict,
    so the *action* stood in as the auth function and answered 500 to everybody else."""
    data_dict = {} if data_dict is None else data_dict  # CKAN passes a dict; its type allows None
    return {"success": False, "msg": tk._("Only sysadmins may read the harvest log")}
