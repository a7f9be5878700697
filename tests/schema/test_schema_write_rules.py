"""Write-time rules through the real API over CKAN's test client: one reading of ``private``
(不予开放 is stored private or refused, never public), declared limits on every text, number
and date, and NFKC codes. Every answer to bad input is a 409 with a message, never a 500."""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from gd_testing import dataset_dict, make_org, make_sysadmin, unique_identifier

pytestmark = pytest.mark.usefixtures("gd")

NOT_PUBLIC = "cannot be public"
NOT_BOOLEAN = "Visibility must be true (private) or false (public)"


@pytest.fixture(scope="module")
def api(gd_app: Any) -> Any:
    admin = make_sysadmin()
    org = make_org()
    headers = {"Authorization": factories.APIToken(user=admin["name"])["token"]}

    class Api:
        org_id = org["id"]

        @staticmethod
        def call(action: str, data: dict[str, Any], auth: bool = True, lang: str = "en") -> tuple[int, dict]:
            prefix = "" if lang == "zh_Hans_CN" else "/en"
            answer = gd_app.post(f"{prefix}/api/3/action/{action}", json=data,
                                 headers=headers if auth else {})
            return answer.status_code, json.loads(answer.get_data(as_text=True))

        @staticmethod
        def get(url: str, auth: bool = False) -> Any:
            return gd_app.get(url, headers=headers if auth else {})

    return Api


def _messages(body: dict[str, Any]) -> str:
    return json.dumps(body.get("error", {}), ensure_ascii=False)


@pytest.mark.parametrize("private", ["On", " true", "TRUE ", True, "1", "yes", 1])
def test_not_open_with_any_true_spelling_is_stored_private(api, private) -> None:
    data = dataset_dict(api.org_id, access_rights="not_open", private=private)
    status, body = api.call("package_create", data)
    assert status == 200, body
    assert body["result"]["private"] is True
    name = body["result"]["name"]
    stored = tk.get_action("package_show")({"ignore_auth": True}, {"id": name})
    assert stored["private"] is True
    # ... so nobody else sees it: not its page, not the search, not the catalog
    assert api.get(f"/dataset/{name}").status_code == 404
    search = api.get(f"/api/3/action/package_search?q=name:{name}").get_json()
    assert search["result"]["count"] == 0
    assert name not in api.get("/catalog.ttl").get_data(as_text=True)


@pytest.mark.parametrize("private", [False, "False", "off", " no ", 0, None, "missing"])
def test_not_open_with_any_false_spelling_is_refused(api, private) -> None:
    data = dataset_dict(api.org_id, access_rights="not_open", private=private)
    if private == "missing":
        data.pop("private")
    status, body = api.call("package_create", data)
    assert status == 409, body
    assert NOT_PUBLIC in _messages(body)


@pytest.mark.parametrize("access_rights", ["not_open", "unconditional"])
@pytest.mark.parametrize("private", ["maybe", "", [], {}, 2, "null", "是", "On\x00"])
def test_a_private_that_is_not_a_boolean_is_a_409(api, access_rights, private) -> None:
    data = dataset_dict(api.org_id, access_rights=access_rights, private=private)
    status, body = api.call("package_create", data)
    assert status == 409, body
    assert "private" in body["error"], body


def test_private_message_in_chinese(api) -> None:
    status, body = api.call("package_create", dataset_dict(api.org_id, private="maybe"),
                            lang="zh_Hans_CN")
    assert status == 409 and "可见性只能为 true（私有）或 false（公开）" in _messages(body)
    status, body = api.call("package_create", dataset_dict(api.org_id, access_rights="not_open",
                                                           private="off"), lang="zh_Hans_CN")
    assert status == 409 and "不予开放" in _messages(body)


def test_update_patch_and_bulk_paths_keep_not_open_private(api) -> None:
    status, body = api.call("package_create", dataset_dict(api.org_id, access_rights="not_open",
                                                           private="On"))
    pkg = body["result"]
    # a patch that does not mention private keeps the stored (private) value
    status, body = api.call("package_patch", {"id": pkg["id"], "notes": "新的摘要"})
    assert status == 200 and body["result"]["private"] is True
    for private in ("false", "Off", 0, False):
        status, body = api.call("package_patch", {"id": pkg["id"], "private": private})
        assert status == 409 and NOT_PUBLIC in _messages(body), private
    status, body = api.call("package_patch", {"id": pkg["id"], "private": "maybe"})
    assert status == 409 and NOT_BOOLEAN in _messages(body)
    full = dict(pkg, private="no")
    status, body = api.call("package_update", full)
    assert status == 409 and NOT_PUBLIC in _messages(body)
    status, body = api.call("bulk_update_public", {"org_id": api.org_id, "datasets": [pkg["id"]]})
    assert status == 409
    assert tk.get_action("package_show")({"ignore_auth": True}, {"id": pkg["id"]})["private"] is True

    # a public dataset cannot become 不予开放 without becoming private in the same write
    status, body = api.call("package_create", dataset_dict(api.org_id))
    public = body["result"]
    status, body = api.call("package_patch", {"id": public["id"], "access_rights": "not_open"})
    assert status == 409 and NOT_PUBLIC in _messages(body)
    status, body = api.call("package_patch", {"id": public["id"], "access_rights": "not_open",
                                              "private": " TRUE"})
    assert status == 200 and body["result"]["private"] is True


