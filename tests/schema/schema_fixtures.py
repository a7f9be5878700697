"""Fixtures for the schema and application tests (imported by their conftest.py files).

The tests share one database per run and never call ``clean_db`` (it drops every table and
takes seconds); each test makes its own organization and unique identifiers instead, so the
tests stay independent and fast. ``gd_plugins`` also makes sure the tables of the plugins that react to
dataset changes exist (a ``clean_db`` elsewhere in the session leaves only core tables).
"""
from __future__ import annotations

import os
from typing import Any, Iterator

import pytest

_PLUGINS_WITH_TABLES = ("activity", "harvest")


def _feature_migrations() -> list[str]:
    import ckanext.guangdong.migration as m
    folder = os.path.dirname(m.__file__)
    return sorted(d for d in os.listdir(folder) if d.startswith("guangdong_")
                  and os.path.isdir(os.path.join(folder, d, "versions")))


@pytest.fixture(scope="module")
def gd_plugins() -> Iterator[None]:
    """ckan.plugins from the test ini, loaded once per module (CKAN's ``with_plugins`` does the
    same per test and costs about two seconds each time), plugin tables migrated."""
    import ckan.plugins as p
    from ckan.cli.db import _run_migrations
    p.load_all()
    # every module: a clean_db in another test folder may have dropped these tables since
    for plugin in (*_PLUGINS_WITH_TABLES, *_feature_migrations()):
        _run_migrations(plugin)  # alembic "upgrade head": a no-op when already there
    yield
    p.unload_non_system_plugins()


@pytest.fixture
def gd(gd_plugins: None) -> None:
    """All configured plugins loaded, tables in place."""


@pytest.fixture(scope="module")
def gd_app(gd_plugins: None) -> Any:
    """One CKAN test client per module (CKAN's ``app`` fixture builds a new app per test)."""
    from ckan.lib.app_globals import _CONFIG_CACHE
    from ckan.tests.helpers import _get_test_app
    _CONFIG_CACHE.clear()
    return _get_test_app()
