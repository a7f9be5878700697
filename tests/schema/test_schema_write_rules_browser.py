"""The dataset form in real headless Chromium (Debian's chromium through Playwright), in Chinese
and then in English, as a publisher meets the write-time rules: an over-long title and a 不予开放
dataset left public get their message next to the field, and what was typed is still there.
Screenshots: $GD_SCREENSHOTS (default /tmp/gd-screenshots)."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from gd_chromium import ARGS, CHROMIUM, needs_chromium
from gd_testing import make_org, make_user, unique_identifier

SHOTS = Path(os.environ.get("GD_SCREENSHOTS", "/tmp/gd-screenshots"))

pytestmark = [
    pytest.mark.usefixtures("gd"),
    needs_chromium,
]

TEXTS = {
    "zh_Hans_CN": ("", "最多 300 个字符（当前 301 个）", "不予开放的数据集不能公开", "不予开放", "公开"),
    "en": ("/en", "Use at most 300 characters (this text has 301)", "cannot be public", "Not open", "Public"),
}


@pytest.fixture(scope="module")
def publisher(gd_plugins: None) -> dict[str, str]:
    password = "Gd-" + uuid.uuid4().hex
    user = make_user(password=password, image_url="")  # (Faker's avatar would be a remote image)
    org = make_org(users=[{"name": user["name"], "capacity": "editor"}])
    return {"name": user["name"], "password": password, "org": org["id"]}


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "en"])
def test_form_shows_limits_and_the_openness_rule(live_server, publisher, locale) -> None:
    from playwright.sync_api import sync_playwright
    prefix, too_long, not_public, not_open_label, public_label = TEXTS[locale]
    SHOTS.mkdir(parents=True, exist_ok=True)
    title = "河" * 301
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1800})
        outside: list[str] = []
        # (the app's own links use ckan.site_url, another port of 127.0.0.1 in tests)
        page.on("request", lambda r: outside.append(r.url)
                if not r.url.startswith(("http://127.0.0.1", "data:")) else None)
        page.goto(f"{live_server}{prefix}/user/login")
        page.fill("#field-login", publisher["name"])
        page.fill("#field-password", publisher["password"])
        with page.expect_response(lambda r: "/user/login" in r.url and r.request.method == "POST"):
            page.press("#field-password", "Enter")
        # After logging in CKAN redirects to ckan.site_url, another port in tests: let that
        # navigation end before opening the form.
        page.wait_for_url(lambda url: "/user/login" not in url)
        page.goto(f"{live_server}{prefix}/dataset/new")
        if not page.query_selector("#field-title"):
            page.screenshot(path=str(SHOTS / f"debug-{locale}.png"), full_page=True)
            raise AssertionError(page.url + "\n" + page.inner_text("body")[:1500])
        page.fill("#field-title", title)
        page.fill("#field-notes", "河源市各监测站点的空气质量日报。")
        page.fill("#field-identifier", unique_identifier("44160"))
        page.fill("#field-publisher_name", "河源市生态环境局")
        page.check("input[name=theme][value=民生服务]")
        page.select_option("#field-access_rights", label=not_open_label)
        page.select_option("#field-private", label=public_label)
        page.select_option("#field-frequency", index=1)
        page.click("button[name=save]")
        page.wait_for_load_state()
        page.screenshot(path=str(SHOTS / f"form-write-rules-{locale}.png"), full_page=True)
        body = page.inner_text("body")
        assert too_long in body and not_public in body, body[:2000]
        assert page.input_value("#field-title") == title  # nothing typed is lost
        assert "/dataset/new" in page.url
        assert not outside, outside
        browser.close()
