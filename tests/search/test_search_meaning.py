"""Search that understands what people mean (search/meaning/): the extra index words a
dataset gets, and that package_search finds datasets by them on either backend."""
from __future__ import annotations

import random
import uuid
from typing import Any

import pytest
from search_helpers import index_documents

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
    assert pinyin.word_pinyin("停车场") == ("tingchechang", "ting", "che", "chang", "tcc",
                                           "tingche", "chechang")
    assert pinyin.word_pinyin("交通") == ("jiaotong", "jiao", "tong", "jt")
    joined, short = pinyin.text_pinyin("广州市交通运输局")
    assert "jiaotong" in joined and "jiaotongyunshu" in joined  # inside a longer word too
    assert {"jiao", "tong", "jtys"} <= set(short) and "ju" not in joined + short
    assert pinyin.text_pinyin("局") == ((), ())  # one-character words: no "ju" for short Latin queries
    assert "yey" in pinyin.text_pinyin("广州市幼儿园办学信息")[1]


def test_enrich_fills_the_two_fields() -> None:
    d = enrich.enrich({"title": "江门市天气实况", "tags": ["天气"], "region_code": "440700"})
    *words, region = d[enrich.MEANING]
    assert "气象" in words and "蓬江区" in region  # one value per word, the places last
    assert "tianqi" in d[enrich.PINYIN].split()
    assert enrich.MEANING not in enrich.enrich({"title": "abc"})


# -- through package_search, on whichever backend the test ini selects --------------

def _index(rows: list[tuple[Any, ...]]) -> str:
    """Index rows (name, title, region, tags[, theme, organization title]) straight through
    CKAN's index_package, under an organization of their own; returns its name."""
    org = f"meaning-{uuid.uuid4().hex[:8]}"
    pkgs = []
    for i, (name, title, region, tags, *more) in enumerate(rows):
        theme = more[0] if more else []
        org_title = more[1] if len(more) > 1 else "测试机构"
        pkgs.append({
            "id": str(uuid.uuid4()), "name": f"{org}-{name}", "title": title, "notes": "",
            "type": "dataset", "state": "active", "private": False, "owner_org": org,
            "organization": {"name": org, "title": org_title}, "organization_title": org_title,
            "tags": [{"name": t} for t in tags], "theme": theme,
            "groups": [], "extras": [], "region_code": region,
            "metadata_created": "2024-01-01T00:00:00", "metadata_modified": f"2024-01-01T00:00:{i:02d}",
            "resources": []})
    index_documents(pkgs)
    return org


@pytest.fixture(scope="module")
def catalog(gd_search: None) -> dict[str, Any]:
    return {"org": _index([("own", "江门市天气实况", "440700", ["天气"]),
                           ("wide", "台风路径实时数据", "440000", ["台风"]),
                           ("other", "佛山市公交线路", "440600", ["公交"]),
                           ("park", "广州市公共停车场信息", "440100", ["停车"]),
                           ("gzbus", "广州市公交线路", "440100", ["公交"])])}


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


def test_a_phrase_stays_inside_one_meaning_word(catalog: dict[str, Any]) -> None:
    # 公交's thesaurus words are bus, buses, public transport (...): one index value each, so
    # a phrase does not run from one into the next (nor, on Solr, do the stems of neighbours
    # make one: bus buses).
    assert sorted(_names(catalog["org"], '"public transport"')) == ["gzbus", "other"]
    for phrase in ('"buses public"', '"bus buses"', '"bus bus"'):
        assert _names(catalog["org"], phrase) == [], phrase


# -- unsegmented Chinese (search/meaning/query.py) ------------------------------------

def test_unsegmented_chinese_finds_what_the_spaced_words_find(catalog: dict[str, Any]) -> None:
    # Solr: 广州公交 was one phrase of its bigrams (广州 州公 公交) and found nothing.
    for q in ("广州公交", "广州公交线路", "廣州公交", "天河公交", "广州 公交"):
        assert _names(catalog["org"], q) == ["gzbus"], q
    # A split word's parts are all required, as the word was: not 佛山's or 广州's buses alone.
    assert _names(catalog["org"], "佛山公交线路") == ["other"]


