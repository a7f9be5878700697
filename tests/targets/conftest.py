"""Fixtures for the targets and events tests: a small catalog built through CKAN's actions.

The tests run with only our events and targets plugins and CKAN's default schema (extras carry
access_rights, identifier, theme, used_datasets exactly as scheming stores them), so they test
the recorder and the counters, not the provincial schema (tests/schema does that). Indexing
is off: nothing here searches, and counting must not depend on the search index.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import ckan.model as model
import pytest
from ckan.tests import factories, helpers
from freezegun import freeze_time
from gd_testing import make_sysadmin

PLUGINS = "guangdong_events guangdong_targets"


def at(day: str) -> Any:
    """Freeze time on ``day`` at 10:00 in Guangdong (02:00 UTC), so local and UTC dates agree."""
    return freeze_time(f"{day} 02:00:00")


class Catalog:
    """Builds organizations, datasets and applications through the package actions."""

    def __init__(self) -> None:
        self.extras: dict[str, dict[str, str]] = {}
        self.seq = 0

    def org(self, name: str, region_code: str, org_type: str) -> str:
        return factories.Organization(name=name, extras=[
            {"key": "region_code", "value": region_code}, {"key": "org_type", "value": org_type}])["id"]

    def _extras_list(self, pid: str) -> list[dict[str, str]]:
        return [{"key": k, "value": v} for k, v in self.extras[pid].items()]

    def dataset(self, org: str, access: str = "unconditional", identifier: str | None = None,
                private: bool = False, resources: int = 1, themes: list[str] | None = None,
                harvested: bool = False, fmt: str = "CSV", state: str | None = None) -> str:
        self.seq += 1
        extras = {"access_rights": access, "identifier": identifier or f"T{self.seq:04d}/0001",
                  "theme": json.dumps(themes or ["民生服务"], ensure_ascii=False), "frequency": "monthly"}
        if harvested:
            extras.update(harvest_source_id="src-1", harvest_remote_id=f"r{self.seq}")
        data: dict[str, Any] = {
            "name": f"ds-{self.seq}", "title": f"数据集 {self.seq}", "owner_org": org, "private": private,
            "extras": [{"key": k, "value": v} for k, v in extras.items()],
            "resources": [{"url": f"http://example.org/{self.seq}-{i}.csv", "format": fmt} for i in range(resources)],
        }
        if state:
            data["state"] = state
        pid = helpers.call_action("package_create", **data)["id"]
        self.extras[pid] = extras
        return pid

    def application(self, org: str, used: list[str], private: bool = False) -> str:
        self.seq += 1
        extras = {"used_datasets": json.dumps(used)}
        pid = helpers.call_action("package_create", name=f"app-{self.seq}", title=f"应用 {self.seq}",
                                  type="application", owner_org=org, private=private,
                                  extras=[{"key": k, "value": v} for k, v in extras.items()])["id"]
        self.extras[pid] = extras
        return pid

    def set_extra(self, pid: str, key: str, value: str) -> None:
        self.extras[pid][key] = value
        helpers.call_action("package_patch", id=pid, extras=self._extras_list(pid))

    def patch(self, pid: str, **changes: Any) -> None:
        helpers.call_action("package_patch", id=pid, **changes)

    def delete(self, pid: str) -> None:
        helpers.call_action("package_delete", id=pid)

    # Helpers for assertions (methods, so test modules import nothing from conftest).
    at = staticmethod(lambda day: at(day))
    progress = staticmethod(lambda as_of, target_id=None: progress(as_of, target_id))
    count = staticmethod(lambda as_of, scope="province", metric="datasets": count(as_of, scope, metric))
    events_of = staticmethod(lambda pid: events_of(pid))
    sysadmin_name = staticmethod(lambda: sysadmin_name())


@pytest.fixture
def gd_db(clean_db: None) -> Iterator[None]:
    """Empty database with the events and targets tables. clean_db drops every table the
    first time and afterwards only empties CKAN's own tables, so ours are emptied here."""
    from sqlalchemy import text

    from ckanext.guangdong.targets import db
    db.connection()
    model.Session.execute(text(
        "TRUNCATE guangdong_publication_event, guangdong_open_period, guangdong_open_period_value, guangdong_key_period, "
        "guangdong_package_state, guangdong_target, guangdong_target_audit, guangdong_targets_snapshot, guangdong_open_cube"))
    model.Session.commit()
    db.connection()  # reload config/targets.yaml into the emptied table
    model.Session.commit()
    yield


@pytest.fixture
def catalog(gd_db: None) -> Catalog:
    return Catalog()


def progress(as_of: str, target_id: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"as_of": as_of}
    if target_id:
        data["id"] = target_id
    return helpers.call_action("guangdong_target_progress", **data)


def count(as_of: str, scope: str = "province", metric: str = "datasets") -> int:
    """The count of the API for one scope/metric, via a throw-away target of that scope."""
    target_id = f"t-{scope.replace(':', '-')}-{metric}"
    helpers.call_action("guangdong_target_save", context={"user": sysadmin_name(), "ignore_auth": True},
                        id=target_id, title_zh="测试", scope=scope, metric=metric,
                        deadline="2030-12-31", threshold=1000)
    return progress(as_of, target_id)["targets"][0]["count"]


def sysadmin_name() -> str:
    user = model.Session.query(model.User).filter_by(sysadmin=True, state="active").first()
    return user.name if user else make_sysadmin()["name"]


def events_of(pid: str) -> list[tuple[str, str, dt.date]]:
    from sqlalchemy import text
    rows = model.Session.execute(text(
        "SELECT event, reason, occurred_at FROM guangdong_publication_event WHERE package_id = :id "
        "ORDER BY occurred_at, id"), {"id": pid})
    return [(r[0], r[1], r[2].date()) for r in rows]
