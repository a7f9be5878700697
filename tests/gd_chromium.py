"""Headless Chromium for the tests that drive pages as people meet them (Debian's
/usr/bin/chromium through Playwright for Python; no browser download).

``chromium_session(base)`` yields a :class:`Browsing` that opens pages, logs in through the
login form, records every request that leaves ``base`` and every console error, and saves
screenshots under ``var/screenshots/tests/`` (or ``$GD_SCREENSHOT_DIR``) for a human look."""
from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("GD_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(os.environ.get("GD_SCREENSHOT_DIR")
                   or Path(__file__).resolve().parent.parent / "var" / "screenshots" / "tests")

needs_chromium = pytest.mark.skipif(
    not shutil.which(CHROMIUM), reason="Debian's chromium is not installed (apt-get install chromium)")


class Browsing:
    def __init__(self, page: Any, base: str) -> None:
        self.page, self.base = page, base
        self.outside: list[str] = []
        self.console_errors: list[str] = []
        page.on("request", self._on_request)
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))

    def _on_request(self, request: Any) -> None:
        if not request.url.startswith((self.base + "/", "data:", "blob:")) and request.url != self.base:
            self.outside.append(request.url)

    def open(self, path: str) -> Any:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def modules(self) -> list[str]:
        """Names of the CKAN JavaScript modules started on the page."""
        return self.page.evaluate(
            "() => window.ckan && ckan.module && ckan.module.instances ?"
            " Object.keys(ckan.module.instances) : []")

    def login(self, name: str, password: str, locale_prefix: str = "") -> None:
        self.open(f"{locale_prefix}/user/login")
        self.page.fill("#field-login", name)
        self.page.fill("#field-password", password)
        self.page.locator("form:has(#field-login) button[type=submit]").click()
        self.page.wait_for_load_state("networkidle")

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / (re.sub(r"[^\w.-]+", "_", name) + ".png")
        self.page.screenshot(path=str(path), full_page=True)
        return path


@contextlib.contextmanager
def chromium_session(base: str, javascript: bool = True) -> Iterator[Browsing]:
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900},
                                          java_script_enabled=javascript)
            yield Browsing(context.new_page(), base)
        finally:
            browser.close()
