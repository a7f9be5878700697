"""Chinese files load right: every encoding and header shape, through the real job worker, from
files served by a real HTTP server on 127.0.0.1 (tests/data/conftest.py)."""
from __future__ import annotations

import data_files as f
import pytest
from data_support import field_types, no_table, records

pytestmark = pytest.mark.usefixtures("worker")


def _values(rows: list[dict]) -> list[dict]:
    return [{k: (f.as_number(v) if k == "常住人口（万人）" else v) for k, v in r.items()} for r in rows]


@pytest.mark.parametrize("encoding,label", [
    ("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 (BOM)"), ("gb18030", "GB18030 (GBK)"),
    ("utf-16", "UTF-16"), ("utf-16-le-nobom", "UTF-16LE"),
])
def test_each_encoding_loads_with_chinese_headers_and_values(load, files, encoding: str, label: str) -> None:
    text = f.csv_text(f.HEADER, f.ROWS)
    pkg, res, report = load(files.add(f.encoded(text, encoding)))
    assert report["state"] == "complete", report["error"]
    assert report["encoding"] == label
    assert list(field_types(res["id"])) == f.HEADER
    assert field_types(res["id"]) == {"地区": "text", "常住人口（万人）": "numeric",
                                      "统计日期": "date", "备注": "text"}
    assert _values(records(res["id"])) == f.EXPECTED


def test_gbk_file_as_chinese_excel_saves_it(load, files) -> None:
    text = f.csv_text(f.HEADER, f.gbk_rows())
    pkg, res, report = load(files.add(text.encode("gbk")))
    assert report["state"] == "complete", report["error"]
    assert report["encoding"] == "GB18030 (GBK)"
    assert records(res["id"])[1]["备注"] == "广州市天河区，新中心"


def test_big5_file(load, files) -> None:
    text = f.csv_text(f.BIG5_HEADER, f.BIG5_ROWS)
    pkg, res, report = load(files.add(text.encode("big5")))
    assert report["state"] == "complete", report["error"]
    assert report["encoding"] == "Big5"
    assert records(res["id"]) == [{"地區": "臺北市", "人口": 250, "日期": "2024-03-05"},
                                  {"地區": "高雄市", "人口": 273, "日期": "2024-03-06"}]


def test_tsv_file(load, files) -> None:
    text = f.csv_text(f.HEADER, f.gbk_rows(), delimiter="\t")
    pkg, res, report = load(files.add(text.encode("gbk"), suffix=".tsv"), fmt="TSV")
    assert report["state"] == "complete", report["error"]
    assert list(field_types(res["id"])) == f.HEADER


def test_title_rows_merged_header_and_notes(load, files) -> None:
    pkg, res, report = load(files.add(f.merged_header_csv().encode("gbk")))
    assert report["state"] == "complete", report["error"]
    assert report["header_line"] == 3
    assert report["rows"] == 2
    assert list(field_types(res["id"])) == ["地区", "常住人口_男", "常住人口_女", "统计日期"]
    rows = records(res["id"])
    assert [f.as_number(r["常住人口_男"]) for r in rows] == [51.2, 1120]
    assert [f.as_number(r["常住人口_女"]) for r in rows] == [52.3, 1127.8]
    assert [r["统计日期"] for r in rows] == ["2024-03-05", "2024-03-05"]
    joined = " ".join(report["warnings"][i]["message"] for i in range(len(report["warnings"])))
    assert "title row" in joined and "note row" in joined


def test_xlsx_with_merged_title_and_header_cells(load, files) -> None:
    pkg, res, report = load(files.add(f.xlsx_bytes(), suffix=".xlsx"), fmt="XLSX")
    assert report["state"] == "complete", report["error"]
    assert report["encoding"] is None
    assert field_types(res["id"]) == {"地区": "text", "常住人口_男": "numeric",
                                      "常住人口_女": "numeric", "统计日期": "date"}
    rows = records(res["id"])
    assert rows[1]["地区"] == "天河区" and f.as_number(rows[1]["常住人口_男"]) == 1120
    assert rows[0]["统计日期"] == "2024-03-05"


def test_declared_string_data_item_keeps_codes_as_text(load, files) -> None:
    text = f.csv_text(["区划代码", "名称"], [["440103", "荔湾区"], ["440104", "越秀区"]])
    pkg, res, report = load(files.add(text.encode("utf-8")), data_items=[
        {"name": "区划代码", "type": "string", "description": "GB/T 2260"},
        {"name": "名称", "type": "string"}])
    assert report["state"] == "complete", report["error"]
    assert field_types(res["id"])["区划代码"] == "text"
    assert records(res["id"])[0]["区划代码"] == "440103"


