"""Fixtures for the search tests.

Like the schema tests, these never call ``clean_db`` (it drops every table and
takes seconds): each test makes its own organizations and unique names and
scopes its queries to them, so tests stay independent of one another and of
datasets other test folders leave in the shared database.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from gd_testing import make_sysadmin
from search_helpers import unique


@pytest.fixture(scope="module")
def gd_search(gd_plugins: None) -> None:
    """The plugins of the test ini loaded and their tables in place (tests/conftest.py)."""


@pytest.fixture
def make_org(gd_search: None) -> Callable[..., dict[str, Any]]:
    from ckan.tests import factories

    def make(**kwargs: Any) -> dict[str, Any]:
        return factories.Organization(name=unique("org"), **kwargs)
    return make


@pytest.fixture
def make_dataset(gd_search: None) -> Callable[..., dict[str, Any]]:
    """package_create through the real action with a complete provincial-schema dataset."""
    import ckan.plugins.toolkit as tk
    admin = make_sysadmin()

    def make(org: dict[str, Any], user: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": "dataset", "name": unique("ds"),
            "title": "广州市公交线路信息", "notes": "广州市公交线路、站点及运营时间。",
            "tag_string": "测试", "identifier": f"29000/{uuid.uuid4().int % 10**10:010d}",
            "owner_org": org["id"], "private": False,
            "publisher_name": "广东省交通运输厅", "publisher_id": "11440000006940081X",
            "theme": ["道路交通", "民生服务"], "access_rights": "unconditional",
            "frequency": "monthly", "issued": "2018-06-01", "modified": "2018-07-01",
            "spatial_coverage": "440100", "contact_name": "数据管理科",
            "contact_email": "opendata@gd.gov.cn", "contact_phone": "020-12345678",
            "record_count": 1200, "license_id": "cc-by",
            "resources": [{"url": "http://127.0.0.1/bus.csv", "name": "数据文件", "format": "CSV"}],
        }
        data.update(overrides)
        context = {"ignore_auth": True, "user": (user or admin)["name"]}
        return tk.get_action("package_create")(context, data)
    return make
