"""The site user the harvest writes as (as ckanext-harvest does), and its context."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context

_site_user: list[str] = []


def site_context() -> Context:
    """Context of the site user (the harvest runs as the site, like ckanext-harvest)."""
    if not _site_user or not model.Session.query(model.User.id).filter(
            model.User.name == _site_user[0]).first():
        # (get_site_user creates the user when missing, e.g. after a database reset)
        _site_user[:] = [tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]]
    return {"user": _site_user[0], "ignore_auth": True, "model": model, "session": model.Session}
