"""Auth functions of the safety feature (blanket-registered by plugin.py)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthFunction, AuthResult, Context, DataDict

from ckanext.guangdong.security.hidden import caller_only

from .. import gate

__all__ = ["package_show", "resource_show",
           "guangdong_safety_status", "guangdong_safety_approve", "guangdong_safety_review_queue",
           "guangdong_safety_negative_list_check", "guangdong_safety_negative_list_show",
           "guangdong_safety_negative_list_update", "guangdong_safety_org_review_set",
           "guangdong_safety_audit_list", "guangdong_safety_deidentify",
           "guangdong_safety_rescan_links"]


def _package(data_dict: DataDict):  # type: ignore[no-untyped-def]
    from ckan import model
    pid = data_dict.get("id")
    return model.Package.get(pid) if isinstance(pid, str) and pid else None


def guangdong_safety_status(context: Context, data_dict: DataDict) -> AuthResult:
    """Findings are for the dataset's publishers (who may edit it) and its reviewers."""
    pkg = _package(data_dict)
    if pkg is None:
        return {"success": False, "msg": tk._("Not authorized")}
    if gate.is_reviewer_of(context.get("user"), pkg.owner_org):
        return {"success": True}
    try:
        tk.check_access("package_update", context.copy(), {"id": pkg.id})
    except tk.NotAuthorized:
        return {"success": False, "msg": tk._("Only the dataset's publishers and reviewers may see this")}
    return {"success": True}


def guangdong_safety_approve(context: Context, data_dict: DataDict) -> AuthResult:
    """Approve, return, clear: the organisation's admins, provincial reviewers, sysadmins."""
    pkg = _package(data_dict)
    if pkg is not None and gate.is_reviewer_of(context.get("user"), pkg.owner_org):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the organization's admins and provincial reviewers may review")}


@caller_only
def guangdong_safety_review_queue(context: Context, data_dict: DataDict) -> AuthResult:
    """Any signed-in user; the queue lists only what the user may review."""
    if context.get("auth_user_obj") is None and not context.get("user"):
        return {"success": False, "msg": tk._("Sign in to see the review queue")}
    return {"success": True}


@caller_only
def guangdong_safety_negative_list_check(context: Context, data_dict: DataDict) -> AuthResult:
    """Publishers asking from the dataset form (any signed-in user)."""
    if not context.get("user"):
        return {"success": False, "msg": tk._("Sign in first")}
    return {"success": True}


@caller_only
def guangdong_safety_negative_list_show(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": False, "msg": tk._("Only sysadmins")}  # sysadmins pass before this


@caller_only
def guangdong_safety_negative_list_update(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": False, "msg": tk._("Only sysadmins")}


@caller_only
def guangdong_safety_org_review_set(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": False, "msg": tk._("Only sysadmins")}


@caller_only
def guangdong_safety_audit_list(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": False, "msg": tk._("Only sysadmins")}


@caller_only
def guangdong_safety_rescan_links(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": False, "msg": tk._("Only sysadmins")}


def guangdong_safety_deidentify(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may edit the dataset of the resource."""
    from ckan import model
    rid = data_dict.get("resource_id")
    res = model.Resource.get(rid) if isinstance(rid, str) and rid else None
    if res is None:
        return {"success": False, "msg": tk._("Not authorized")}
    try:
        tk.check_access("package_update", context.copy(), {"id": res.package_id})
    except tk.NotAuthorized:
        return {"success": False, "msg": tk._("Not authorized to edit this dataset")}
    return {"success": True}


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def package_show(next_auth: AuthFunction, context: Context, data_dict: DataDict | None) -> AuthResult:
    """Provincial reviewers may read a dataset that waits for their review (held datasets are
    private, and reviewers are not members of every organisation)."""
    data_dict = {} if data_dict is None else data_dict  # CKAN passes a dict; its type allows None
    from .. import tables
    user = context.get("user")
    if user and gate.is_provincial_reviewer(user):
        from ckan import model as ckan_model
        pkg = context.get("package") or ckan_model.Package.get(str(data_dict.get("id") or ""))
        if pkg is not None:
            pub = tables.publication(pkg.id)
            if pub is not None and pub["state"] in gate.OPEN_REQUEST:
                return {"success": True}
    return next_auth(context, data_dict)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def resource_show(next_auth: AuthFunction, context: Context, data_dict: DataDict | None) -> AuthResult:
    """A held dataset's data (its files, DataStore rows, search, SQL, dumps, previews: each
    asks ``resource_show``) is for its publishers and reviewers only: the organisation's
    editors and admins, provincial reviewers, sysadmins. Its plain members keep reading its
    metadata (CKAN's member rule), not the rows the scan is holding back (docs/safety.md)."""
    data_dict = {} if data_dict is None else data_dict
    result = next_auth(context, data_dict)
    if not result.get("success"):
        return result
    from ckan import model as ckan_model
    res = context.get("resource") or ckan_model.Resource.get(str(data_dict.get("id") or ""))
    pkg = getattr(res, "package", None) if res is not None else None
    if pkg is None or not pkg.private or gate.may_read_held_data(context.get("user"), pkg.owner_org):
        return result
    from ckanext.guangdong.metadata import openness
    if not openness.publication_holds(pkg):
        return result
    return {"success": False,
            "msg": tk._("This dataset is held for its safety check: only its publishers and reviewers may read its data")}
