"""Chained actions of the theme: previews only of files on this portal (theme/previews.py)."""
from __future__ import annotations

from typing import Any, Callable

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.guangdong.theme import previews

__all__ = ["resource_create_default_resource_views", "package_create_default_resource_views",
           "resource_view_create", "resource_view_update"]


def _elsewhere() -> str:
    return tk._("Previews show only files on this portal: this view would load a file from "
                "another site.")


@tk.chained_action
def resource_create_default_resource_views(next_action: Callable[..., Any], context: Context,
                                           data_dict: DataDict) -> Any:
    if not previews.resource_is_ours(data_dict.get("resource") or {}):
        tk.check_access("resource_create_default_resource_views", context, data_dict)
        return []
    return next_action(context, data_dict)


@tk.chained_action
def package_create_default_resource_views(next_action: Callable[..., Any], context: Context,
                                          data_dict: DataDict) -> Any:
    package = dict(data_dict.get("package") or {})
    package["resources"] = [r for r in package.get("resources") or [] if previews.resource_is_ours(r)]
    return next_action(context, {**data_dict, "package": package})


@tk.chained_action
def resource_view_create(next_action: Callable[..., Any], context: Context,
                         data_dict: DataDict) -> Any:
    """A view that would load a file from another site is refused, also when made by hand."""
    if data_dict.get("view_type") in previews.LOADING_VIEWS and data_dict.get("resource_id"):
        resource = tk.get_action("resource_show")(
            {**context, "ignore_auth": True}, {"id": data_dict["resource_id"]})
        if previews.view_loads_elsewhere(data_dict, resource):
            raise tk.ValidationError({"view_type": [_elsewhere()]})
    return next_action(context, data_dict)


@tk.chained_action
def resource_view_update(next_action: Callable[..., Any], context: Context,
                         data_dict: DataDict) -> Any:
    view = tk.get_action("resource_view_show")({**context, "ignore_auth": True}, {"id": data_dict.get("id")})
    if view.get("view_type") in previews.LOADING_VIEWS:
        resource = tk.get_action("resource_show")({**context, "ignore_auth": True},
                                                  {"id": view["resource_id"]})
        if previews.view_loads_elsewhere({**view, **data_dict, "view_type": view["view_type"]}, resource):
            raise tk.ValidationError({"view_type": [_elsewhere()]})
    return next_action(context, data_dict)
