"""The English checker (tests/gd_english.py) reads a page as a reader sees it: a list box
shows its chosen option only. CI failed on the language list of a 400 page read before
CKAN's modules had made it a dropdown: "English" (the other language) was taken for the
page's own words."""
from __future__ import annotations

from typing import Any

from gd_english import english_on

LIST_BOX = """<html><body><p>语言</p>
<select><option value="zh" {zh}>中文（简体，中国）</option><option value="en" {en}>English</option></select>
<select style="display:none"><option selected>Hidden English option</option></select>
</body></html>"""


def _words(browser: Any, chosen: str) -> list[str]:
    page = browser.new_page()
    try:
        page.set_content(LIST_BOX.format(zh="selected" if chosen == "zh" else "",
                                         en="selected" if chosen == "en" else ""))
        return english_on(page)
    finally:
        page.close()


def test_a_list_box_reads_as_its_chosen_option(browser: Any) -> None:
    assert _words(browser, "zh") == []


def test_an_english_chosen_option_is_english(browser: Any) -> None:
    assert _words(browser, "en") == ["English"]
