"""User trial 8: on English pages the top menu wrapped "Open-data applications" and "Open-data
progress" onto two lines at 1280 px. Each menu entry is one line, beside the search box, in
both languages at a desktop width."""
from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("browser_plugins")


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_the_menu_entries_are_one_line_each(journey: Any, lang: str) -> None:
    j = journey("menu-one-line", lang)
    j.goto("/dataset/")
    links = j.page.locator(".masthead .main-navbar .navbar-nav li a")
    assert links.count() >= 5
    boxes = [links.nth(i).bounding_box() for i in range(links.count())]
    line = j.page.evaluate("parseFloat(getComputedStyle(document.querySelector("
                           "'.masthead .main-navbar .navbar-nav li a')).lineHeight)")
    assert all(b and b["height"] < 2 * line for b in boxes), (line, boxes)  # padding + one line
    assert len({round(b["y"]) for b in boxes if b}) == 1, boxes  # one row
    search = j.page.locator(".masthead .site-search").bounding_box()
    assert search and abs(search["y"] + search["height"] / 2 - (boxes[0]["y"] + boxes[0]["height"] / 2)) < 30, \
        (search, boxes[0])
    j.check("menu")
    j.finish()
