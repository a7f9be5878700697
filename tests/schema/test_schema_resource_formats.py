"""A file or link without a typed format is never refused: its format is inferred from the
file name and media type onto our list (schemas/vocab/formats.yaml), on every path a resource
comes in by (API upload, API link, dataset create, harvest mapping; the form in Chromium is in
test_schema_resource_form_browser.py). A typed format still has to be one of the list."""
from __future__ import annotations

import io
import uuid
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories, helpers
from gd_testing import dataset_dict, make_org, make_user

from ckanext.guangdong.harvesters.crosswalk import load as load_crosswalk
from ckanext.guangdong.harvesters.mapping import RemoteRecord, map_record
from ckanext.guangdong.metadata import vocab

pytestmark = pytest.mark.usefixtures("gd")


@pytest.mark.parametrize("name,media_type,expected", [
    ("data.csv", None, "CSV"),
    ("https://data.example.cn/files/report.XLSX?download=1#sheet", None, "XLSX"),
    ("http://127.0.0.1/api/list.json", None, "JSON"),
    ("photo.jpg", None, "JPEG"),
    ("index.htm", None, "HTML"),
    ("no-extension", "text/csv", "CSV"),
    ("no-extension", "text/csv; charset=utf-8", "CSV"),
    ("no-extension", "application/vnd.ms-excel", "XLS"),
    ("no-extension", "https://www.iana.org/assignments/media-types/application/json", "JSON"),
    ("no-extension", "image/png", "PNG"),
    ("no-extension", None, None),
    ("program.exe", "application/octet-stream", None),
    ("", "", None),
    (None, None, None),
    ("a\x00.csv", None, "CSV"),
    ("x." + "a" * 100_000, "b/" * 10_000, None),
    ("<script>alert(1)</script>.json", "<b>", "JSON"),
])
def test_infer_format(name, media_type, expected):
    assert vocab.infer_format(name, media_type) == expected


@pytest.mark.parametrize("typed,stored", [
    ("csv", "CSV"), ("text/csv", "CSV"), ("TEXT/CSV", "CSV"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    ("http://publications.europa.eu/resource/authority/file-type/XLSX", "XLSX"),
    ("jpg", "JPEG"), ("exe", None), ("foo/bar", None),
])
def test_typed_formats_map_onto_the_list(typed, stored):
    assert vocab.canonical_format(typed) == stored


@pytest.fixture(scope="module")
def editor(gd_plugins: None) -> dict[str, Any]:
    user = make_user()
    org = make_org(users=[{"name": user["name"], "capacity": "editor"}])
    token = factories.APIToken(user=user["name"])["token"]
    pkg = tk.get_action("package_create")(
        {"user": user["name"]}, dataset_dict(org["id"], resources=[]))
    return {"user": user, "org": org, "headers": {"Authorization": token}, "pkg": pkg}


def _post_resource(gd_app, editor, data: dict[str, Any], status: int = 200) -> dict[str, Any]:
    answer = gd_app.post("/api/3/action/resource_create", headers=editor["headers"],
                         data={"package_id": editor["pkg"]["id"], **data}, status=status)
    return answer.json


def test_api_upload_without_format(gd_app, editor):
    body = "站点,AQI\n越秀,42\n".encode()
    res = _post_resource(gd_app, editor, {"upload": (io.BytesIO(body), "data.csv")})["result"]
    assert res["format"] == "CSV" and res["url_type"] == "upload"
    assert res["name"] == "data.csv"  # no name typed: the file's
    assert res["url"].endswith("/download/data.csv")


@pytest.mark.parametrize("filename,expected", [
    ("统计表.xlsx", "XLSX"), ("list.json", "JSON"), ("map.png", "PNG"), ("README", ""),
])
def test_api_upload_of_other_files(gd_app, editor, filename, expected):
    res = _post_resource(gd_app, editor, {"upload": (io.BytesIO(b"x" * 10), filename),
                                          "name": f"文件 {filename}"})["result"]
    assert res["format"] == expected


@pytest.mark.parametrize("url,expected", [
    ("http://127.0.0.1/files/report.xlsx", "XLSX"),
    ("http://127.0.0.1/files/report.json?page=2", "JSON"),
    ("http://127.0.0.1/api/items", ""),
])
def test_api_link_without_format(gd_app, editor, url, expected):
    res = _post_resource(gd_app, editor, {"url": url, "name": "链接"})["result"]
    assert res["format"] == expected


def test_a_typed_format_outside_the_list_is_still_refused(gd_app, editor):
    answer = _post_resource(gd_app, editor, {"url": "http://127.0.0.1/x.csv", "name": "程序",
                                             "format": "EXE"}, status=409)
    assert "EXE" in str(answer["error"])


def test_dataset_create_and_update_infer_formats(editor):
    ctx = {"user": editor["user"]["name"]}
    data = dataset_dict(editor["org"]["id"], resources=[
        {"url": "http://127.0.0.1/a.csv", "name": "甲"},
        {"url": "http://127.0.0.1/b", "name": "乙", "mimetype": "application/json"},
    ])
    pkg = tk.get_action("package_create")(ctx, data)
    assert [r["format"] for r in pkg["resources"]] == ["CSV", "JSON"]
    res = helpers.call_action("resource_update", ctx, id=pkg["resources"][0]["id"],
                              url="http://127.0.0.1/a.xlsx", name="甲", format="")
    assert res["format"] == "XLSX"


def test_harvested_files_without_a_usable_format(editor):
    """The harvesters map remote records and create datasets through the same actions."""
    record = RemoteRecord(f"r-{uuid.uuid4().hex[:6]}", {
        "资源名称": "河源市测试数据", "identifier": f"44160009/{uuid.uuid4().int % 10**8:08d}"},
        resources=[{"url": "http://127.0.0.1/files/data.xlsx", "name": "附件一"},
                   {"url": "http://127.0.0.1/files/data", "name": "附件二",
                    "format": "application/json"}])
    mapped = map_record(record, load_crosswalk())
    data = dataset_dict(editor["org"]["id"], resources=mapped.resources)
    pkg = tk.get_action("package_create")({"user": editor["user"]["name"]}, data)
    assert [r["format"] for r in pkg["resources"]] == ["XLSX", "JSON"]
