"""Honest counts, hints and suggestions (issue 15, new-user trial): words typed together
(参保登记) are soft-matched as the words they split into, the page never shows the embedded
engine's any-word fallback as full matches, a hint finds datasets that contain it, "did you
mean" for Chinese needs more than a similar sound, and as-you-type suggestions complete a
pinyin syllable still being typed. Engine-neutral: the same answers on both engines."""
from __future__ import annotations

import uuid
from typing import Any

import pytest
from gd_testing import make_sysadmin
from search_helpers import latin_word, unique

pytestmark = [pytest.mark.usefixtures("gd_search"), pytest.mark.search_engine_neutral]



@pytest.fixture(scope="module")
def catalog(gd_search: None) -> dict[str, Any]:
    import ckan.plugins.toolkit as tk
    from ckan.tests import factories
    from gd_testing import dataset_dict
    admin = make_sysadmin()
    org = factories.Organization(name=unique("honest"), title=f"诚实计数部门{uuid.uuid4().hex[:4]}")
    latin = latin_word()

    def make(title: str, tags: str = "诚实计数") -> dict[str, Any]:
        data = dataset_dict(org["id"], full=False, name=unique("honest"), title=title,
                            tag_string=tags, record_count=10,
                            resources=[{"url": "http://127.0.0.1/a.csv", "name": "文件", "format": "CSV"}])
        return tk.get_action("package_create")({"user": admin["name"], "ignore_auth": True}, data)
    made = {
        "both": make("参保登记统计表"),
        "first": make("参保人员名单"),
        "second": make("个体户登记信息"),
        "neither": make("无关数据"),
        "latin": make(f"拉丁词语 {latin}"),
        "she": make("社区卫生服务中心名录", tags="社区卫生,线路图示,公交站点"),
    }
    from ckanext.guangdong.search.logic import hints
    hints._vocab = None  # built from the catalog as it is now
    return {"org": org, "made": made, "latin": latin}


def search(**params: Any) -> dict[str, Any]:
    import ckan.plugins.toolkit as tk
    return tk.get_action("package_search")({"user": ""}, params)


def test_words_typed_together_are_soft_matched(catalog: dict[str, Any]) -> None:
    got = search(q="参保登记", fq=f'organization:{catalog["org"]["name"]}', rows=10,
                 guangdong_soft_match=True)
    soft = got["guangdong_soft_match"]
    assert (soft["words"], soft["all"], soft["partial"]) == (2, 1, 2)
    assert got["results"][0]["name"] == catalog["made"]["both"]["name"]
    assert catalog["made"]["neither"]["name"] not in {r["name"] for r in got["results"]}


@pytest.mark.parametrize("prefix,text", [
    ("", "0 个数据集包含“参保火星”的全部词语，另有 2 个包含部分词语或相关内容"),
    ("/en", "0 datasets contain all the words of “参保火星”; 2 more contain some of the words or related content"),
])
def test_page_never_passes_partial_matches_off_as_full(app: Any, catalog: dict[str, Any],
                                                       prefix: str, text: str) -> None:
    """参保火星 (no dataset has 火星): the embedded engine's fallback listed the 参保
    datasets under "查找到 2 个数据集"; Solr listed nothing."""
    page = app.get(f"{prefix}/dataset/", query_string={
        "q": "参保火星", "organization": catalog["org"]["name"]}).get_data(as_text=True)
    assert text in page
    assert page.index('id="gd-soft-partial"') < page.index(catalog["made"]["first"]["name"])


def test_page_query_with_operators_never_falls_back(app: Any, catalog: dict[str, Any]) -> None:
    """Soft matching does not take a query with an exclusion; the embedded engine's any-word
    fallback listed the datasets with 参保 alone as matches of 参保 火星 -无关."""
    page = app.get("/dataset/", query_string={"q": "参保 火星 -无关", "organization": catalog["org"]["name"]}
                   ).get_data(as_text=True)
    assert catalog["made"]["first"]["name"] not in page
    assert catalog["made"]["both"]["name"] not in page


def test_hint_searches_count_full_matches_only(catalog: dict[str, Any]) -> None:
    from ckanext.guangdong.search.logic import hints
    assert hints._finds(catalog["latin"]) >= 1
    assert hints._finds(f"{catalog['latin']} zqnosuchword") == 0
    assert hints._finds("参保火星") == 0


def test_did_you_mean_for_chinese_needs_more_than_a_similar_sound() -> None:
    from ckanext.guangdong.search.logic import hints
    vocab = {"日报": 5, "停车场": 3, "公共自行车": 2, "药房": 1}
    assert "日报" not in hints.close_words("医保", vocab)  # yibao ~ ribao, another initial
    assert "药房" not in hints.close_words("医保", vocab)
    assert hints.close_words("停车厂", vocab)[:1] == ["停车场"]  # a homophone
    assert hints.close_words("tingchechnag", vocab)[:1] == ["停车场"]  # a pinyin typo
    assert hints.close_words("gonggongzixingce", vocab)[:1] == ["公共自行车"]
    assert hints.sounds_alike("停车厂", "停车场")
    assert not hints.sounds_alike("医保", "日报")


def suggest(q: str) -> list[dict[str, str]]:
    import ckan.plugins.toolkit as tk
    return tk.get_action("guangdong_search_suggest")({"user": ""}, {"q": q, "rows": 20})["suggestions"]


@pytest.mark.parametrize("typed", ["canb", "canba"])
def test_suggestions_complete_the_last_pinyin_syllable(catalog: dict[str, Any], typed: str) -> None:
    """canb(ao) → 参保; the full pinyin canbao finds it already."""
    assert any("参保" in s["text"] for s in suggest("canbao"))
    got = suggest(typed)
    assert any("参保" in s["text"] for s in got), got


def test_one_character_suggests_only_what_contains_it(catalog: dict[str, Any]) -> None:
    got = suggest("社")
    assert got and all("社" in s["text"] for s in got), got
    assert "线路图示" not in {s["text"] for s in got}
