"""Suggestions while typing (guangdong_search_suggest, assets/suggest.js), in Chinese and in
English: on the home page a visitor with the input method off types the pinyin of a dataset's
title, sees it suggested (with its kind in the page's language) and picks it."""
from __future__ import annotations

import re

import pytest
from browser_journey import Journey

pytestmark = pytest.mark.usefixtures("browser_plugins")

KIND = {"zh_Hans_CN": "数据集", "en": "Dataset"}


def typed_pinyin(title: str) -> str:
    """What a person types for the title with the input method off: each word's pinyin."""
    from ckanext.guangdong.search import segment
    from ckanext.guangdong.search.meaning import pinyin
    return " ".join(pinyin.word_pinyin(w)[0] for w in segment.query_tokens(title)
                    if pinyin.word_pinyin(w))


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_pinyin_suggestion_is_picked(journey, portal_catalog, lang):
    cat = portal_catalog
    j: Journey = journey("suggest", lang, allowed_words=(cat["title"],))
    page = j.page
    j.goto("/")
    box = page.locator("#gd-home-q")
    # Typed key by key, as a person does: suggestions follow the input.
    box.press_sequentially(typed_pinyin(cat["title"]), delay=20)
    option = page.locator(".gd-suggest a[role=option]").filter(has_text=cat["title"])
    option.first.wait_for(state="visible", timeout=15_000)
    assert KIND[lang] in option.first.inner_text()
    j.check("suggested")
    option.first.click()
    page.wait_for_url(re.compile(r"/dataset/" + cat["dataset"]["name"]))
    assert ("/en/" in page.url) == (lang == "en")
    assert cat["title"] in page.locator("[role=main] h1, article h1").first.inner_text()
    j.check("picked")
    j.finish()


DID_YOU_MEAN = {"zh_Hans_CN": "您是不是要找", "en": "Did you mean"}


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_dataset_page_box_suggests_and_did_you_mean(journey, portal_catalog, lang):
    """/dataset's own search box has the home page's suggestions (same module and action);
    a pinyin typo finds nothing and the page offers the word it meant, which finds the
    dataset."""
    from ckanext.guangdong.search.logic import hints
    hints._vocab = None  # the vocabulary as the catalog is now (same process as the live app)
    import ckan.plugins.toolkit as tk
    cat = portal_catalog
    # Words people typed: the catalog's tags (other tests' too: facets and hints show them)
    # and the query.
    tags = tk.get_action("package_search")({"user": ""}, {"rows": 0, "facet.field": ["tags"], "facet.limit": -1})
    typed = [t["name"] for t in tags["search_facets"]["tags"]["items"]]
    j: Journey = journey("suggest-dataset", lang, allowed_words=(cat["title"], cat["word"], "gonggongzixingce", *typed))
    page = j.page
    j.goto("/dataset/")
    box = page.locator("#field-giant-search")
    box.press_sequentially(typed_pinyin(cat["title"]), delay=20)
    option = page.locator(".gd-suggest a[role=option]").filter(has_text=cat["title"])
    option.first.wait_for(state="visible", timeout=15_000)
    assert KIND[lang] in option.first.inner_text()
    j.check("dataset-box-suggested")
    option.first.click()
    page.wait_for_url(re.compile(r"/dataset/" + cat["dataset"]["name"]))
    j.check("dataset-picked")
    # a pinyin typo of 公共自行车 (a tag of the dataset): nothing found, "did you mean" offered
    j.goto("/dataset/?q=gonggongzixingce")
    meant = page.locator(".gd-did-you-mean")
    assert DID_YOU_MEAN[lang] in meant.inner_text()
    j.check("did-you-mean")
    meant.locator("a").click()
    page.wait_for_load_state()
    assert "q=" in page.url and page.locator("#field-giant-search").input_value() == "公共自行车"
    assert page.locator(f"a[href*='{cat['dataset']['name']}']").count() > 0
    j.check("did-you-mean-followed")
    # soft matching: one word no dataset has; the dataset has the other two
    j.goto(f"/dataset/?q={cat['word']} 公共自行车 火星")
    counts = page.locator(".gd-soft-counts")
    assert counts.get_attribute("data-all") == "0" and int(counts.get_attribute("data-partial") or 0) >= 1
    assert page.locator(f"#gd-soft-partial ~ ul a[href*='{cat['dataset']['name']}']").count() >= 1
    j.check("soft-matching")
    j.finish()
