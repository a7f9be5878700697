"""The dataset form through the real app (CKAN's test client), in Chinese and in English:
labels, choices and messages in the page's language; what is typed is what package_show gives."""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from gd_testing import make_org, make_sysadmin, make_user, unique_identifier

pytestmark = pytest.mark.usefixtures("gd")

TEXTS = {
    # locale prefix, label of identifier, a theme label, a frequency label, phone error
    "zh_Hans_CN": ("", "信息资源代码", "民生服务", "每季度", "请填写带区号的固定电话"),
    "en": ("/en", "Identifier", "Livelihood services", "Quarterly",
           "Enter a landline with area code"),
}


@pytest.fixture(scope="module")
def publisher(gd_plugins: None) -> dict[str, Any]:
    user = make_user()
    org = make_org(users=[{"name": user["name"], "capacity": "editor"}])
    token = factories.APIToken(user=user["name"])["token"]
    return {"org": org, "headers": {"Authorization": token}}


def csrf(body: str) -> dict[str, str]:
    match = re.search(r'name="(_csrf_token|csrf_token)"[^>]*value="([^"]+)"', body)
    return {match.group(1): match.group(2)} if match else {}


def form_data(org_id: str, identifier: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "_ckan_phase": "dataset_new_1", "pkg_name": "", "save": "continue",
        "title": "河源市空气质量监测数据", "notes": "河源市各监测站点的空气质量日报。",
        "tag_string": "空气,环境", "identifier": identifier, "owner_org": org_id,
        "private": "False", "publisher_name": "河源市生态环境局",
        "publisher_identifier": "91350100M000100Y43", "theme": ["生态环保", "民生服务"],
        "access_rights": "conditional", "access_conditions": "实名注册后申请",
        "frequency": "quarterly", "issued": "2018-03-01", "modified": "2018-04-01",
        "region_code": "441600", "temporal_start": "2017-01-01", "temporal_end": "2017-12-31",
        "contact_name": "监测科", "contact_email": "hbj@heyuan.gov.cn",
        "contact_phone": "0762-3388123", "record_count": "365", "license_id": "cc-by",
        "data_items-0-name": "站点", "data_items-0-type": "string", "data_items-0-description": "监测站点",
        "data_items-1-name": "AQI", "data_items-1-type": "integer", "data_items-1-description": "",
        "share_type": "unconditional_share", "data_level": "level1", "deidentified": "false",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "en"])
def test_dataset_form_round_trip(locale: str, gd_app, publisher) -> None:
    prefix, label, theme_label, freq_label, _ = TEXTS[locale]
    page = gd_app.get(f"{prefix}/dataset/new", headers=publisher["headers"])
    assert page.status_code == 200
    for text in (label, theme_label, freq_label):
        assert text in page.body, text
    assert 'name="name"' not in page.body  # URL names are never typed

    identifier = unique_identifier("44160")
    data = form_data(publisher["org"]["id"], identifier, **csrf(page.body))
    created = gd_app.post(f"{prefix}/dataset/new", data=data, headers=publisher["headers"],
                          follow_redirects=False)
    assert created.status_code == 302, created.body[:2000]
    name = "gd-" + identifier.replace("/", "-")
    assert f"/dataset/{name}/resource/new" in created.headers["Location"]

    res_page = gd_app.get(created.headers["Location"], headers=publisher["headers"])
    done = gd_app.post(created.headers["Location"], headers=publisher["headers"],
                       follow_redirects=False, data={
                           "id": "", "url": "http://127.0.0.1/aqi.csv", "name": "空气质量日报",
                           "format": "csv", "save": "go-metadata", **csrf(res_page.body)})
    assert done.status_code == 302, done.body[:2000]

    pkg = tk.get_action("package_show")({"ignore_auth": True}, {"id": name})
    assert pkg["state"] == "active"
    assert pkg["theme"] == ["生态环保", "民生服务"]
    assert pkg["data_items"] == [
        {"name": "站点", "type": "string", "description": "监测站点"},
        {"name": "AQI", "type": "integer", "description": ""}]
    assert pkg["record_count"] == 365
    assert pkg["resources"][0]["format"] == "CSV"
    for key in ("identifier", "access_rights", "access_conditions", "frequency", "issued",
                "modified", "region_code", "temporal_start", "temporal_end",
                "contact_phone", "publisher_identifier", "share_type"):
        assert str(pkg[key]) == data[key], key

    shown = gd_app.get(f"{prefix}/dataset/{name}").body  # the public page, in this language
    assert theme_label in shown and freq_label in shown
    assert ("河源市" if locale == "zh_Hans_CN" else "Heyuan") in shown


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "en"])
def test_form_errors_are_in_the_page_language(locale: str, gd_app, publisher) -> None:
    prefix, *_, phone_error = TEXTS[locale]
    page = gd_app.get(f"{prefix}/dataset/new", headers=publisher["headers"])
    data = form_data(publisher["org"]["id"], unique_identifier(), contact_phone="12345",
                     **csrf(page.body))
    data["contact_phone"] = "888"
    answer = gd_app.post(f"{prefix}/dataset/new", data=data, headers=publisher["headers"],
                         follow_redirects=False)
    assert answer.status_code == 200  # the form again, with the message
    assert phone_error in answer.body


