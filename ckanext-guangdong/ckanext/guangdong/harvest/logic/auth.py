"""Auth of the harvest feature's actions: as ckanext-harvest's own for the same data."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["guangdong_harvest_progress", "guangdong_harvest_error_report",
           "harvest_object_show", "harvest_object_list", "harvest_log_list"]


@tk.auth_allow_anonymous_access
def guangdong_harvest_progress(context: Context, data_dict: DataDict) -> AuthResult:
    # Whoever may see the source may see how its harvest is going.
    return {"success": _can("harvest_source_show", context, {"id": data_dict["id"]})}


def guangdong_harvest_error_report(context: Context, data_dict: DataDict) -> AuthResult:
    # As ckanext-harvest's job report: those who may update the source.
    return {"success": _can("harvest_job_show", context, {"id": data_dict["id"]})}


def _can(name: str, context: Context, data: dict[str, Any]) -> bool:
    try:
        tk.check_access(name, {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")}, data)
        return True
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def harvest_object_show(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    """A harvest object is the remote record as the city portal sent it (fields we do not
    publish, records of private, withdrawn and 不予开放 datasets, records we rejected): those
    who may run its source or edit its dataset see it, nobody else (ckanext-harvest lets
    everybody)."""
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
    allowed = _can("harvest_source_update", context, {"id": obj.harvest_source_id}) or (
        obj.package_id is not None and _can("package_update", context, {"id": obj.package_id}))
    if not allowed:
        return {"success": False, "msg": tk._("Not authorized to see this harvest record")}
    return next_auth(context, data_dict)


@tk.chained_auth_function
def harvest_object_list(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    """The ids of a source's objects: for those who may run the source (every source: sysadmins)."""
    source_id = data_dict.get("source_id")
    if not (source_id and _can("harvest_source_update", context, {"id": source_id})):
        return {"success": False, "msg": tk._("Not authorized to list harvest records")}
    return next_auth(context, data_dict)


@tk.chained_auth_function
def harvest_log_list(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    """Sysadmins only (who pass before any auth function runs). ckanext-harvest has no auth
    function for its log: its plugin collects actions and auth functions into one shared dict,
    so the *action* stood in as the auth function and answered 500 to everybody else."""
    return {"success": False, "msg": tk._("Only sysadmins may read the harvest log")}