def test_query_segmentation_keeps_syntax_and_ckan_mm() -> None:
    from ckanext.guangdong.search.meaning import query
    assert query.segment_q("广州公交") == ("广州 公交", "2")
    assert query.segment_q("市场监督管理局") == ("市场 监督 管理局", "3")  # all three, as one word
    assert query.segment_q("广州公交 线路 信息") == ("广州 公交 线路 信息", "3")  # one may miss
    assert query.segment_q("广州 公交") == ("广州 公交", None)
    assert query.segment_q('"广州公交" -深圳公交') == ('"广州公交" -深圳公交', None)
    assert query.segment_q("交通 OR 广州公交") == ("交通 OR 广州 公交", None)
    params = query.before_search({"q": "title:广州公交"})
    assert params == {"q": "title:广州公交"}  # a Lucene query is the caller's
    assert query.before_search({"q": "广州公交", "mm": "1"}) == {"q": "广州 公交", "mm": "1"}


# -- pinyin of titles, tags, organizations and themes -----------------------------------

@pytest.fixture(scope="module")
def spoken(gd_search: None) -> dict[str, Any]:
    return {"org": _index([
        ("lot", "南山区公共停车场泊位", "440300", ["泊位"], ["城建住房"], "深圳市交通运输局"),
        ("taxi", "出租汽车企业名录", "440100", ["出租车"], ["民生服务"], "广州市交通运输局"),
        ("road", "货运车辆登记", "440100", ["货运"], ["道路交通"]),
        ("metro", "地铁客流", "440100", ["交通"], ["民生服务"]),
        ("jam", "交通拥堵指数", "440100", ["拥堵"], ["民生服务"]),
        ("school", "幼儿园名录", "440100", ["学位"], ["教育科技"], "广州市教育局"),
        ("ai", "AI企业名录", "440100", ["AI"], ["经济建设"]),
        ("love", "爱心驿站分布", "440100", ["驿站"], ["民生服务"]),
    ])}


def test_pinyin_finds_what_the_chinese_word_finds(spoken: dict[str, Any]) -> None:
    org = spoken["org"]
    wanted = {"lot", "taxi", "road", "metro", "jam"}  # 交通 in an organization, theme, tag, title
    assert set(_names(org, "jiaotong")) == wanted
    assert wanted <= set(_names(org, "交通"))
    # Whole syllables of a longer word (停车 in 停车场), joined or spaced.
    for q in ("tingche", "ting che", "TingChe", "tingchechang", "tcc"):
        assert _names(org, q) == ["lot"], q
    assert _names(org, "停车") == ["lot"]


def test_pinyin_ranks_below_real_words(spoken: dict[str, Any]) -> None:
    org = spoken["org"]
    # "ai" is 爱's pinyin too: the dataset that says AI comes first.
    assert _names(org, "ai")[0] == "ai"
    # The title that has the word ranks above those found by pinyin only... and the
    # Chinese query is not changed by the pinyin words.
    assert _names(org, "交通")[0] == "jam"
    spoken = enrich.enrich({"title": "交通运输局", "organization_title": "广州市教育局",
                            "theme": '["道路交通"]', "tags": ["公交"]})
    assert spoken[enrich.PINYIN].split() == ["jiaotongyunshu", "jiaotong", "jiaotongyun", "tongyun",
                                             "tongyunshu", "yunshu", "gongjiao"]
    low = spoken[enrich.PINYIN_LOW].split()
    # Syllables (ju of 教育局) and the organization's and themes' pinyin: the lowest field.
    assert {"jtys", "gj", "jiao", "ju", "jiaoyu", "daolujiaotong"} <= set(low)


def test_home_box_suggests_by_partial_pinyin(make_org: Any, make_dataset: Any) -> None:
    import ckan.plugins.toolkit as tk
    # Letters only: Solr's English fields split a letter-digit mix (9b1b → 9, b, 1, b), and
    # other tests' random words would then find this dataset.
    title = "南山区公共停车场泊位" + "".join(random.choice("klmnpqrstvwxz") for _ in range(8))
    make_dataset(make_org(), title=title)
    found = tk.get_action("guangdong_search_suggest")({"user": ""}, {"q": "tingche", "rows": 20})
    assert title in [s["text"] for s in found["suggestions"]]


def test_region_comes_from_region_code_only() -> None:
    # spatial_coverage was renamed region_code (migrated and aliased on input): the old key,
    # or ckanext-dcat's structured field of that name, gives no place words.
    assert enrich.MEANING not in enrich.enrich({"title": "abc", "spatial_coverage": "440700"})
    assert "蓬江区" in enrich.enrich({"title": "abc", "region_code": "440700"})[enrich.MEANING][-1]
