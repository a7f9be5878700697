"""What people get from a loaded table: downloads in every format that round-trip the rows (with
formula cells neutralised), Chinese search in the API and the DataTables preview, the 数据接口
tab whose Python example runs, the 数据量 check on the dataset page and in the harvest report,
and the GBK file stock xloader garbles, loaded right by ours."""
from __future__ import annotations

import csv
import io
import json
import logging
import re
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET
from typing import Any

import data_files as f
import pytest
from ckan.tests import helpers
from data_support import dataset, field_types, records, search, utcnow, wait_for_load

pytestmark = pytest.mark.usefixtures("worker")


@pytest.fixture(scope="module")
def table(worker: None, files: Any, org: dict) -> dict[str, Any]:
    since = utcnow()
    url = files.add(f.csv_text(f.HEADER, f.gbk_rows()).encode("gbk"))
    pkg = dataset(org["id"], [{"url": url, "name": "各区人口.csv", "format": "CSV"}],
                  record_count=3, data_items=[
                      {"name": "地区", "type": "integer", "description": "区名"},
                      {"name": "常住人口（万人）", "type": "decimal", "description": "年末常住人口"},
                      {"name": "统计日期", "type": "date", "description": "统计时点"},
                      {"name": "面积", "type": "decimal", "description": "平方公里"}])
    res = pkg["resources"][0]
    assert wait_for_load(res["id"], since)["state"] == "complete"
    return {"pkg": pkg, "res": res, "rows": records(res["id"])}


def _download(gd_app: Any, table: dict, fmt: str) -> Any:
    resp = gd_app.get(f"/dataset/{table['pkg']['name']}/resource/{table['res']['id']}/data.{fmt}")
    assert resp.status_code == 200
    return resp


def _as_strings(rows: list[dict]) -> list[dict]:
    return [{k: str(f.as_number(v)) if isinstance(v, (int, float)) or k == "常住人口（万人）" else str(v)
             for k, v in r.items()} for r in rows]


def test_csv_download_has_a_bom_and_round_trips(gd_app: Any, table: dict) -> None:
    resp = _download(gd_app, table, "csv")
    body = resp.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    assert "charset=utf-8" in resp.headers["Content-Type"]
    assert "filename*=UTF-8''" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert _as_strings(rows) == _as_strings(table["rows"])


def test_tsv_download_round_trips(gd_app: Any, table: dict) -> None:
    body = _download(gd_app, table, "tsv").get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body), dialect="excel-tab"))
    assert _as_strings(rows) == _as_strings(table["rows"])


def test_json_download_round_trips_with_types(gd_app: Any, table: dict) -> None:
    doc = json.loads(_download(gd_app, table, "json").get_data())
    assert [fl["id"] for fl in doc["fields"]] == list(table["rows"][0])
    assert {fl["id"]: fl["type"] for fl in doc["fields"]}["常住人口（万人）"] == "numeric"
    assert _as_strings(doc["records"]) == _as_strings(table["rows"])


def test_xml_download_round_trips(gd_app: Any, table: dict) -> None:
    root = ET.fromstring(_download(gd_app, table, "xml").get_data())
    rows = [{fl.get("name"): fl.text or "" for fl in rec} for rec in root.findall("record")]
    assert _as_strings(rows) == _as_strings(table["rows"])


def test_xlsx_download_round_trips_with_numbers_and_dates(gd_app: Any, table: dict) -> None:
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(_download(gd_app, table, "xlsx").get_data()))
    values = list(book.active.iter_rows(values_only=True))
    assert list(values[0]) == list(table["rows"][0])
    assert values[2][0] == "天河区" and values[2][1] == 2247.8
    assert str(values[1][2])[:10] == "2024-03-05"


@pytest.fixture(scope="module")
def formulas(worker: None, files: Any, org: dict) -> dict[str, Any]:
    since = utcnow()
    header, rows = f.formula_rows()
    pkg = dataset(org["id"], [{"url": files.add(f.csv_text(header, rows).encode("utf-8")),
                               "name": "公式", "format": "CSV"}])
    res = pkg["resources"][0]
    assert wait_for_load(res["id"], since)["state"] == "complete"
    return {"pkg": pkg, "res": res, "rows": rows}


