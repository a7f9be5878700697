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
