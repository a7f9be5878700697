"""Fixtures of the browser suite: one headless Chromium per test run (Debian's, never a
downloaded one), the shared live app (tests/conftest.py ``live_server``), and a small catalog
made through CKAN's actions with stored files, so every journey has something to find."""
from __future__ import annotations

import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "tests") not in sys.path:  # the shared test helpers in tests/
    sys.path.insert(0, str(ROOT / "tests"))

from browser_catalog import _context, _upload, ensure_org, user_titles  # noqa: E402
from browser_journey import CHROMIUM, Journey, open_browser  # noqa: E402
from gd_chromium import needs_chromium  # noqa: E402

pytestmark = needs_chromium

CSV_BYTES = "站点名称,所在区,车位数\n荔湾路站,荔湾区,24\n花城广场站,天河区,40\n".encode()


@pytest.fixture(scope="module")
def browser_plugins(live_server: str) -> None:
    """The site's plugins loaded, as the live app has them, and left loaded: the shared
    ``gd_plugins`` unloads them after a module, which would take them from the live app that
    later test folders use too."""
    import ckan.plugins as p
    from gd_testing import apply_plugin_migrations
    if not p.plugin_loaded("guangdong_theme"):
        p.load_all()
    apply_plugin_migrations()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module: Playwright's synchronous API runs an event loop while it
    is open, and other test folders start their own."""
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        chromium = open_browser(pw)
        yield chromium
        chromium.close()


@pytest.fixture
def journey(browser: Any, live_server: str, request: Any) -> Iterator[Any]:
    """``journey(name, lang, allowed_words)`` opens a new browser context (a new user); each
    journey's problems are asserted when the test ends."""
    opened: list[Journey] = []

    def start(name: str, lang: str, allowed_words: tuple[str, ...] = ()) -> Journey:
        # What people typed (titles of datasets and organizations, other tests' too) may be
        # in any language; the check is about the portal's own words.
        j = Journey(browser, live_server, name, lang, allowed_words, data_words=user_titles)
        opened.append(j)
        return j

    yield start
    for j in opened:
        if j.context.pages:  # not finished by the test (it failed before): close quietly
            j.context.close()


@pytest.fixture(scope="module")
def portal_catalog(browser_plugins: None, live_server: str) -> dict[str, Any]:
    """A provincial department with one open dataset (a stored CSV file) whose title has a
    word found nowhere else, so the search must find it. Made once the live server runs:
    package_show answers from the search index, whose copy holds URLs with the site URL."""
    import ckan.plugins.toolkit as tk
    uid = uuid.uuid4().hex[:8]
    word = "荔枝湾" + "".join("零一二三四五六七八九"[int(c, 16) % 10] for c in uid[:4])
    org = ensure_org("browser-dept", "省数据资源测试局", "440000", "department")
    title = f"{word}公共自行车站点信息"
    data = {
        "type": "dataset", "name": f"browser-{uid}", "title": title,
        "notes": "公共自行车站点的名称、所在区和车位数。", "tag_string": "公共自行车,交通",
        "identifier": f"29000/{uuid.uuid4().int % 10**10:010d}", "owner_org": org["id"],
        "private": False, "publisher_name": org["title"], "publisher_identifier": "11440000006940081X",
        "theme": ["民生服务", "道路交通"], "access_rights": "unconditional", "frequency": "monthly",
        "issued": "2018-06-01", "modified": "2024-07-01", "region_code": "440100",
        "temporal_start": "2017-01-01", "temporal_end": "2024-06-30", "contact_name": "数据管理科",
        "contact_email": "opendata@gd.gov.cn", "contact_phone": "020-12345678", "record_count": 2,
        "data_items": [{"name": "站点名称", "type": "string", "description": "站点的名称"}],
        "share_type": "conditional_share", "data_level": "level2", "deidentified": "true",
    }
    pkg = tk.get_action("package_create")(_context(), data)
    res = tk.get_action("resource_create")(_context(), {
        "package_id": pkg["id"], "name": f"{word}站点（CSV）", "format": "CSV",
        "description": "逗号分隔值文件，UTF-8 编码。",
        "upload": _upload("stations.csv", CSV_BYTES, "text/csv"), "url": "stations.csv"})
    return {"org": org, "dataset": tk.get_action("package_show")(_context(), {"id": pkg["id"]}),
            "resource": res, "word": word, "title": title, "csv": CSV_BYTES}


