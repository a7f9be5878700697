"""Changes that bypass CKAN's package hooks update the counters at once, not at the next
daily reconcile: dataset_purge, organization_purge, a direct package_owner_org_update,
ckanext-harvest's harvest_source_clear (tests/harvest/test_harvest_correctness.py).

All plugins of the test ini (a purge walks ckanext-harvest's tables too), the provincial schema,
and organizations of their own in the shared test database."""
from __future__ import annotations

import uuid
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from gd_testing import dataset_dict, make_org, make_sysadmin

pytestmark = pytest.mark.usefixtures("gd")


def count(scope: str) -> int:
    """Open datasets of a scope today, through a throw-away target of that scope."""
    admin = {"user": make_sysadmin()["name"]}
    target_id = f"t-{uuid.uuid4().hex[:12]}"
    tk.get_action("guangdong_target_save")(dict(admin), {
        "id": target_id, "title_zh": "测试", "scope": scope, "metric": "datasets",
        "deadline": "2030-12-31", "threshold": 1000})
    result = tk.get_action("guangdong_target_progress")({}, {"id": target_id})["targets"][0]["count"]
    tk.get_action("guangdong_target_delete")(dict(admin), {"id": target_id})
    return result


def _dataset(org: dict[str, Any]) -> dict[str, Any]:
    return tk.get_action("package_create")({"user": make_sysadmin()["name"]}, dataset_dict(org["id"]))


def test_purge_stops_counting_at_once() -> None:
    org = make_org()
    _kept, purged = _dataset(org), _dataset(org)  # the kept one stays counted
    assert count(f"organization:{org['name']}") == 2
    tk.get_action("dataset_purge")({"user": make_sysadmin()["name"]}, {"id": purged["id"]})
    assert count(f"organization:{org['name']}") == 1   # now, not after the reconcile
    from ckan import model
    from sqlalchemy import text
    events = model.Session.execute(text(
        "SELECT event, reason FROM guangdong_publication_event WHERE package_id = :id ORDER BY id"),
        {"id": purged["id"]}).fetchall()
    assert [tuple(e) for e in events] == [("published", "created"), ("withdrawn", "deleted")]


@pytest.mark.ckan_config("ckan.auth.create_unowned_dataset", "true")
def test_organization_purge_and_owner_change_move_the_counts_at_once() -> None:
    admin = {"user": make_sysadmin()["name"]}
    first, second = make_org(), make_org()
    moved, orphaned = _dataset(first), _dataset(first)
    assert count(f"organization:{first['name']}") == 2
    tk.get_action("package_owner_org_update")(dict(admin), {"id": moved["id"],
                                                            "organization_id": second["id"]})
    assert count(f"organization:{first['name']}") == 1
    assert count(f"organization:{second['name']}") == 1
    tk.get_action("organization_purge")(dict(admin), {"id": first["id"]})
    from ckan import model
    from sqlalchemy import text
    owner = model.Session.execute(text(
        "SELECT owner_org FROM guangdong_package_state WHERE package_id = :id"), {"id": orphaned["id"]}).scalar()
    assert owner is None  # the counters group it under no organization at once
