"""Auth functions of the data feature (blanket-registered by plugin.py)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthFunction, AuthResult, Context, DataDict

__all__ = ["guangdong_data_load_report", "task_status_show"]


@tk.auth_allow_anonymous_access
def guangdong_data_load_report(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may see the resource (and so its dataset) may see its load report."""
    try:
        tk.check_access("resource_show", context, {"id": data_dict.get("id")})
    except tk.NotAuthorized:
        return {"success": False, "msg": tk._("Not authorized to see this resource")}
    return {"success": True}


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def task_status_show(next_auth: AuthFunction, context: Context, data_dict: DataDict | None) -> AuthResult:
    """CKAN lets anyone read any task status. A resource's tasks (the DataStore load's state and
    error, which may quote the file) are readable only by those who may see the resource."""
    data_dict = {} if data_dict is None else data_dict  # CKAN passes a dict; its type allows None
    entity_id = data_dict.get("entity_id")
    if data_dict.get("id"):
        from ckan import model
        task = model.TaskStatus.get(data_dict["id"])
        # CKAN's TaskStatus declares its columns on a Table, so the class shows no attributes
        entity_id = task.entity_id if task and task.entity_type == "resource" else None  # pyright: ignore[reportAttributeAccessIssue]
    if entity_id:
        from ckan import model
        if model.Resource.get(entity_id) is not None:
            try:
                tk.check_access("resource_show", context, {"id": entity_id})
            except tk.NotAuthorized:
                return {"success": False, "msg": tk._("Not authorized to see this task")}
    return next_auth(context, data_dict)