def test_edit_form_keeps_the_name_when_the_title_changes(gd_app, publisher) -> None:
    page = gd_app.get("/dataset/new", headers=publisher["headers"])
    identifier = unique_identifier()
    gd_app.post("/dataset/new", data=form_data(publisher["org"]["id"], identifier, **csrf(page.body)),
                headers=publisher["headers"], follow_redirects=False)
    name = "gd-" + identifier.replace("/", "-")
    tk.get_action("package_patch")({"user": make_sysadmin()["name"]}, {"id": name, "state": "active"})
    edit = gd_app.get(f"/dataset/edit/{name}", headers=publisher["headers"])
    assert edit.status_code == 200
    data = form_data(publisher["org"]["id"], identifier, title="河源市空气质量（新版）",
                     **csrf(edit.body))
    for key in ("_ckan_phase", "pkg_name"):
        data.pop(key)
    data["save"] = ""
    answer = gd_app.post(f"/dataset/edit/{name}", data=data, headers=publisher["headers"],
                         follow_redirects=False)
    assert answer.status_code == 302, answer.body[:2000]
    pkg = tk.get_action("package_show")({"ignore_auth": True}, {"id": name})
    assert pkg["title"] == "河源市空气质量（新版）" and pkg["name"] == name


@pytest.mark.parametrize("action", ["new", "edit"])
def test_the_widgets_hidden_row_template_is_not_a_row(action: str, gd_app, publisher) -> None:
    """A form sent without scheming's JavaScript carries the repeating widget's hidden template
    (data_items-REPEATING-INDEX0-*); it must not become an extra, empty 信息项 row."""
    identifier = unique_identifier()
    template = {"data_items-REPEATING-INDEX0-name": "", "data_items-REPEATING-INDEX0-type": "string",
                "data_items-REPEATING-INDEX0-description": ""}
    page = gd_app.get("/dataset/new", headers=publisher["headers"])
    data = form_data(publisher["org"]["id"], identifier, **csrf(page.body))
    name = "gd-" + identifier.replace("/", "-")
    if action == "edit":
        gd_app.post("/dataset/new", data=data, headers=publisher["headers"], follow_redirects=False)
        page = gd_app.get(f"/dataset/edit/{name}", headers=publisher["headers"])
        data = form_data(publisher["org"]["id"], identifier, **csrf(page.body))
        for key in ("_ckan_phase", "pkg_name"):
            data.pop(key)
        data["save"] = ""
    answer = gd_app.post(f"/dataset/{action}" + (f"/{name}" if action == "edit" else ""),
                         data={**data, **template}, headers=publisher["headers"], follow_redirects=False)
    assert answer.status_code == 302, re.findall(r'class="error-explanation.*?</div>', answer.body, re.S)
    pkg = tk.get_action("package_show")({"ignore_auth": True}, {"id": name})
    assert [r["name"] for r in pkg["data_items"]] == ["站点", "AQI"]
