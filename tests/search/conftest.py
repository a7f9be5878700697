"""Fixtures for the search tests.

Like the schema tests, these never call ``clean_db`` (it drops every table and
takes seconds): each test makes its own organizations and unique names and
scopes its queries to them, so tests stay independent of one another and of
datasets other test folders leave in the shared database.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from gd_testing import dataset_dict, make_sysadmin
from search_helpers import remove_indexed_documents, unique


@pytest.fixture(scope="module")
def gd_search(gd_plugins: None) -> Iterator[None]:
    """The plugins of the test ini loaded and their tables in place (tests/conftest.py); after
    the module, documents it indexed without datasets are removed from the index."""
    yield
    remove_indexed_documents()


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
        data = dataset_dict(org["id"], full=False, name=unique("ds"), tag_string="测试", record_count=1200,
                            resources=[{"url": "http://127.0.0.1/bus.csv", "name": "数据文件", "format": "CSV"}])
        data.update(overrides)
        context = {"ignore_auth": True, "user": (user or admin)["name"]}
        return tk.get_action("package_create")(context, data)
    return make
