"""Search that understands what people mean (search/meaning/): the extra index words a
dataset gets, and that package_search finds datasets by them on either backend."""
from __future__ import annotations

import uuid
from typing import Any

import pytest

from ckanext.guangdong.search.meaning import enrich, pinyin, places, thesaurus, variants

pytestmark = [pytest.mark.search_engine_neutral]


def test_thesaurus_terms_imply_each_other_and_related_words_imply_terms() -> None:
    assert "社保" in thesaurus.expansions("社会保险参保人数")
    assert "社会保险" in thesaurus.expansions("社保卡")
    assert "天气" in thesaurus.expansions("台风路径")      # related → terms
    assert "台风" not in thesaurus.expansions("天气预报")  # not terms → related
    assert "metro" not in thesaurus.expansions("metropolitan area")  # whole Latin words only
    assert thesaurus.expansions("无关的文字") == []


def test_every_thesaurus_group_has_two_words() -> None:
    assert len(thesaurus.groups()) >= 50
    for terms, related in thesaurus.groups():
        assert len(terms) + len(related) >= 2, terms


def test_places_city_districts_and_province() -> None:
    gz = places.names_for("440100", True)
    assert {"广州市", "广州", "天河区", "天河"} <= set(gz)
    wide = places.names_for("440000", True)
    assert {"江门", "惠州市", "南山区"} <= set(wide)
    assert places.names_for("440000", False) == ()
    assert places.names_for("999999", True) == ()
    assert places.short("城区") == "城区" and places.short("天河区") == "天河"


def test_every_city_has_a_district_entry() -> None:
    assert set(places.cities()) == set(places.districts())


def test_latin_variants() -> None:
    assert "email" in variants.variants("e-mail 地址")
    assert {"covid19"} <= set(variants.variants("covid-19 通报"))
    assert "covid-19" in variants.variants("covid19 通报")
    assert variants.variants("pm2.5 浓度") == []  # decimals stay as they are


def test_pinyin_full_syllables_initials() -> None:
    assert pinyin.word_pinyin("停车场") == ("tingchechang", "ting", "che", "chang", "tcc")
    assert "yey" in pinyin.text_pinyin("广州市幼儿园办学信息")


def test_enrich_fills_the_two_fields() -> None:
    d = enrich.enrich({"title": "江门市天气实况", "tags": ["天气"], "region_code": "440700"})
    words, region = d[enrich.MEANING]
    assert "气象" in words and "蓬江区" in region
    assert "tianqi" in d[enrich.PINYIN]
    assert enrich.MEANING not in enrich.enrich({"title": "abc"})


# -- through package_search, on whichever backend the test ini selects --------------

@pytest.fixture(scope="module")
def catalog(gd_search: None) -> dict[str, Any]:
    import ckan.model as model
    from ckan.lib.search import index_for
    org = f"meaning-{uuid.uuid4().hex[:8]}"
    rows = [("own", "江门市天气实况", "440700", ["天气"]),
            ("wide", "台风路径实时数据", "440000", ["台风"]),
            ("other", "佛山市公交线路", "440600", ["公交"]),
            ("park", "广州市公共停车场信息", "440100", ["停车"]),
            ("gzbus", "广州市公交线路", "440100", ["公交"])]
    index = index_for(model.Package)
    for i, (name, title, region, tags) in enumerate(rows):
        index.index_package({
            "id": str(uuid.uuid4()), "name": f"{org}-{name}", "title": title, "notes": "",
            "type": "dataset", "state": "active", "private": False, "owner_org": org,
            "organization": {"name": org, "title": "测试机构"}, "tags": [{"name": t} for t in tags],
            "groups": [], "extras": [], "spatial_coverage": region, "region_code": region,
            "metadata_created": "2024-01-01T00:00:00", "metadata_modified": f"2024-01-01T00:00:0{i}",
            "resources": []}, defer_commit=True)
    index.commit()
    return {"org": org}


def _names(org: str, q: str) -> list[str]:
    import ckan.plugins.toolkit as tk
    result = tk.get_action("package_search")({"ignore_auth": True},
                                             {"q": q, "fq": f"organization:{org}", "rows": 10})
    return [r["name"].split("-", 2)[-1] for r in result["results"]]


def test_city_query_finds_its_own_then_province_wide_data(catalog: dict[str, Any]) -> None:
    assert _names(catalog["org"], "江门 天气") == ["own", "wide"]


def test_district_finds_its_city(catalog: dict[str, Any]) -> None:
    # Without the place words only the OR fallback answers, with 佛山's buses too.
    assert _names(catalog["org"], "天河 公交") == ["gzbus"]


def test_pinyin_and_initials(catalog: dict[str, Any]) -> None:
    for q in ("tingchechang", "ting che chang", "tcc", "TingCheChang"):
        assert _names(catalog["org"], q) == ["park"], q


def test_thesaurus_word_finds_related_data(catalog: dict[str, Any]) -> None:
    assert sorted(_names(catalog["org"], "气象")) == ["own", "wide"]