@pytest.mark.parametrize("fmt,dialect", [("csv", "excel"), ("tsv", "excel-tab")])
def test_formula_cells_are_neutralised_in_delimited_downloads(gd_app: Any, formulas: dict, fmt: str, dialect: str) -> None:
    body = _download(gd_app, formulas, fmt).get_data().decode("utf-8-sig")
    cells = [r["公式"] for r in csv.DictReader(io.StringIO(body), dialect=dialect)]
    assert cells == ["'" + r[1] for r in formulas["rows"]]
    assert all(not c.startswith(("=", "+", "-", "@")) for c in cells)


def test_formula_cells_are_text_in_xlsx(gd_app: Any, formulas: dict) -> None:
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(_download(gd_app, formulas, "xlsx").get_data()))
    cells = [row[1] for row in book.active.iter_rows(min_row=2)]
    assert [c.value for c in cells] == [r[1] for r in formulas["rows"]]
    assert all(c.data_type == "s" for c in cells)  # strings, never formulas


def test_chinese_search_matches_inside_values(table: dict) -> None:
    rid = table["res"]["id"]
    assert [r["地区"] for r in search(rid, q="天河")["records"]] == ["天河区"]
    assert [r["地区"] for r in search(rid, q="新中心 广州")["records"]] == ["天河区"]
    assert [r["地区"] for r in search(rid, q={"备注": "老城"})["records"]] == ["越秀区"]
    assert search(rid, q="不存在的词")["total"] == 0
    assert search(rid, q="100%_")["total"] == 0  # LIKE wildcards are literal


def test_numbers_sort_as_numbers_and_filter(table: dict) -> None:
    rid = table["res"]["id"]
    ordered = [r["地区"] for r in search(rid, sort="常住人口（万人） desc")["records"]]
    assert ordered == ["天河区", "越秀区", "番禺区"]
    assert [r["地区"] for r in search(rid, filters={"统计日期": "2024-03-06"})["records"]] == ["番禺区"]


def test_preview_search_finds_chinese_sorts_and_pages(gd_app: Any, table: dict) -> None:
    views = helpers.call_action("resource_view_list", id=table["res"]["id"])
    view = next(v for v in views if v["view_type"] == "datatables_view")
    cols = ["_id"] + list(table["rows"][0])  # the preview's columns: _id first
    base = {"draw": 3, "start": 0, "length": 2, "order[0][column]": 2, "order[0][dir]": "asc"}
    for i, c in enumerate(cols):
        base[f"columns[{i}][name]"] = c
        base[f"columns[{i}][search][value]"] = ""
    data = json.loads(gd_app.post(f"/datatables/ajax/{view['id']}", data=dict(base, **{"search[value]": "天河"})).get_data())
    assert data["recordsFiltered"] == 1 and data["data"][0]["地区"] == "天河区"
    data = json.loads(gd_app.post(f"/datatables/ajax/{view['id']}", data=dict(base, **{"search[value]": ""})).get_data())
    assert data["recordsTotal"] == 3 and len(data["data"]) == 2
    assert [d["地区"] for d in data["data"]] == ["番禺区", "越秀区"]  # by population, paged
    col = dict(base, **{"search[value]": "", "columns[4][search][value]": "新中心"})
    data = json.loads(gd_app.post(f"/datatables/ajax/{view['id']}", data=col).get_data())
    assert [d["地区"] for d in data["data"]] == ["天河区"]


def test_api_tab_lists_fields_and_data_item_mismatches(gd_app: Any, table: dict) -> None:
    pkg, res = table["pkg"], table["res"]
    html = gd_app.get(f"/dataset/{pkg['name']}/resource/{res['id']}/api").get_data(as_text=True)
    assert res["id"] in html and "datastore_search_sql" in html
    assert 'data-problem="missing"' in html      # 面积 declared, not in the file
    assert 'data-problem="type"' in html         # 地区 declared as integer, holds names
    assert 'data-problem="undeclared"' in html   # 备注 in the file, not declared
    assert html.count('data-problem=""') == 2    # 常住人口（万人）, 统计日期 agree
    assert "curl -G" in html and "urllib.request" in html


