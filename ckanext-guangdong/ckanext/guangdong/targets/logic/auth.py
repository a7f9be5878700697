"""Reading progress and statistics is public; changing targets and taking snapshots is for
sysadmins only (CKAN lets sysadmins through before these functions are asked)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["guangdong_target_progress", "guangdong_open_stats", "guangdong_target_list",
           "guangdong_targets_snapshot_show", "guangdong_target_save", "guangdong_target_delete",
           "guangdong_target_audit", "guangdong_targets_snapshot"]


@tk.auth_allow_anonymous_access
def guangdong_target_progress(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


@tk.auth_allow_anonymous_access
def guangdong_open_stats(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


@tk.auth_allow_anonymous_access
def guangdong_target_list(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


@tk.auth_allow_anonymous_access
def guangdong_targets_snapshot_show(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


def _sysadmin_only(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": False, "msg": tk._("Only sysadmins may change targets")}


guangdong_target_save = _sysadmin_only
guangdong_target_delete = _sysadmin_only
guangdong_target_audit = _sysadmin_only
guangdong_targets_snapshot = _sysadmin_only
