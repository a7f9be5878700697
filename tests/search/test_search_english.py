"""English words on /en find the Chinese catalog through the thesaurus's English terms
(schemas/vocab/thesaurus.yaml; issue 15): multi-word terms match as a whole on both
engines, short words stay whole words, and Chinese queries keep Chinese hints."""
from __future__ import annotations

import uuid
from typing import Any

import pytest
from search_helpers import index_documents

from ckanext.guangdong.search.meaning import thesaurus

pytestmark = [pytest.mark.search_engine_neutral]


def test_chinese_text_implies_english_terms() -> None:
    assert "population" in thesaurus.expansions("常住人口统计数据")
    assert "air quality" in thesaurus.expansions("空气质量监测数据")
    assert {"social security", "social insurance"} <= set(thesaurus.expansions("社会保险参保人数"))
    assert "hospital" in thesaurus.expansions("医疗机构名录")
    # An English text implies the Chinese terms too (an English title harvested some day).
    assert "医院" in thesaurus.expansions("hospital list")


def test_chinese_hints_stay_chinese() -> None:
    from ckanext.guangdong.search.logic import hints
    related = hints._related("医保卡")
    assert "医疗保险" in related
    assert all(any("\u4e00" <= c <= "\u9fff" for c in t) for t in related), related
    assert "税收" in hints._related("tax")
    assert "税收" not in hints._related("taxi")  # Latin terms are whole words


@pytest.fixture(scope="module")
def catalog(gd_search: None) -> dict[str, Any]:
    org = f"english-{uuid.uuid4().hex[:8]}"
    # Names without English words (the name is indexed too).
    rows = [("d1", "广州市空气质量监测数据", "各监测站点PM2.5小时数据。", ["空气质量"]),
            ("d2", "饮用水源地水质", "集中式饮用水水源地水质监测结果。", ["水质"]),
            ("d3", "社会保险参保人数统计", "养老、失业保险参保人数。", ["统计"]),
            ("d4", "企业登记注册信息", "新登记企业的统一社会信用代码。", ["登记"]),
            ("d5", "出租汽车企业名录", "出租汽车经营企业名称。", ["出租车"]),
            ("d6", "税收收入统计", "全省税收收入月度统计。", ["财政"]),
            ("d7", "机场航班信息", "白云机场航班起降时刻。", ["航班"]),
            ("d8", "常住人口统计数据", "常住人口数量及人口结构。", ["人口"])]
    index_documents([{
            "id": str(uuid.uuid4()), "name": f"{org}-{name}", "title": title, "notes": notes,
            "type": "dataset", "state": "active", "private": False, "owner_org": org,
            "organization": {"name": org, "title": "测试机构"}, "tags": [{"name": t} for t in tags],
            "groups": [], "extras": [], "region_code": "440100",
            "metadata_created": "2024-01-01T00:00:00", "metadata_modified": f"2024-01-01T00:00:0{i}",
            "resources": []} for i, (name, title, notes, tags) in enumerate(rows)])
    return {"org": org}


def _names(org: str, q: str) -> list[str]:
    import ckan.plugins.toolkit as tk
    result = tk.get_action("package_search")({"ignore_auth": True},
                                             {"q": q, "fq": f"organization:{org}", "rows": 10})
    return [r["name"].split("-", 2)[-1] for r in result["results"]]


@pytest.mark.parametrize("q,expected", [
    ("air quality", ["d1"]),       # not d2's water quality (quality alone)
    ("Air Quality", ["d1"]),
    ("social security", ["d3"]),   # not d4's unified social credit code
    ("population", ["d8"]),
    ("tax", ["d6"]),               # not d5's taxi
    ("air", ["d1"]),               # not d7's airport
    ("airport", ["d7"]),
])
def test_english_words_find_chinese_datasets(catalog: dict[str, Any], q: str, expected: list[str]) -> None:
    assert _names(catalog["org"], q) == expected


def test_chinese_query_ranks_exact_words_first(catalog: dict[str, Any]) -> None:
    # 统计 is in three titles; the English terms of the others do not reorder them.
    names = _names(catalog["org"], "统计")
    assert sorted(names) == ["d3", "d6", "d8"]
