"""Soft matching (all words first, then most words, both counts on the page), "did you
mean" and hints for an empty result, and suggestions in /dataset's own search box
(search/logic/soft.py, hints.py, search/templates/). Engine-neutral: the same answers on
the embedded backend and on Solr."""
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
    a, b, c = latin_word(), latin_word(), latin_word()
    tag = latin_word()
    org = factories.Organization(name=unique("soft"), title=f"软匹配部门{uuid.uuid4().hex[:4]}")

    def make(title: str, **extra: Any) -> dict[str, Any]:
        data = dataset_dict(org["id"], full=False, name=unique("soft"), title=title,
                            tag_string=extra.pop("tags", "软匹配"), record_count=10,
                            resources=[{"url": "http://127.0.0.1/a.csv", "name": "文件", "format": "CSV"}])
        data.update(extra)
        return tk.get_action("package_create")({"user": admin["name"], "ignore_auth": True}, data)
    made = {
        # full matches of "a b" (titles sort after the partial ones: z...)
        "full_1": make(f"z1 全部词语 {a} {b}"),
        "full_2": make(f"z2 全部词语 {b} {a} {c}"),
        "full_3": make(f"z3 全部词语 {a} {b} {c}"),
        # partial matches of "a b" (one of two words)
        "part_a": make(f"a1 部分词语 {a}"),
        "part_b": make(f"a2 部分词语 {b} {c}"),
        # never shown to a visitor, though they contain every word
        "private": make(f"a0 私有数据 {a} {b} {c}", private=True),
        "not_open": make(f"a0 不予开放 {a} {b} {c}", private=True, access_rights="not_open"),
        "draft": make(f"a0 草稿数据 {a} {b} {c}", state="draft"),
        # for "did you mean": a public tag, and a private dataset's tag
        "tagged": make("停车场收费标准软匹配", tags=f"{tag},停车场"),
        "private_tag": make("隐藏标签数据", tags="zqprivatetagword", private=True),
    }
    try:
        from ckanext.guangdong.search.logic import hints
        hints._vocab = None  # built from the catalog as it is now
    except ImportError:  # (the check that these tests fail without the feature)
        pass
    return {"a": a, "b": b, "c": c, "tag": tag, "made": made, "admin": admin, "org": org}


def names(*keys: str, catalog: dict[str, Any]) -> list[str]:
    return [catalog["made"][k]["name"] for k in keys]


