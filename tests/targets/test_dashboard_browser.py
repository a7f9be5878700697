"""The /open-progress dashboard in real headless Chromium (Debian's chromium, driven by
Playwright's Python package): the chart is present with its text alternative, and every number
shown equals the API's.

This test runs with the site's full plugin set (the live server is shared by the whole test
session, so it must not depend on a reduced set); the catalog is therefore recorded straight
through the events recorder rather than through the provincial schema's forms, which
tests/targets/test_counting.py and tests/events cover through the package actions."""
from __future__ import annotations

import datetime as dt
import os
import uuid

import ckan.model as model
import pytest
from ckan.tests import helpers
from gd_chromium import ARGS, CHROMIUM, needs_chromium

from ckanext.guangdong.events import recorder
from ckanext.guangdong.events.facts import PackageFacts

pytestmark = [
    # The site's whole plugin set (from the test ini): earlier tests may have left a reduced one.
    pytest.mark.usefixtures("with_plugins"),
    needs_chromium,
]


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        # Offline: any request that leaves 127.0.0.1 fails the test below.
        outside: list[str] = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:")) else None)
        page.outside_requests = outside  # type: ignore[attr-defined]
        yield page
        browser.close()


def _org(name: str, title: str, region_code: str, org_type: str) -> str:
    org = model.Group(name=name, title=title, type="organization", is_organization=True)
    org.extras = {"region_code": region_code, "org_type": org_type}
    model.Session.add(org)
    model.Session.flush()
    return org.id


def _record(org: str, day: str, ptype: str = "dataset", themes: tuple[str, ...] = ("民生服务",),
            used: tuple[str, ...] = (), state: str = "active", pid: str | None = None,
            fmt: str = "CSV") -> str:
    pid = pid or str(uuid.uuid4())
    extras = {"access_rights": "unconditional", "identifier": pid[:8],
              "theme": '["' + '","'.join(themes) + '"]', "used_datasets": '["' + '","'.join(used) + '"]' if used else ""}
    facts = PackageFacts(package_id=pid, package_type=ptype, state=state, private=False, owner_org=org,
                         num_resources=1, extras=extras, formats=[fmt])
    recorder.record(model.Session.connection(), facts, dt.datetime.fromisoformat(day + "T02:00:00"))
    return pid


def test_dashboard_numbers_equal_the_api(gd_db, live_server, browser_page):
    heyuan = _org("city-441600", "河源市", "441600", "city")
    dept = _org("dept-a", "省交通运输厅", "440000", "department")
    ids = [_record(heyuan, "2018-03-03") for _ in range(3)]
    _record(dept, "2018-03-03", themes=("道路交通",), fmt="JSON")
    _record(dept, "2018-07-07", ptype="application", used=(ids[0],))
    _record(heyuan, "2018-07-07", state="deleted", pid=ids[2])
    model.Session.commit()
    as_of = "2018-12-31"
    progress = helpers.call_action("guangdong_target_progress", as_of=as_of)
    stats = helpers.call_action("guangdong_open_stats", as_of=as_of)

    page = browser_page
    page.goto(f"{live_server}/open-progress?as_of={as_of}")
    assert page.locator("h1.page-heading").first.inner_text().strip() in ("开放进度", "Open-data progress")

    shown = {el.get_attribute("data-target-id"): el for el in page.locator("section.gd-progress").all()}
    assert set(shown) == {t["id"] for t in progress["targets"]}
    for t in progress["targets"]:
        section = shown[t["id"]]
        assert int(section.locator(".gd-count").inner_text()) == t["count"]
        assert section.get_attribute("data-status") == t["status"]
        # After its deadline, a target is judged and drawn by its count at the deadline.
        judged = t["count"] if t["count_at_deadline"] is None else t["count_at_deadline"]
        bar = section.locator("[role=progressbar]")
        assert bar.get_attribute("aria-valuetext") == f"{judged} / {t['threshold']}"
        assert bar.locator("span").bounding_box()["width"] > 0 or judged == 0
    assert int(page.locator(".gd-total[data-metric=datasets]").inner_text()) == stats["datasets"] == 3
    assert int(page.locator(".gd-total[data-metric=applications]").inner_text()) == stats["applications"] == 1

    chart = page.locator("figure svg.gd-chart")
    assert chart.is_visible() and chart.bounding_box()["width"] > 300
    assert chart.locator("title").text_content() and "2018-12-31" in chart.locator("desc").text_content()
    lines = {el.get_attribute("data-metric"): int(el.get_attribute("data-last"))
             for el in chart.locator("polyline.gd-chart-line").all()}
    assert lines == {"datasets": stats["series"]["datasets"][-1]["count"],
                     "applications": stats["series"]["applications"][-1]["count"]}
    thresholds = sorted(int(g.get_attribute("data-threshold")) for g in chart.locator("g.gd-chart-target").all())
    assert thresholds == sorted(t["threshold"] for t in progress["targets"] if t["scope"] == "province")

    # The text alternative: the chart's figures as a table.
    page.locator("details.gd-series summary").click()
    table = [[c.inner_text() for c in row.locator("td").all()] for row in page.locator("details.gd-series tbody tr").all()]
    assert [(r[0], int(r[1]), int(r[2])) for r in table] == [
        (d["month"], d["count"], a["count"]) for d, a in zip(stats["series"]["datasets"], stats["series"]["applications"], strict=False)]

    # The ranking lists all 21 cities, most open datasets first; provincial departments
    # (440000) are ranked in their own table.
    rows = page.locator("table.gd-by-city tbody tr").all()
    cities = {row.get_attribute("data-region"): int(row.locator(".gd-datasets").inner_text()) for row in rows}
    assert len(rows) == 21 and rows[0].get_attribute("data-region") == "441600"
    assert rows[0].locator(".gd-rank").inner_text() == "1" and rows[1].locator(".gd-rank").inner_text() == "2"
    assert {k: v for k, v in cities.items() if v} == {"441600": 2}
    assert {c["region_code"]: c["datasets"] for c in stats["by_city"]} == {"441600": 2, "440000": 1}
    themes = {row.get_attribute("data-theme"): int(row.locator(".gd-datasets").inner_text())
              for row in page.locator("table.gd-by-theme tbody tr").all()}
    assert themes == {t["value"]: t["datasets"] for t in stats["by_theme"]}
    assert page.locator("table.gd-by-department tbody tr").count() == len(stats["by_department"]) == 1
    assert page.outside_requests == []  # type: ignore[attr-defined]
    if os.environ.get("GD_SCREENSHOT_DIR"):  # for a human look at the page
        page.screenshot(path=os.path.join(os.environ["GD_SCREENSHOT_DIR"], "open-progress.png"), full_page=True)
