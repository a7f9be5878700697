"""Helpers shared by the search tests (a module of its own: every test folder has a conftest)."""
from __future__ import annotations

import uuid
from typing import Any


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def search(user: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
    """package_search as a given user (None: anonymous), permission labels applied."""
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    name = (user or {}).get("name")
    context = {"user": name or "", "auth_user_obj": model.User.get(name) if name else None}
    return tk.get_action("package_search")(context, params)
