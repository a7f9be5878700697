"""Accessibility: axe-core (shipped by the PyPI package axe-playwright-python) on the pages the
public and the publishers use most, in both languages: no serious or critical violation
(WCAG 2.1 AA, which China's GB/T 37668 follows for contrast, labels, landmarks and language).
Each page's full axe result is kept in var/screenshots/axe/ for a person to read."""
from __future__ import annotations

import json

import pytest
from browser_catalog import PASSWORD, make_person
from browser_journey import SHOTS

pytestmark = pytest.mark.usefixtures("browser_plugins")
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def pages(portal_catalog) -> dict[str, str]:
    cat = portal_catalog
    return {
        "home": "/",
        "search": "/dataset/",
        "dataset": f"/dataset/{cat['dataset']['name']}",
        "resource": f"/dataset/{cat['dataset']['name']}/resource/{cat['resource']['id']}",
        "open-progress": "/open-progress",
        "dataset-form": "/dataset/new",
    }


def axe_violations(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
    return results.response["violations"]


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_no_serious_or_critical_violation(browser, live_server, pages, lang):
    publisher = make_person("无障碍检查员", sysadmin=True)  # the dataset form needs a publisher
    context = browser.new_context(locale="zh-CN" if lang == "zh_Hans_CN" else "en-US")
    page = context.new_page()
    prefix = "/en" if lang == "en" else ""
    page.goto(f"{live_server}{prefix}/user/login")
    page.fill("#field-login", publisher["name"])
    page.fill("#field-password", PASSWORD)
    page.locator("form:has(#field-login) button[type=submit]").first.click()
    page.wait_for_load_state("load")
    out = SHOTS / "axe"
    out.mkdir(parents=True, exist_ok=True)
    blocking: dict[str, list[str]] = {}
    for name, path in pages.items():
        # Logged-out visitors see the public pages; the form needs the login.
        target = page if name == "dataset-form" else anonymous(browser, lang)
        target.goto(f"{live_server}{prefix}{path}")
        target.wait_for_load_state("load")
        violations = axe_violations(target)
        (out / f"{lang}-{name}.json").write_text(json.dumps(
            [{k: v[k] for k in ("id", "impact", "help", "nodes")} for v in violations],
            ensure_ascii=False, indent=1), encoding="utf-8")
        found = [f"{v['id']} ({v['impact']}): {v['help']} — "
                 + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"][0])
                             for n in v["nodes"][:3])
                 for v in violations if v["impact"] in BLOCKING]
        if found:
            blocking[name] = found
        if target is not page:
            target.context.close()
    context.close()
    assert not blocking, json.dumps(blocking, ensure_ascii=False, indent=1)


def anonymous(browser, lang):
    return browser.new_context(locale="zh-CN" if lang == "zh_Hans_CN" else "en-US").new_page()
