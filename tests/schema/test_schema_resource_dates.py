"""A resource's 发布日期 and 更新日期 on its page: the dates it was given, else the portal's own
dates of the resource (created; last modified or its metadata's), never a blank row."""
from __future__ import annotations

import re

import pytest
from gd_testing import dataset_dict, make_org, make_sysadmin

pytestmark = pytest.mark.usefixtures("gd_plugins")


def _row(page: str, label: str) -> str:
    found = re.search(rf"<th scope=\"row\">{label}</th>\s*<td>(.*?)</td>", page, re.S)
    assert found, label
    return re.sub(r"<[^>]+>|\s+", " ", found.group(1)).strip()


@pytest.mark.parametrize("prefix,issued,modified", [
    ("", "发布日期", "更新日期"), ("/en", "Release date", "Modification date")])
def test_resource_dates_are_never_blank(gd_app, prefix, issued, modified):
    year = re.compile(r"^20\d\d-\d\d-\d\d$")  # as a dated resource's dates read
    import ckan.plugins.toolkit as tk
    org = make_org()
    data = dataset_dict(org["id"])
    data["resources"] = [
        {"url": "http://127.0.0.1/undated.csv", "name": "未注明日期", "format": "CSV"},
        {"url": "http://127.0.0.1/dated.csv", "name": "注明日期", "format": "CSV",
         "issued": "2019-03-04", "modified": "2020-05-06"},
    ]
    pkg = tk.get_action("package_create")({"user": make_sysadmin()["name"]}, data)
    undated, dated = pkg["resources"]
    page = gd_app.get(f"{prefix}/dataset/{pkg['name']}/resource/{undated['id']}").body
    assert year.match(_row(page, issued)), _row(page, issued)
    assert year.match(_row(page, modified)), _row(page, modified)
    page = gd_app.get(f"{prefix}/dataset/{pkg['name']}/resource/{dated['id']}").body
    assert (_row(page, issued), _row(page, modified)) == ("2019-03-04", "2020-05-06")