def test_api_tab_python_example_runs(app_server: str, table: dict, tmp_path: Any) -> None:
    import html as html_lib
    import urllib.request

    from ckan.common import config
    pkg, res = table["pkg"], table["res"]
    page = urllib.request.urlopen(f"{app_server}/dataset/{pkg['name']}/resource/{res['id']}/api").read().decode()
    code = html_lib.unescape(re.search(r'data-example="python"><code>(.*?)</code>', page, re.S).group(1))
    code = code.replace(config["ckan.site_url"].rstrip("/"), app_server)  # the test server's address
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "越秀区" in out.stdout and "'地区'" in out.stdout


def test_curl_examples_are_shell_safe(gd_app: Any, table: dict) -> None:
    import shlex

    from ckanext.guangdong.data.helpers import guangdong_data_api_examples
    with gd_app.flask_app.test_request_context():
        api = guangdong_data_api_examples(table["pkg"], table["res"])
    for call in api["calls"]:
        args = shlex.split(call["curl"])
        assert args[0] == "curl" and any(a.startswith("resource_id=") for a in args)


def test_declared_record_count_is_checked(gd_app: Any, table: dict, files: Any, org: dict) -> None:
    html = gd_app.get(f"/dataset/{table['pkg']['name']}").get_data(as_text=True)
    assert 'id="record-count-mismatch"' not in html  # 3 declared, 3 loaded
    since = utcnow()
    pkg = dataset(org["id"], [{"url": files.add(f.csv_text(f.HEADER, f.gbk_rows()).encode("gbk")),
                               "name": "人口", "format": "CSV"}], record_count=1200)
    assert wait_for_load(pkg["resources"][0]["id"], since)["state"] == "complete"
    html = gd_app.get(f"/dataset/{pkg['name']}").get_data(as_text=True)
    assert 'id="record-count-mismatch"' in html and 'data-declared="1200"' in html and 'data-rows="3"' in html
    check = helpers.call_action("guangdong_data_record_count_check", id=pkg["id"])
    assert check["status"] == "mismatch" and check["total_rows"] == 3


def test_harvest_report_lists_record_count_mismatches_and_failed_loads(gd_app: Any, files: Any, org: dict) -> None:
    from ckan import model
    from ckanext.harvest.model import HarvestObject
    from ckanext.harvest.tests import factories as hf
    since = utcnow()
    good = dataset(org["id"], [{"url": files.add(f.csv_text(f.HEADER, f.gbk_rows()).encode("gbk")),
                                "name": "人口", "format": "CSV"}], record_count=99)
    bad = dataset(org["id"], [{"url": files.add(b""), "name": "空文件", "format": "CSV"}])
    for pkg in (good, bad):
        wait_for_load(pkg["resources"][0]["id"], since)
    source = hf.HarvestSourceObj(url=f"http://127.0.0.1:1/{uuid.uuid4().hex}", source_type="guangdong_api",
                                 name=f"src-{uuid.uuid4().hex[:10]}", title="测试采集源",
                                 owner_org=org["id"])
    job = hf.HarvestJobObj(source=source)
    for pkg in (good, bad):
        obj = HarvestObject(guid=pkg["name"], job=job, source=source, package_id=pkg["id"], current=True)
        obj.save()
    model.Session.commit()
    from ckan.tests import factories
    from gd_testing import make_sysadmin
    token = factories.APIToken(user=make_sysadmin()["name"])["token"]
    resp = gd_app.get(f"/harvest/{source.id}/job/{job.id}", headers={"Authorization": token})
    html = resp.get_data(as_text=True)
    assert 'id="data-checks"' in html, (resp.status_code, html[:300])
    section = html[html.index('id="data-checks"'):]
    assert good["title"] in section and "99" in section
    assert bad["name"] in section or "empty" in section or "空" in section


