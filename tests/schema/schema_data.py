"""Test data for the schema and application tests (importable: tests/schema is on sys.path)."""
from __future__ import annotations

import uuid
from typing import Any

from gd_testing import make_sysadmin, make_user  # noqa: F401 (re-exported for the tests here)


def unique_identifier(prefix: str = "29000") -> str:
    return f"{prefix}/{uuid.uuid4().int % 10**10:010d}"


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
        "theme": ["道路交通", "民生服务"],
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


def _uid() -> str:
    return uuid.uuid4().hex[:10]


def make_org(**kwargs: Any) -> dict[str, Any]:
    from ckan.tests import factories
    kwargs.setdefault("name", f"org-{_uid()}")
    return factories.Organization(**kwargs)
