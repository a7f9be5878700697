"""Actions that change datasets without CKAN's package hooks are chained here, so the
counters follow them at once instead of at the next daily reconcile: the organization bulk
actions (make public / private, delete), dataset_purge, organization_purge (its datasets lose
their owner), a direct package_owner_org_update, and ckanext-harvest's harvest_source_clear
(which deletes a source's datasets with SQL)."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

__all__ = ["bulk_update_private", "bulk_update_public", "bulk_update_delete", "dataset_purge",
           "organization_purge", "package_owner_org_update", "harvest_source_clear"]
# registered only where that plugin is loaded (ckanext/guangdong/registration.py)
CHAINED_IF_LOADED = {"harvest_source_clear": "harvest"}


def _after_bulk(data_dict: DataDict) -> None:
    from ckanext.guangdong.events import backfill, service
    ids = [str(i) for i in data_dict.get("datasets") or []]
    if ids:
        backfill.reconcile(service.connection(), service.utcnow(), package_ids=ids)
        model.repo.commit()


@tk.chained_action
def bulk_update_private(up: Action, context: Context, data_dict: DataDict) -> Any:
    result = up(context, data_dict)
    _after_bulk(data_dict)
    return result


@tk.chained_action
def bulk_update_public(up: Action, context: Context, data_dict: DataDict) -> Any:
    result = up(context, data_dict)
    _after_bulk(data_dict)
    return result


@tk.chained_action
def bulk_update_delete(up: Action, context: Context, data_dict: DataDict) -> Any:
    result = up(context, data_dict)
    _after_bulk(data_dict)
    return result


def _reconcile(ids: list[str]) -> None:
    from ckanext.guangdong.events import backfill, service
    if ids:
        backfill.reconcile(service.connection(), service.utcnow(), package_ids=ids)
        model.repo.commit()


@tk.chained_action
def dataset_purge(up: Action, context: Context, data_dict: DataDict) -> Any:
    """The withdrawal is recorded in the purge's own transaction, before the rows go."""
    ref = data_dict.get("id")
    pkg = model.Package.get(ref) if isinstance(ref, str) else None
    if pkg is None:
        return up(context, data_dict)  # CKAN's own "not found"
    tk.check_access("dataset_purge", context, data_dict)
    from ckanext.guangdong.events import recorder, service
    recorder.record_deleted(service.connection(), pkg.id, service.utcnow())
    try:
        return up(context, data_dict)
    except Exception:
        model.Session.rollback()
        raise


@tk.chained_action
def organization_purge(up: Action, context: Context, data_dict: DataDict) -> Any:
    ref = data_dict.get("id")
    group = model.Group.get(ref) if isinstance(ref, str) else None
    ids = [pid for (pid,) in model.Session.query(model.Package.id)
           .filter(model.Package.owner_org == group.id)] if group is not None else []
    result = up(context, data_dict)
    _reconcile(ids)
    return result


@tk.chained_action
def package_owner_org_update(up: Action, context: Context, data_dict: DataDict) -> Any:
    result = up(context, data_dict)
    if not context.get("defer_commit"):  # inside package_create/update their hooks record it
        pkg = model.Package.get(data_dict.get("id")) if isinstance(data_dict.get("id"), str) else None
        _reconcile([pkg.id] if pkg is not None else [])
    return result


@tk.chained_action
def harvest_source_clear(up: Action, context: Context, data_dict: DataDict) -> Any:
    from ckanext.harvest.model import HarvestObject, HarvestSource
    ref = data_dict.get("id")
    source = HarvestSource.get(ref) if isinstance(ref, str) else None
    ids = sorted({pid for (pid,) in model.Session.query(HarvestObject.package_id)
                  .filter(HarvestObject.harvest_source_id == source.id,
                          HarvestObject.package_id.isnot(None))}) if source is not None else []
    result = up(context, data_dict)
    _reconcile(ids)
    return result