def search(user: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
    import ckan.plugins.toolkit as tk
    return tk.get_action("package_search")({"user": user["name"] if user else ""}, params)


FULL = ("full_1", "full_2", "full_3")
PARTIAL = ("part_a", "part_b")


def test_api_is_unchanged_without_the_parameter(catalog: dict[str, Any]) -> None:
    got = search(q=f"{catalog['a']} {catalog['b']}", rows=50)
    assert got["count"] == 3 and "guangdong_soft_match" not in got
    assert sorted(r["name"] for r in got["results"]) == sorted(names(*FULL, catalog=catalog))


def test_opt_in_counts_and_order(catalog: dict[str, Any]) -> None:
    got = search(q=f"{catalog['a']} {catalog['b']}", rows=50, sort="title_string asc",
                 guangdong_soft_match="true")
    assert got["guangdong_soft_match"]["all"] == 3 and got["guangdong_soft_match"]["partial"] == 2
    assert got["count"] == 5
    # all-words results first, then the others, each group in the requested sort
    assert [r["name"] for r in got["results"]] == names(*FULL, *PARTIAL, catalog=catalog)


@pytest.mark.parametrize("rows", [1, 2, 4])
def test_paging_runs_through_both_groups(catalog: dict[str, Any], rows: int) -> None:
    seen: list[str] = []
    for start in range(0, 5, rows):
        page = search(q=f"{catalog['a']} {catalog['b']}", rows=rows, start=start,
                      sort="title_string desc", guangdong_soft_match=True)
        assert page["count"] == 5
        seen += [r["name"] for r in page["results"]]
    assert seen == names("full_3", "full_2", "full_1", "part_b", "part_a", catalog=catalog)


def test_three_words_need_two(catalog: dict[str, Any]) -> None:
    """Three words: all three, then two of three (one of three is not listed)."""
    a, b, c = catalog["a"], catalog["b"], catalog["c"]
    got = search(q=f"{a} {b} {c}", rows=50, sort="title_string asc", guangdong_soft_match=True)
    assert [r["name"] for r in got["results"]] == names("full_2", "full_3", "part_b", "full_1",
                                                         catalog=catalog)
    assert (got["guangdong_soft_match"]["all"], got["guangdong_soft_match"]["partial"]) == (2, 2)


def test_sysadmin_sees_what_the_page_would_show_them(catalog: dict[str, Any]) -> None:
    got = search(catalog["admin"], q=f"{catalog['a']} {catalog['b']}", rows=50,
                 include_private=True, include_drafts=True, guangdong_soft_match=True)
    assert got["guangdong_soft_match"]["all"] >= 5  # private and 不予开放 ones too, for them


@pytest.mark.parametrize("prefix,text", [
    ("", "3 个数据集包含“{q}”的全部词语，另有 2 个包含部分词语或相关内容"),
    ("/en", "3 datasets contain all the words of “{q}”; 2 more contain some of the words or related content"),
])
def test_dataset_page_counts_and_order(app: Any, catalog: dict[str, Any], prefix: str, text: str) -> None:
    q = f"{catalog['a']} {catalog['b']}"
    page = app.get(f"{prefix}/dataset/", query_string={"q": q, "sort": "title_string asc"}).get_data(as_text=True)
    assert text.format(q=q) in page
    positions = [page.index(f"/dataset/{name}") for name in names(*FULL, *PARTIAL, catalog=catalog)]
    assert positions == sorted(positions)
    heading = page.index('id="gd-soft-partial"')
    assert positions[2] < heading < positions[3]
    for hidden in ("private", "not_open", "draft"):
        assert catalog["made"][hidden]["name"] not in page
        assert catalog["made"][hidden]["title"] not in page


def test_dataset_page_search_box_has_suggestions(app: Any, catalog: dict[str, Any]) -> None:
    page = app.get("/dataset/").get_data(as_text=True)
    box = page[page.index('id="field-giant-search"'):]
    box = box[:box.index(">")]
    assert 'data-module="guangdong-suggest"' in box
    assert "guangdong_search_suggest" in box and 'data-module-label-dataset="数据集"' in box


def hints_for(q: str) -> dict[str, Any]:
    import ckan.plugins.toolkit as tk
    return tk.get_action("guangdong_search_hints")({"user": ""}, {"q": q})


def test_did_you_mean_near_spelling_and_pinyin_typo(catalog: dict[str, Any]) -> None:
    tag = catalog["tag"]
    typo = tag[:4] + tag[5] + tag[4] + tag[6:]  # two letters swapped
    assert search(q=typo)["count"] == 0
    assert hints_for(typo)["did_you_mean"] == tag
    assert search(q="tingchechnag")["count"] == 0  # a pinyin typo of 停车场
    assert hints_for("tingchechnag")["did_you_mean"] == "停车场"
    assert hints_for("停车厂")["did_you_mean"] in (None, "停车场")  # 厂 matches through bigrams


def test_did_you_mean_never_offers_private_words(catalog: dict[str, Any]) -> None:
    got = hints_for("zqprivatetagwrod")
    assert got["did_you_mean"] is None
    assert all("zqprivate" not in h["q"] for h in got["hints"])


def test_hints_find_public_datasets(catalog: dict[str, Any]) -> None:
    got = hints_for("zqnothingatallhere")
    assert got["did_you_mean"] is None and got["hints"]
    for hint in got["hints"]:
        found = search(q=hint["q"]) if hint["kind"] == "q" else search(fq=f'tags:"{hint["q"]}"')
        assert found["count"] > 0, hint


@pytest.mark.parametrize("prefix,words", [("", ("您是不是要找", "试试这些搜索")),
                                          ("/en", ("Did you mean", "These searches find datasets"))])
def test_empty_page_offers_did_you_mean_link(app: Any, catalog: dict[str, Any], prefix: str,
                                             words: tuple[str, str]) -> None:
    tag = catalog["tag"]
    typo = tag[:4] + tag[5] + tag[4] + tag[6:]
    page = app.get(f"{prefix}/dataset/", query_string={"q": typo}).get_data(as_text=True)
    assert all(w in page for w in words)
    assert f'data-q="{tag}"' in page and f"q={tag}" in page


@pytest.mark.parametrize("q", ["<script>alert(1)</script>", "<script>alert(1)</script> {a}",
                               '<img src=x onerror=alert(1)> {a} {b}'])
def test_query_text_is_escaped(app: Any, catalog: dict[str, Any], q: str) -> None:
    q = q.format(a=catalog["a"], b=catalog["b"])
    res = app.get("/dataset/", query_string={"q": q})
    page = res.get_data(as_text=True)
    assert res.status_code == 200
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page or "&lt;img" in page


def test_no_full_match_is_counted_as_none(catalog: dict[str, Any]) -> None:
    """A word no dataset has: nothing has all the words (the embedded engine's OR fallback
    must not pass the partial matches off as full ones)."""
    got = search(q=f"{catalog['a']} zqnosuchwordanywhere", rows=50, guangdong_soft_match=True)
    assert (got["guangdong_soft_match"]["all"], got["guangdong_soft_match"]["partial"]) == (0, 4)
    assert got["guangdong_soft_match"]["first_partial"] == 0
