"""DataStore writes as changes after review (issue 14, attack trial a10 M4).

A reviewed, public dataset's DataStore table is what anonymous readers get from
datastore_search, datastore_search_sql and the dumps. Rows written into it by an editor whose
publications need review (records of ``datastore_create``, any ``datastore_upsert``, any
``datastore_delete``, which ``datastore_records_delete`` calls) changed that published data
with nobody reading it: such a write is a material change, like a new file (gate.py
``material_change``). The dataset is held for a new review (private, publication request,
audit entry: one commit, ``gate.hold_for_rereview``) BEFORE the write, so no reader sees the
new rows while it is public; when the hold cannot be made the write is refused. The load job
and the site (``ignore_auth``), sysadmins, provincial reviewers and the organisation's admins
write without a new review, as they edit the dataset without one.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.guangdong.metadata import openness

from .. import gate, tables

log = logging.getLogger(__name__)

RESULT_KEY = "guangdong_safety_notice"  # what the API caller reads in the write's answer


def _flag(value: Any) -> bool:
    try:
        return tk.asbool(value)
    except ValueError:
        return False  # CKAN's validation refuses it (and the hold is undone)


def writes_rows(action: str, data_dict: Mapping[str, Any]) -> bool:
    """Whether the call changes a table's rows or columns (what readers get). A
    ``datastore_create`` with a new ``resource`` makes a resource: the dataset gate judges that
    (a file added); one that only declares fields (labels, an empty table) writes no rows."""
    if action == "datastore_delete":
        return True
    records = data_dict.get("records")
    has_records = isinstance(records, list) and bool(records)
    if action == "datastore_upsert":
        return has_records and not _flag(data_dict.get("dry_run"))
    if action == "datastore_create":
        return "resource" not in data_dict and (has_records or _flag(data_dict.get("delete_fields")))
    return False


def _writable(action: str, res: Any, data_dict: Mapping[str, Any]) -> bool:
    """What CKAN checks before it writes (a table to change; ``force`` for a file's table),
    so that a call it refuses anyway does not hold the dataset and take the hold back."""
    from ckanext.datastore.backend import DatastoreBackend
    from ckanext.datastore.helpers import datastore_rw_resource_url_types
    if not _flag(data_dict.get("force")) and res.url_type not in datastore_rw_resource_url_types():
        return False
    backend = DatastoreBackend.get_active_backend()
    return action == "datastore_create" or (backend is not None and backend.resource_exists(res.id))


def reviewed_public_dataset(action: str, context: Context, data_dict: DataDict) -> Any:
    """The public dataset this write changes after review, when its writer needs a review
    (checked for permission first: nobody else's call may hold a dataset); else None."""
    from ckan import model as ckan_model
    if context.get("ignore_auth") or not isinstance(data_dict, dict) or not writes_rows(action, data_dict):
        return None
    rid = data_dict.get("resource_id")
    res = ckan_model.Resource.get(rid) if isinstance(rid, str) and rid else None
    if res is None or res.state != "active" or not _writable(action, res, data_dict):
        return None  # CKAN refuses the call: nothing to hold for
    pkg = ckan_model.Package.get(res.package_id)
    if pkg is None or pkg.private or pkg.state != "active" or pkg.type not in ("", None, openness.DATASET_TYPE):
        return None  # a held dataset's table: read at its review as it is then
    if not gate.user_needs_review(context.get("user"), pkg.owner_org):
        return None
    tk.check_access(action, context, dict(data_dict))
    return pkg


def refused() -> tk.ValidationError:
    return tk.ValidationError({"resource_id": [tk._(
        "This change to a published table could not be held for review, so it was not written. "
        "To change the published data, replace the file (it is checked and reviewed again), "
        "or ask the organization's admin.")]})


def guard(up: Callable[..., Any], action: str, context: Context, data_dict: DataDict) -> Any:
    """``up`` (the DataStore action) with the hold for a new review first, when it is due."""
    from ckan import model as ckan_model

    from .action import _undo_hold
    pkg = reviewed_public_dataset(action, context, data_dict)
    if pkg is None:
        return up(context, data_dict)
    user = context.get("user")
    published = tables.publication(pkg.id)
    try:
        gate.hold_for_rereview(pkg.id, user, [gate.REVIEW], write=action,
                               resource_id=str(data_dict.get("resource_id")))
    except Exception:  # noqa: BLE001 (not held: nothing is written)
        log.exception("could not hold %s for review before a %s", pkg.id, action)
        ckan_model.Session.rollback()
        raise refused() from None
    try:
        result = up(context, data_dict)
    except Exception:
        _undo_hold(pkg.id, user, published)
        raise
    if isinstance(result, dict):
        result[RESULT_KEY] = tk._("Changed after review: this dataset is not public until a reviewer "
                                  "approves the change.")
    return result
