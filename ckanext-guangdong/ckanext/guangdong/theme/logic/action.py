"""Chained actions of the theme: previews only of files on this portal (theme/previews.py)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
    resource = data_dict.get("resource") or {}
    if not previews.resource_is_ours(resource):
        tk.check_access("resource_create_default_resource_views", context, data_dict)
        if not tk.asbool(data_dict.get("create_datastore_views")):
            return []
        # Views of the DataStore (the DataTables preview) read the portal's own copy of the
        # data, never the file's host: those are made for a link too (data feature, docs/data.md).
        from ckan.lib import datapreview
        names = [p.info()["name"] for p in datapreview.get_default_view_plugins(True)]
        package = data_dict.get("package") or tk.get_action("package_show")(
            context.copy(), {"id": resource["package_id"]})
        return datapreview.add_views_to_resource(context.copy(), resource, package, view_types=names,
                                                 create_datastore_views=True)
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
