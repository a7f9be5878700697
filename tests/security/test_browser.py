"""The user-facing changes in real headless Chromium (Debian's, driven by Playwright): the
login throttle's message in Chinese and English, the harvest admin page's buttons posting with
their CSRF token, and a script URL under 来源网址 shown as text. Screenshots go to
$GD_SCREENSHOTS (default /tmp/gd-security-screens)."""
from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gd_chromium import ARGS, CHROMIUM, needs_chromium
from web import PASSWORD
from world import World

from ckanext.guangdong.security import throttle

SHOTS = Path(os.environ.get("GD_SCREENSHOTS", "/tmp/gd-security-screens"))

pytestmark = [
    pytest.mark.usefixtures("gd_plugins"),
    needs_chromium,
]


@pytest.fixture
def page(live_server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright
    SHOTS.mkdir(parents=True, exist_ok=True)
    throttle.clear_address("127.0.0.1")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page()
        # CKAN writes ckan.site_url into redirects and into the page (the root its JavaScript
        # loads translations from, without which no JS module starts): serve that address from
        # this test server.
        import ckan.plugins.toolkit as tk
        site = tk.config.get("ckan.site_url").rstrip("/")
        if site != live_server:
            pg.route(f"{site}/**", lambda route: route.fulfill(
                response=route.fetch(url=live_server + route.request.url[len(site):])))
        outside: list[str] = []
        pg.on("request", lambda r: outside.append(r.url)
              if not r.url.startswith(("http://127.0.0.1", "data:")) else None)
        yield pg
        browser.close()
        assert not outside, outside   # no request to any host but the portal's own
    throttle.clear_address("127.0.0.1")


def _login(page: Any, base: str, lang: str, name: str, password: str) -> None:
    page.goto(f"{base}{lang}/user/login")
    page.fill("#field-login", name)
    page.fill("#field-password", password)
    page.press("#field-password", "Enter")
    page.wait_for_load_state("networkidle")


def test_throttled_login_says_so_in_chinese_and_english(page: Any, live_server: str) -> None:
    from gd_testing import make_user
    user = make_user(password=PASSWORD, image_url="")  # (the factories' avatar is on an outside host)
    for _ in range(5):
        _login(page, live_server, "", user["name"], "not-the-password")
    _login(page, live_server, "", user["name"], PASSWORD)
    assert "登录失败次数过多" in page.content()
    page.screenshot(path=str(SHOTS / "login-throttled-zh.png"), full_page=True)
    _login(page, live_server, "/en", user["name"], PASSWORD)
    assert "Too many failed login attempts" in page.content()
    page.screenshot(path=str(SHOTS / "login-throttled-en.png"), full_page=True)
    throttle.clear_account(user["name"])


def test_reharvest_button_posts_with_its_token(page: Any, live_server: str, leak_world: World) -> None:
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckanext.harvest.model import HarvestJob
    from gd_testing import make_sysadmin

    from ckanext.guangdong.harvesters.site import site_context
    admin = make_sysadmin(password=PASSWORD, image_url="")
    source = tk.get_action("harvest_source_create")(site_context(), {
        "name": f"button-{uuid.uuid4().hex[:8]}", "title": "按钮测试采集源",
        "owner_org": leak_world.orgs["a"]["id"], "url": f"http://127.0.0.1:9/{uuid.uuid4().hex}",
        "source_type": "guangdong_api", "frequency": "MANUAL",
        "config": json.dumps({"region_code": "441600", "preset": "kaifang_guangdong"})})
    _login(page, live_server, "", admin["name"], PASSWORD)
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{live_server}/harvest/admin/{source['name']}")
    page.wait_for_load_state("networkidle")
    assert not failed, failed   # e.g. the JS translations (without them no button works)
    assert "重新采集" in page.content()
    page.locator(f"a[data-module=confirm-action][href$='/harvest/refresh/{source['id']}']").click()
    page.locator(".modal.show .btn-primary").wait_for()
    page.screenshot(path=str(SHOTS / "harvest-confirm-zh.png"), full_page=True)
    page.locator(".modal.show .btn-primary").click()
    # the answer redirects to the source's admin page (the live server is the site URL)
    page.wait_for_url(f"{live_server}/harvest/admin/{source['id']}")
    page.screenshot(path=str(SHOTS / "harvest-reharvest-zh.png"), full_page=True)
    model.Session.remove()
    assert HarvestJob.filter(source_id=source["id"]).count() == 1


def test_script_url_under_source_page_is_text(page: Any, live_server: str, leak_world: World) -> None:
    import ckan.plugins.toolkit as tk

    from ckanext.guangdong.harvesters.site import site_context
    pkg = tk.get_action("package_patch")(site_context(), {
        "id": leak_world.packages["harvested_public"]["id"], "harvest_remote_url": "javascript:alert(1)"})
    alerts: list[str] = []
    page.on("dialog", lambda d: (alerts.append(d.message), d.dismiss()))
    for lang, label in (("", "来源网址"), ("/en", "Source page")):
        page.goto(f"{live_server}{lang}/dataset/{pkg['name']}")
        row = page.locator("tr", has_text=label)
        assert row.count() == 1 and "javascript:alert(1)" in row.inner_text()
        assert row.locator("a").count() == 0
        row.locator("td").click()
        page.screenshot(path=str(SHOTS / f"source-page-{lang.strip('/') or 'zh'}.png"), full_page=True)
    assert not alerts
    tk.get_action("package_patch")(site_context(), {
        "id": pkg["id"], "harvest_remote_url": leak_world.packages["harvested_public"]["harvest_remote_url"]})
