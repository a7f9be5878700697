"""One user's journey through the portal in headless Chromium, with the checks every page of
every journey must pass:

- CKAN's JavaScript modules started: every module named in a ``data-module`` attribute has an
  instance in ``window.ckan.module.instances`` (CKAN starts none when its i18n call fails);
- no console error and no uncaught exception;
- no request leaves 127.0.0.1 (fonts, scripts, avatars: everything comes from the portal);
- on Chinese pages, no English word (tests/gd_english.py: the one checker and allow-list of
  the project) outside the titles people typed and the records a harvest brought in;
- a screenshot of each page in ``var/screenshots/<journey>/`` for a person to look at.

Failures are collected per page and reported together at the end of the journey, so one run
lists every fault it met instead of stopping at the first.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from gd_chromium import ARGS, CHROMIUM
from gd_english import english_on

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("GD_VAR", ROOT / "var")) / "screenshots"
LANGS = ("zh_Hans_CN", "en")

_MODULES_JS = """() => {
  const wanted = new Set();
  document.querySelectorAll('[data-module]').forEach(el =>
    el.getAttribute('data-module').split(' ').filter(Boolean).forEach(n => wanted.add(n)));
  const m = (window.ckan && window.ckan.module) || {};
  const instances = m.instances || {}, registry = m.registry || {};
  const started = Object.keys(instances).filter(k => (instances[k] || []).length > 0);
  // CKAN's own header names a module 'me' that CKAN 2.11 no longer ships: only registered
  // modules (and every one of ours) are expected to start.
  const expected = [...wanted].filter(n => n in registry || n.startsWith('guangdong-'));
  return {wanted: expected.sort(), started: started.sort(), registered: Object.keys(registry).length};
}"""


class Journey:
    """A browser context (one user) for one journey in one language."""

    def __init__(self, browser: Any, base_url: str, name: str, lang: str,
                 allowed_words: Iterable[str] = (),
                 data_words: Callable[[], Iterable[str]] = tuple) -> None:
        self.base_url, self.name, self.lang = base_url, name, lang
        self.allowed_words = set(allowed_words)
        # What people typed or a harvest brought in, read at each check: a journey adds data.
        self.data_words = data_words
        self.context = browser.new_context(
            locale="zh-CN" if lang == "zh_Hans_CN" else "en-US", accept_downloads=True,
            viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.console_errors: list[str] = []
        self.outside: list[str] = []
        self.problems: list[str] = []
        self.shots: list[Path] = []
        self.step = 0
        self.folder = SHOTS / name
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob(f"{lang}-*.png"):
            old.unlink()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.console_errors.append(f"uncaught: {exc}"))
        # Every request that would leave the machine is recorded and refused.
        self.context.route(re.compile(r"^(?!(https?://127\.0\.0\.1[:/]|data:|blob:|about:)).*"),
                           self._refuse)

    def _on_console(self, msg: Any) -> None:
        if msg.type == "error":
            self.console_errors.append(f"{msg.text} ({msg.location.get('url', '')})")

    def _refuse(self, route: Any) -> None:
        self.outside.append(route.request.url)
        route.abort()

    # -- navigation -------------------------------------------------------------------------
    def url(self, path: str) -> str:
        """An address of the portal in this journey's language (English lives under /en/)."""
        prefix = "/en" if self.lang == "en" and not path.startswith("/en/") else ""
        return f"{self.base_url}{prefix}{path}"

    def goto(self, path: str) -> Any:
        response = self.page.goto(self.url(path))
        assert response is not None and response.status < 400, f"{path}: HTTP {response and response.status}"
        return response

    # -- checks -----------------------------------------------------------------------------
    def check(self, label: str, allow: Iterable[str] = (), modules: bool = True) -> None:
        """The checks of every page, then a screenshot named after ``label``."""
        page = self.page
        page.wait_for_load_state("load")
        where = f"{label} ({page.url})"
        if modules:
            try:  # CKAN starts its modules once its translations have arrived
                page.wait_for_function(
                    "() => { const m = window.ckan && window.ckan.module;"
                    " return !document.querySelector('[data-module]') ||"
                    " (m && Object.values(m.instances || {}).some(a => a.length)); }", timeout=5_000)
            except Exception:
                pass  # reported below with the module names
            found = page.evaluate(_MODULES_JS)
            missing = sorted(set(found["wanted"]) - set(found["started"]))
            if not found["registered"]:
                self.problems.append(f"{where}: CKAN's JavaScript did not load (no module registered)")
            elif missing:
                self.problems.append(f"{where}: CKAN JS modules not started: {missing}")
        if self.lang == "zh_Hans_CN":
            words = sorted(set(english_on(page, [*self.allowed_words, *allow, *self.data_words()])))
            if words:
                self.problems.append(f"{where}: English on a Chinese page: {words}")
            html_lang = page.evaluate("() => document.documentElement.lang")
            if not html_lang.startswith("zh"):
                self.problems.append(f"{where}: <html lang={html_lang!r}>")
        self.shot(label)

    def shot(self, label: str) -> Path:
        self.step += 1
        path = self.folder / f"{self.lang}-{self.step:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)
        return path

    def finish(self) -> None:
        """Fail with every problem met on the way."""
        problems = list(self.problems)
        if self.console_errors:
            problems.append(f"console errors: {self.console_errors}")
        if self.outside:
            problems.append(f"requests that left 127.0.0.1: {sorted(set(self.outside))}")
        self.context.close()
        assert not problems, f"journey {self.name} [{self.lang}]:\n  " + "\n  ".join(problems)

    def download(self, click: Any) -> tuple[str, bytes]:
        """Click something that downloads; returns the file name and its bytes."""
        with self.page.expect_download() as info:
            click()
        download = info.value
        path = download.path()
        assert download.failure() is None, download.failure()
        return download.suggested_filename, Path(path).read_bytes()

    def login(self, username: str, password: str) -> None:
        """Through the login form, as a person would."""
        self.goto("/user/login")
        self.page.fill("#field-login", username)
        self.page.fill("#field-password", password)
        self.page.locator("form:has(#field-login) button[type=submit]").first.click()
        self.page.wait_for_load_state("load")
        assert "/user/login" not in self.page.url, f"login failed: {self.page.url}"


def open_browser(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def text_of(page: Any, selector: str) -> str | None:
    loc = page.locator(selector)
    return loc.first.inner_text().strip() if loc.count() else None
