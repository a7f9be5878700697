"""Organization bulk actions (make public / private, delete) bypass the package hooks, so
they are chained here to record the openness changes of the datasets they touched."""
from __future__ import annotations

from typing import Any, Callable

import ckan.model as model
import ckan.plugins.toolkit as tk

__all__ = ["bulk_update_private", "bulk_update_public", "bulk_update_delete"]


def _after_bulk(data_dict: dict[str, Any]) -> None:
    from ckanext.guangdong.events import backfill, plugin
    ids = [str(i) for i in data_dict.get("datasets") or []]
    if ids:
        backfill.reconcile(plugin.connection(), plugin.utcnow(), package_ids=ids)
        model.repo.commit()


@tk.chained_action
def bulk_update_private(up: Callable[..., Any], context: Any, data_dict: dict[str, Any]) -> Any:
    result = up(context, data_dict)
    _after_bulk(data_dict)
    return result


@tk.chained_action
def bulk_update_public(up: Callable[..., Any], context: Any, data_dict: dict[str, Any]) -> Any:
    result = up(context, data_dict)
    _after_bulk(data_dict)
    return result


@tk.chained_action
def bulk_update_delete(up: Callable[..., Any], context: Any, data_dict: dict[str, Any]) -> Any:
    result = up(context, data_dict)
    _after_bulk(data_dict)
    return result
