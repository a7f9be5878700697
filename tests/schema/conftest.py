"""Fixtures for the schema tests.

The tests share one database per run and never call ``clean_db`` (it drops every table and
takes seconds); each test makes its own organization and unique identifiers instead, so the
tests stay independent and fast. ``schema_db`` makes sure the tables of the plugins that react to
dataset changes exist (a ``clean_db`` elsewhere in the session leaves only core tables).
"""
from __future__ import annotations

import os
import uuid
from typing import Any, Callable

import pytest

_PLUGINS_WITH_TABLES = ("activity", "harvest")


def _feature_migrations() -> list[str]:
    import ckanext.guangdong.migration as m
    folder = os.path.dirname(m.__file__)
    return sorted(d for d in os.listdir(folder) if d.startswith("guangdong_")
                  and os.path.isdir(os.path.join(folder, d, "versions")))


_migrated: list[bool] = []


@pytest.fixture
def schema_db(with_plugins: None) -> None:
    """Once per session, after the plugins are loaded (CKAN finds migrations through them)."""
    from ckan.cli.db import _run_migrations
    if _migrated:
        return
    _migrated.append(True)
    for plugin in (*_PLUGINS_WITH_TABLES, *_feature_migrations()):
        _run_migrations(plugin)  # alembic "upgrade head": a no-op when already there


@pytest.fixture
def gd(with_plugins: None, schema_db: None) -> None:
    """All configured plugins loaded, tables in place."""


def unique_identifier(prefix: str = "29000") -> str:
    return f"{prefix}/{uuid.uuid4().int % 10**10:010d}"


@pytest.fixture
def make_org() -> Callable[..., dict[str, Any]]:
    from ckan.tests import factories

    def make(**kwargs: Any) -> dict[str, Any]:
        return factories.Organization(**kwargs)
    return make


def dataset_dict(org_id: str, **overrides: Any) -> dict[str, Any]:
    """A complete, valid dataset of the provincial schema."""
    data: dict[str, Any] = {
        "type": "dataset",
        "title": "广州市公交线路信息",
        "notes": "广州市公交线路、站点及运营时间。",
        "tag_string": "交通,公交",
        "identifier": unique_identifier(),
        "owner_org": org_id,
        "private": False,
        "publisher_name": "广东省交通运输厅",
        "publisher_id": "11440000006940081X",
        "theme": ["民生服务", "道路交通"],
        "access_rights": "unconditional",
        "frequency": "monthly",
        "issued": "2018-06-01",
        "modified": "2018-07-01",
        "spatial_coverage": "440100",
        "temporal_start": "2017-01-01",
        "temporal_end": "2017-12-31",
        "contact_name": "数据管理科",
        "contact_email": "opendata@gd.gov.cn",
        "contact_phone": "020-12345678",
        "record_count": 1200,
        "license_id": "cc-by",
        "data_items": [
            {"name": "线路名称", "type": "string", "description": "公交线路的名称"},
            {"name": "站点数", "type": "integer", "description": "线路经过的站点数"},
        ],
        "share_type": "conditional_share",
        "data_level": "level2",
        "deidentified": "true",
        "resources": [{"url": "http://127.0.0.1/bus.csv", "name": "公交线路", "format": "csv",
                       "size": 2048, "issued": "2018-06-01", "modified": "2018-07-01"}],
    }
    data.update(overrides)
    return data
