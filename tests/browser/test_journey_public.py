"""The public's journey, in Chinese and in English: home → search → facet → dataset →
resource → download → switch language and back."""
from __future__ import annotations

import re

import pytest
from browser_journey import Journey

pytestmark = pytest.mark.usefixtures("browser_plugins")

OTHER = {"zh_Hans_CN": "en", "en": "zh_Hans_CN"}
LANG_NAMES = {"zh_Hans_CN": ("中文", "简体中文", "Chinese"), "en": ("English", "英文", "英语")}


def switch_language(j: Journey, to: str) -> None:
    """Use the page's language selector as a person would."""
    page = j.page
    before = page.url
    names = "|".join(re.escape(n) for n in LANG_NAMES[to])
    select2 = page.locator("#s2id_field-lang-select, .lang-container")
    if select2.count() and select2.first.is_visible():
        select2.first.click()
        page.locator(".select2-result-label, .select2-results li").filter(
            has_text=re.compile(names)).first.click()
    elif page.locator("select#field-lang-select").count():
        option = page.locator("select#field-lang-select option").filter(has_text=re.compile(names)).first
        page.select_option("select#field-lang-select", value=option.get_attribute("value"))
    else:
        page.locator(f"a[hreflang^='{to[:2]}'], a[lang^='{to[:2]}']").first.click()
    try:
        page.wait_for_url(lambda url: url != before, timeout=5_000)
    except Exception:
        pass
    page.wait_for_load_state("load")
    if ("/en/" in page.url or page.url.endswith("/en")) != (to == "en"):
        j.problems.append(f"the language selector did not switch to {to}: still at {page.url}")
        # Go on in the other language by address, so the rest of the journey is checked too.
        path = re.sub(r"^(en|zh_Hans_CN)(/|$)", "", before.split("127.0.0.1", 1)[1].split("/", 1)[1])
        path = "/" + path
        page.goto(j.base_url + ("/en" if to == "en" else "") + path)


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_public_journey(journey, portal_catalog, lang):
    cat = portal_catalog
    j = journey("public", lang, allowed_words=(cat["title"],))
    page = j.page

    j.goto("/")
    j.check("home")

    # Search from the home page's search box.
    page.locator("input[name=q]").first.fill(cat["word"])
    page.locator("input[name=q]").first.press("Enter")
    page.wait_for_url(re.compile(r"/dataset/?\?"))
    assert page.locator(".dataset-item").filter(has_text=cat["title"]).count() == 1, "the dataset was not found"
    j.check("search")

    # Narrow by a facet: the CSV format.
    page.locator("a[href*='res_format=CSV']").first.click()
    page.wait_for_url(re.compile(r"res_format=CSV"))
    assert page.locator(".dataset-item").filter(has_text=cat["title"]).count() == 1
    j.check("facet")

    # The dataset.
    page.locator(".dataset-item a", has_text=cat["title"]).first.click()
    page.wait_for_url(re.compile(r"/dataset/" + cat["dataset"]["name"]))
    assert cat["title"] in page.locator("[role=main] h1, article h1").first.inner_text()
    j.check("dataset")

    # Its resource.
    page.locator(f"a[href*='/resource/{cat['resource']['id']}']").first.click()
    page.wait_for_url(re.compile(r"/resource/" + cat["resource"]["id"]))
    j.check("resource")

    # Download: the stored file, byte for byte.
    name, body = j.download(lambda: page.locator("a.resource-url-analytics").first.click())
    assert name == "stations.csv" and body == cat["csv"]

    # Switch language and back, with the page's own selector.
    switch_language(j, OTHER[lang])
    j.shot("switched")
    switch_language(j, lang)
    assert re.search(r"/resource/" + cat["resource"]["id"], page.url)
    j.check("switched-back")
    j.finish()
