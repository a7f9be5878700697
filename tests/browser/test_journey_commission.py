"""The commission's journey, in Chinese and in English: the open-data progress dashboard →
change the date → export the figures as CSV and as XLSX."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from browser_catalog import _context, ensure_org

pytestmark = pytest.mark.usefixtures("browser_plugins")


@pytest.fixture(scope="module")
def history(live_server):
    """Three open datasets of 河源市 published in 2018 (dated back as the demo's are)."""
    from ckanext.guangdong.events import backfill
    from ckanext.guangdong.targets import cube
    org = ensure_org("city-441600", "河源市", "441600", "city")
    ids = []
    for i, day in enumerate(("2018-03-05", "2018-06-18", "2018-11-30")):
        pkg = tk.get_action("package_create")(_context(), {
            "type": "dataset", "title": f"河源市进度测试数据{i}{uuid.uuid4().hex[:4]}", "notes": "测试。",
            "owner_org": org["id"], "identifier": f"441600/{uuid.uuid4().int % 10**10:010d}",
            "publisher_name": "河源市政务服务数据管理局", "publisher_identifier": "11440000006940081X",
            "theme": ["民生服务"], "access_rights": "unconditional", "frequency": "annual",
            "issued": day, "region_code": "441600", "contact_name": "数据科",
            "contact_email": "opendata@heyuan.gov.cn", "contact_phone": "0762-3312345",
            "share_type": "conditional_share", "data_level": "level2", "deidentified": "true",
            "resources": [{"url": "http://127.0.0.1/x.csv", "name": "数据", "format": "CSV"}]})
        ids.append((pkg["id"], day))
    conn = model.Session.connection()
    backfill.date_first_publications(conn, {pid: dt.datetime.fromisoformat(day + "T02:00:00") for pid, day in ids})
    cube.clear(conn)
    model.Session.commit()
    return ids


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_commission_journey(journey, history, lang):
    j = journey("commission", lang)
    page = j.page
    j.goto("/open-progress")
    assert page.locator("section.gd-progress").count() >= 5
    assert page.locator("figure svg.gd-chart polyline.gd-chart-line").count() == 2
    j.check("dashboard")

    # Another date, with the page's own form.
    page.fill("#gd-as-of", "2018-12-31")
    page.locator("form:has(#gd-as-of) button[type=submit]").click()
    page.wait_for_url(re.compile(r"as_of=2018-12-31"))
    assert page.locator("article.gd-open-progress").get_attribute("data-as-of") == "2018-12-31"
    heyuan = page.locator("section[data-target-id=heyuan-datasets-2018]")
    expected = tk.get_action("guangdong_target_progress")({"user": ""}, {
        "as_of": "2018-12-31", "id": "heyuan-datasets-2018"})["targets"][0]
    assert int(heyuan.locator(".gd-count").inner_text()) == expected["count"] >= 3
    j.check("dashboard-2018")

    # The same figures as CSV and as XLSX.
    name, body = j.download(lambda: page.locator("a[href*='export.csv']").click())
    assert name == "open-progress-2018-12-31.csv"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert any("heyuan-datasets-2018" in row or expected["title"]["zh_Hans_CN"] in row for row in rows), rows[:5]
    name, body = j.download(lambda: page.locator("a[href*='export.xlsx']").click())
    assert name == "open-progress-2018-12-31.xlsx"
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(body), read_only=True)
    target_rows = [row for row in book.worksheets[0].iter_rows(values_only=True)
                   if row and row[0] == expected["title"]["zh_Hans_CN"]]
    assert len(target_rows) == 1 and expected["count"] in target_rows[0]
    j.finish()