def test_stock_xloader_garbles_gbk_and_ours_reads_it(table: dict, files: Any, org: dict, tmp_path: Any) -> None:
    """The same GBK file through ckanext-xloader's own loader (load_csv, what its job runs) into a
    second resource: its headers come out garbled or the load fails; ours has the Chinese."""
    from ckanext.xloader import loader as xloader
    from ckanext.xloader.job_exceptions import LoaderError
    pkg = dataset(org["id"], [{"url": "http://127.0.0.1:1/stock.csv", "name": "stock", "format": "TXT"}])
    rid = pkg["resources"][0]["id"]
    path = tmp_path / "gbk.csv"
    path.write_bytes(f.csv_text(f.HEADER, f.gbk_rows()).encode("gbk"))
    logger = logging.getLogger("stock-xloader")
    try:
        xloader.load_csv(str(path), resource_id=rid, mimetype="text/csv", logger=logger)
        stock_headers = list(field_types(rid))
    except LoaderError:
        stock_headers = []
    assert stock_headers != f.HEADER
    assert not set(f.HEADER) & set(stock_headers)
    assert list(field_types(table["res"]["id"])) == f.HEADER


def test_resource_page_shows_load_status_in_chinese_and_english(gd_app: Any, table: dict, files: Any, org: dict) -> None:
    pkg, res = table["pkg"], table["res"]
    zh = gd_app.get(f"/dataset/{pkg['name']}/resource/{res['id']}").get_data(as_text=True)
    assert "已加载到数据服务" in zh and "3 行，4 列" in zh and "GB18030" in zh
    assert "数据预览" in zh and "数据接口" in zh and "Excel (XLSX)" in zh
    assert f"/dataset/{pkg['name']}/resource/{res['id']}/data.xlsx" in zh
    assert "/datastore/dump/" not in zh  # our neutralising downloads replace the stock menu
    # the green 数据接口 button opens our tab, not the stock English modal (trial 9, item 5)
    assert 'data-module="api-info"' not in zh
    assert f'guangdong-data-api-button" href="/dataset/{pkg["id"]}/resource/{res["id"]}/api"' in zh
    en = gd_app.get(f"/en/dataset/{pkg['name']}/resource/{res['id']}").get_data(as_text=True)
    assert "Loaded into the data service" in en and "3 rows, 4 columns" in en
    since = utcnow()
    bad = dataset(org["id"], [{"url": files.add("1,张三,2024/3/5\r\n2,李四,2024/3/6\r\n".encode("gbk")),
                               "name": "无表头", "format": "CSV"}])
    rid = bad["resources"][0]["id"]
    wait_for_load(rid, since)
    zh = gd_app.get(f"/dataset/{bad['name']}/resource/{rid}").get_data(as_text=True)
    assert "文件未能加载到数据服务" in zh and "文件没有表头" in zh
    en = gd_app.get(f"/en/dataset/{bad['name']}/resource/{rid}").get_data(as_text=True)
    assert "The file has no header row" in en
    zh = gd_app.get(f"/dataset/{bad['name']}").get_data(as_text=True)
    assert 'id="load-failed"' in zh and "文件没有表头" in zh


def test_pdf_and_geojson_resources_get_their_views(org: dict) -> None:
    from ckan.common import config
    site = config["ckan.site_url"].rstrip("/")  # text_view shows files of the portal's own host
    pkg = dataset(org["id"], [
        {"url": f"{site}/report.pdf", "name": "年报", "format": "PDF"},
        {"url": "http://127.0.0.1:1/other.pdf", "name": "别处", "format": "PDF"},
        {"url": f"{site}/areas.geojson", "name": "区划", "format": "GeoJSON"}])
    views = {r["name"]: {v["view_type"] for v in helpers.call_action("resource_view_list", id=r["id"])}
             for r in pkg["resources"]}
    assert "pdf_view" in views["年报"]
    assert "pdf_view" not in views["别处"]  # a file on another host is not loaded into the page
    assert "text_view" in views["区划"]
