"""The form's as-you-type check: the same validators as saving, messages in the page language."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from gd_testing import dataset_dict, make_org, make_sysadmin, make_user

pytestmark = pytest.mark.usefixtures("gd")


def check(gd_app, headers, **params) -> dict:
    answer = gd_app.get("/api/3/action/guangdong_check_field", query_string=params,
                        headers=headers)
    return answer.json


@pytest.fixture(scope="module")
def headers(gd_plugins) -> dict[str, str]:
    return {"Authorization": factories.APIToken(user=make_user()["name"])["token"]}


@pytest.mark.parametrize("field, good, bad, zh, en", [
    ("contact_phone", "020-12345678", "888", "固定电话", "landline"),
    ("contact_email", "a@gd.gov.cn", "a@", "电子邮箱", "valid email"),
    ("publisher_identifier", "91350100M000100Y43", "91350100M000100Y44", "校验位", "check character"),
    ("record_count", "10", "-3", "不能小于 0", "0 or greater"),
    ("identifier", "29000/99999999x1", "29000-1", "信息资源代码应为", "Identifier must be"),
])
def test_check_field(gd_app, headers, field, good, bad, zh, en) -> None:
    assert check(gd_app, headers, field=field, value=good, lang="en")["result"]["valid"]
    answer = check(gd_app, headers, field=field, value=bad, lang="zh_Hans_CN")["result"]
    assert not answer["valid"] and zh in answer["errors"][0]
    answer = check(gd_app, headers, field=field, value=bad, lang="en")["result"]
    assert en in answer["errors"][0]


def test_identifier_in_use_except_by_the_dataset_itself(gd_app, headers) -> None:
    pkg = tk.get_action("package_create")({"user": make_sysadmin()["name"]},
                                          dataset_dict(make_org()["id"]))
    taken = check(gd_app, headers, field="identifier", value=pkg["identifier"], lang="en")
    assert "already used" in taken["result"]["errors"][0]
    own = check(gd_app, headers, field="identifier", value=pkg["identifier"], id=pkg["id"])
    assert own["result"]["valid"]


def test_anonymous_users_and_unknown_fields_are_refused(gd_app, headers) -> None:
    anonymous = gd_app.get("/api/3/action/guangdong_check_field",
                           query_string={"field": "contact_phone", "value": "1"})
    assert anonymous.status_code == 403
    unknown = gd_app.get("/api/3/action/guangdong_check_field", headers=headers,
                         query_string={"field": "share_type", "value": "x"})
    assert unknown.status_code == 409


def test_form_fields_carry_the_check(gd_app) -> None:
    admin = make_sysadmin()
    headers = {"Authorization": factories.APIToken(user=admin["name"])["token"]}
    body = gd_app.get("/dataset/new", headers=headers).body
    for field in ("identifier", "publisher_identifier", "contact_phone", "contact_email", "record_count"):
        assert f'data-module-field="{field}"' in body, field
    assert "_check.js" in body


def test_format_autocomplete_offers_the_controlled_list(gd_app) -> None:
    def complete(text: str) -> list[str]:
        body = gd_app.get("/api/2/util/resource/format_autocomplete",
                          query_string={"incomplete": text, "limit": 10}).json
        return [r["Format"] for r in body["ResultSet"]["Result"]]
    assert complete("xls") == ["XLS", "XLSX"]
    assert complete("接口") == ["API"]
    assert complete("exe") == []