@pytest.mark.parametrize("content,expected", [
    (b"", "empty"),
    ("1,张三,2024/3/5\r\n2,李四,2024/3/6\r\n".encode("gbk"), "no header row"),
    ("地区,人口\r\n".encode(), "no data rows"),
    (bytes(range(256)) * 40, "not text"),
    (b"%PDF-1.4\n" + bytes(500), "PDF"),
    # declared CSV: never read as a one-column table of its lines (trial 9, item 4)
    ('{"total": 1,\n "data": [{"地区": "越秀区", "人口": 1}]}'.encode(), "JSON"),
])
def test_files_that_are_not_tables_are_errors(load, files, content: bytes, expected: str) -> None:
    pkg, res, report = load(files.add(content))
    assert report["state"] == "error"
    assert expected in report["error"]["message"] % report["error"]["params"]
    assert no_table(res["id"])


def test_nul_bytes_are_dropped_with_a_warning(load, files) -> None:
    text = f.csv_text(["名称", "数量"], [["甲\x00", "1"], ["乙", "2"]])
    pkg, res, report = load(files.add(text.encode("utf-8")))
    assert report["state"] == "complete", report["error"]
    assert [r["名称"] for r in records(res["id"])] == ["甲", "乙"]
    assert any("NUL" in w["message"] for w in report["warnings"])


def test_uploaded_file_is_loaded_from_storage(org, worker) -> None:
    """An upload (url_type upload) through resource_create: the worker reads it from the portal's
    storage, no HTTP involved."""
    import io

    from ckan.tests import helpers
    from data_support import dataset, sysadmin_context, utcnow, wait_for_load
    from werkzeug.datastructures import FileStorage
    pkg = dataset(org["id"], [])
    since = utcnow()
    data = f.csv_text(f.HEADER, f.gbk_rows()).encode("gbk")
    res = helpers.call_action("resource_create", sysadmin_context(), package_id=pkg["id"],
                              name="上传的文件", url="人口.csv", format="CSV",
                              upload=FileStorage(io.BytesIO(data), "人口.csv", content_type="text/csv"))
    assert res["url_type"] == "upload"
    report = wait_for_load(res["id"], since)
    assert report["state"] == "complete", report["error"]
    assert list(field_types(res["id"])) == f.HEADER


def test_unchanged_file_keeps_its_report(load, files) -> None:
    from ckan.tests import helpers
    from data_support import sysadmin_context, utcnow, wait_for_load
    pkg, res, report = load(files.add(f.csv_text(f.HEADER, f.gbk_rows()).encode("gbk")))
    assert report["state"] == "complete"
    since = utcnow()
    assert helpers.call_action("xloader_submit", sysadmin_context(), resource_id=res["id"]) is True
    again = wait_for_load(res["id"], since)
    assert again["state"] == "complete"
    assert again["rows"] == 3 and again["encoding"] == "GB18030 (GBK)"  # not reloaded, not lost
    assert len(records(res["id"])) == 3


def test_uploaded_phone_numbers_and_codes_stay_text(org, worker) -> None:
    """An uploaded table's 手机号, landline, postcode and long digit columns load as text, exactly
    as written (no lost leading zeros, no 13,800,138,000); a count stays a number."""
    import io

    from ckan.tests import helpers
    from data_support import dataset, sysadmin_context, utcnow, wait_for_load
    from werkzeug.datastructures import FileStorage
    header = ["联系人", "手机号", "固定电话", "邮编", "备案号", "人数"]
    rows = [["张三", "13800138000", "0755 8888 1234", "510000", "44010612345", "12"],
            ["李四", "13912345678", "02012345678", "518000", "44030498765", "3"]]
    pkg = dataset(org["id"], [])
    since = utcnow()
    data = f.csv_text(header, rows).encode("utf-8")
    res = helpers.call_action("resource_create", sysadmin_context(), package_id=pkg["id"],
                              name="联系方式", url="联系方式.csv", format="CSV",
                              upload=FileStorage(io.BytesIO(data), "联系方式.csv", content_type="text/csv"))
    report = wait_for_load(res["id"], since)
    assert report["state"] == "complete", report["error"]
    assert field_types(res["id"]) == {"联系人": "text", "手机号": "text", "固定电话": "text",
                                      "邮编": "text", "备案号": "text", "人数": "numeric"}
    loaded = records(res["id"])
    assert [r["手机号"] for r in loaded] == ["13800138000", "13912345678"]
    assert [r["固定电话"] for r in loaded] == ["0755 8888 1234", "02012345678"]
    assert [r["邮编"] for r in loaded] == ["510000", "518000"]
    assert [r["备案号"] for r in loaded] == ["44010612345", "44030498765"]
    assert [f.as_number(r["人数"]) for r in loaded] == [12, 3]
