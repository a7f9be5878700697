"""English words on /en (issue 15): a visitor of the English pages types `traffic` and finds
the Chinese dataset tagged 交通, through the thesaurus's English terms; the same search on the
Chinese page finds it too, and the page stays Chinese."""
from __future__ import annotations

import pytest
from browser_journey import Journey

pytestmark = pytest.mark.usefixtures("browser_plugins")


@pytest.mark.parametrize("lang", ["en", "zh_Hans_CN"])
def test_english_word_finds_chinese_dataset(journey, portal_catalog, lang):
    cat = portal_catalog
    j: Journey = journey("english-search", lang, allowed_words=(cat["title"], "traffic"))
    page = j.page
    j.goto("/dataset/?q=traffic")
    assert page.locator(f"a[href*='{cat['dataset']['name']}']").count() > 0
    assert page.locator("#field-giant-search").input_value() == "traffic"
    j.check("english-word-found")
    j.finish()