def test_applications_read_private_the_same_way(api) -> None:
    public = tk.get_action("package_create")({"user": make_sysadmin()["name"]}, dataset_dict(api.org_id))
    app = {"type": "application", "title": "公交查询", "notes": "实时公交。", "owner_org": api.org_id,
           "developer_name": "某公司", "developer_type": "organization", "application_kind": "web",
           "used_datasets": [public["name"]]}
    status, body = api.call("package_create", dict(app, private="maybe"))
    assert status == 409 and NOT_BOOLEAN in _messages(body)
    status, body = api.call("package_create", dict(app, private="On"))
    assert status == 200 and body["result"]["private"] is True, body


# --- limits -----------------------------------------------------------------------------------

def _chinese(n: int) -> str:
    # varied characters: a 100,000-character title of one repeated letter compresses to nothing
    return "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(n))


@pytest.mark.parametrize("field, value, limit", [
    ("title", _chinese(301), "300"), ("title", _chinese(100_000), "300"),
    ("notes", "交" * 20_001, "20,000"), ("notes", "数据" * 15 * 1024 * 1024, "20,000"),
    ("contact_name", _chinese(2001), "2,000"), ("access_conditions", "条" * 5001, "5,000"),
    ("publisher_name", _chinese(2001), "2,000"), ("url", "http://x/" + "a" * 3000, "2,000"),
])
def test_texts_over_their_declared_limit_are_409(api, field, value, limit) -> None:
    overrides: dict[str, Any] = {field: value}
    if field == "access_conditions":
        overrides["access_rights"] = "conditional"
    status, body = api.call("package_create", dataset_dict(api.org_id, **overrides))
    assert status == 409, str(body)[:300]
    assert f"Use at most {limit} characters" in _messages(body), \
        _messages(body)[:300]


def test_an_over_long_description_is_refused_as_too_long_before_it_is_read(api) -> None:
    """The negative list's keyword check ran before the limits and folded the whole text (a
    30-million-character description held the request for a minute): a text over every limit
    is left to the limit's message, which comes first."""
    status, body = api.call("package_create", dataset_dict(api.org_id, notes="国家秘密" + "交" * 20_001))
    assert status == 409
    assert "Use at most 20,000 characters" in _messages(body), _messages(body)[:300]


def test_texts_at_their_limit_are_accepted(api) -> None:
    status, body = api.call("package_create", dataset_dict(
        api.org_id, title=_chinese(300), notes="交" * 20_000))
    assert status == 200, _messages(body)[:300]
    assert len(body["result"]["title"]) == 300


@pytest.mark.parametrize("where, value", [
    ("resource name", "名" * 301), ("resource description", "说" * 5001),
    ("data item name", "列" * 201), ("extra", "值" * 2001), ("tag", "标签" * 1001),
])
def test_nested_texts_have_limits_too(api, where, value) -> None:
    data = dataset_dict(api.org_id)
    if where == "resource name":
        data["resources"][0]["name"] = value
    elif where == "resource description":
        data["resources"][0]["description"] = value
    elif where == "data item name":
        data["data_items"][0]["name"] = value
    elif where == "extra":
        data["extras"] = [{"key": "note", "value": value}]
    else:
        data["tag_string"] = "交通," + value
    status, body = api.call("package_create", data)
    assert status == 409, str(body)[:300]
    assert "Use at most" in _messages(body), _messages(body)[:300]


@pytest.mark.parametrize("field, value", [
    ("title", "公交\x00线路"), ("notes", "摘要\x07"), ("identifier", "29000/0130\x000008"),
    ("contact_name", "\x1b[31m科"),
])
def test_control_characters_are_refused(api, field, value) -> None:
    status, body = api.call("package_create", dataset_dict(api.org_id, **{field: value}))
    assert status == 409, body
    assert "control characters" in _messages(body)


