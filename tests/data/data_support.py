"""Helpers of the data tests (a module of its own: every test folder has a conftest, and
``from conftest import`` would find whichever folder's was imported first)."""
from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

from gd_testing import dataset_dict, make_user  # noqa: F401 (make_user re-exported)

MAX_BYTES = 300_000
MAX_ROWS = 2_000


def sysadmin_context() -> dict[str, Any]:
    from ckan.tests import helpers
    site = helpers.call_action("get_site_user")
    return {"user": site["name"], "ignore_auth": True}


def dataset(org_id: str, resources: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    """A valid dataset of the provincial schema, created through package_create."""
    from ckan.tests import helpers
    data = dataset_dict(
        org_id, full=False, name=f"ds-{uuid.uuid4().hex[:12]}", title="广州市各区人口",
        notes="各区常住人口。", publisher_name="广州市统计局", theme=["民生服务"],
        issued="2024-03-01", modified="2024-03-10", contact_name="数据科",
        contact_email="opendata@gz.gov.cn", share_type="conditional_share", data_level="level2",
        deidentified="true", resources=resources)
    data.update(overrides)
    return helpers.call_action("package_create", sysadmin_context(), **data)


def utcnow() -> dt.datetime:
    return dt.datetime.utcnow()


def wait_for_load(resource_id: str, since: dt.datetime, timeout: float = 90) -> dict[str, Any]:
    """The load report once the worker has finished a load that started after ``since``."""
    from ckan import model

    from ckanext.guangdong.data import tables as data_tables
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        model.Session.remove()
        report = data_tables.get(resource_id)
        if report and report["state"] in ("complete", "error") and report["started"] \
                and report["started"] >= since:
            model.Session.remove()
            return report
        time.sleep(0.2)
    raise AssertionError(f"no finished load of {resource_id} within {timeout} s: {report!r}")


def search(resource_id: str, user: str | None = None, **params: Any) -> dict[str, Any]:
    from ckan.tests import helpers
    context = sysadmin_context() if user is None else {"user": user, "ignore_auth": False}
    return helpers.call_action("datastore_search", context, resource_id=resource_id, **params)


def records(resource_id: str) -> list[dict[str, Any]]:
    result = search(resource_id, limit=1000, sort="_id")
    return [{k: v for k, v in r.items() if k != "_id"} for r in result["records"]]


def field_types(resource_id: str) -> dict[str, str]:
    result = search(resource_id, limit=0)
    return {f["id"]: f["type"] for f in result["fields"] if f["id"] != "_id"}


def no_table(resource_id: str) -> bool:
    import ckan.plugins.toolkit as tk
    from ckan.tests import helpers
    try:
        helpers.call_action("datastore_info", sysadmin_context(), id=resource_id)
    except tk.ObjectNotFound:
        return True
    return False

