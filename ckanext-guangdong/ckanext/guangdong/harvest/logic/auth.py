"""Auth of the harvest feature's actions: as ckanext-harvest's own for the same data."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["guangdong_harvest_progress", "guangdong_harvest_error_report"]


@tk.auth_allow_anonymous_access
def guangdong_harvest_progress(context: Context, data_dict: DataDict) -> AuthResult:
    # Whoever may see the source may see how its harvest is going.
    return {"success": _can("harvest_source_show", context, {"id": data_dict["id"]})}


def guangdong_harvest_error_report(context: Context, data_dict: DataDict) -> AuthResult:
    # As ckanext-harvest's job report: those who may update the source.
    return {"success": _can("harvest_job_show", context, {"id": data_dict["id"]})}


def _can(name: str, context: Context, data: dict[str, Any]) -> bool:
    try:
        tk.check_access(name, dict(context), data)
        return True
    except tk.NotAuthorized:
        return False