@pytest.mark.parametrize("where, value, message", [
    ("record_count", 10**30, "not be greater than 1,000,000,000,000"),
    ("record_count", "1e30", "whole number"), ("record_count", 1.5, "whole number"),
    ("record_count", True, "whole number"), ("record_count", [], "whole number"),
    ("size", 10**30, "not be greater than"), ("size", 1e30, "not be greater than"),
    ("size", -5, "0 or greater"), ("size", "12MB", "whole number"), ("size", 2**63, "not be greater"),
])
def test_numbers_out_of_range_are_409(api, where, value, message) -> None:
    data = dataset_dict(api.org_id)
    if where == "size":
        data["resources"][0]["size"] = value
    else:
        data[where] = value
    status, body = api.call("package_create", data)
    assert status == 409, body
    assert message in _messages(body), _messages(body)


def test_integral_numbers_in_any_spelling_are_accepted(api) -> None:
    data = dataset_dict(api.org_id, record_count="１２００")
    data["resources"][0]["size"] = 2048.0
    status, body = api.call("package_create", data)
    assert status == 200, body
    assert body["result"]["record_count"] == 1200 and body["result"]["resources"][0]["size"] == 2048


@pytest.mark.parametrize("field, value, message", [
    ("issued", "0001-01-01", "between 1900-01-01 and 2099-12-31"),
    ("issued", "9999-12-31", "between 1900-01-01 and 2099-12-31"),
    ("modified", "10000-01-01", "YYYY-MM-DD"), ("issued", "2018-13-45", "YYYY-MM-DD"),
    ("issued", "昨天", "YYYY-MM-DD"), ("issued", 20180101, "YYYY-MM-DD"), ("issued", ["2018-01-01"], "YYYY-MM-DD"),
    ("temporal_start", "1799-12-31", "between 1800-01-01 and 2099-12-31"),
    ("temporal_end", "2100-01-01", "between 1800-01-01 and 2099-12-31"),
])
def test_dates_out_of_range_are_409(api, field, value, message) -> None:
    status, body = api.call("package_create", dataset_dict(api.org_id, **{field: value}))
    assert status == 409, body
    assert message in _messages(body), _messages(body)


def test_resource_and_application_dates_have_the_same_range(api) -> None:
    data = dataset_dict(api.org_id)
    data["resources"][0]["issued"] = "0001-01-01"
    status, body = api.call("package_create", data)
    assert status == 409 and "between 1900-01-01" in _messages(body)
    app = {"type": "application", "title": "公交查询", "notes": "实时公交。", "owner_org": api.org_id,
           "developer_name": "某公司", "developer_type": "organization", "application_kind": "web",
           "used_datasets": ["x"], "launch_date": "9999-12-31"}
    status, body = api.call("package_create", app)
    assert status == 409 and "between 1900-01-01" in str(body["error"].get("launch_date"))


def test_dates_are_the_day_in_guangdong(api) -> None:
    # 20:00 UTC on 9 August is already 10 August in Guangdong; +08:00 is the local day as written
    data = dataset_dict(api.org_id, issued="2018-08-09T20:00:00Z", modified="2018-08-10T01:02:03+08:00",
                        temporal_start="2017-01-01T00:30:00+09:00")
    status, body = api.call("package_create", data)
    assert status == 200, body
    shown = body["result"]
    assert (shown["issued"], shown["modified"], shown["temporal_start"]) == \
        ("2018-08-10", "2018-08-10", "2016-12-31")


def test_full_width_codes_are_normalised(api) -> None:
    status, body = api.call("package_create", dataset_dict(
        api.org_id, identifier="ＤＵＰ４４０１／０００００６" + unique_identifier("")[-8:].translate(
            str.maketrans("0123456789", "０１２３４５６７８９")),
        publisher_identifier="１１４４００００００６９４００８１Ｘ", region_code="４４０１００",
        contact_phone="０２０－１２３４５６７８"))
    assert status == 200, body
    shown = body["result"]
    assert shown["identifier"].startswith("DUP4401/000006") and shown["identifier"].isascii()
    assert shown["publisher_identifier"] == "11440000006940081X"
    assert shown["region_code"] == "440100" and shown["contact_phone"] == "020-12345678"
    # and the normalised identifier is the one that is unique
    again = dataset_dict(api.org_id, identifier=shown["identifier"])
    status, body = api.call("package_create", again)
    assert status == 409 and "already used" in _messages(body)


def test_organization_texts_have_limits(api) -> None:
    status, body = api.call("organization_create", {"name": f"org-{unique_identifier('')[1:]}",
                                                    "title": _chinese(301)})
    assert status == 409 and "Use at most 300 characters" in _messages(body)
    status, body = api.call("organization_create", {"name": f"org-{unique_identifier('')[1:]}",
                                                    "description": "说明\x00"})
    assert status == 409 and "control characters" in _messages(body)
