"""Rows written straight into the DataStore by a publisher (datastore_create / datastore_upsert
with records) never pass a file scan: they are scanned as they arrive, and personal data is
refused with a message in the request's language (found by the attack trial: an editor's
upsert of ID numbers into a public dataset's table was public at once)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from safety_corpus import Makers
from safety_support import api_token, as_user, editor_table, make_sysadmin, site_context

pytestmark = pytest.mark.usefixtures("gd_plugins")


@pytest.fixture(scope="module")
def table() -> dict[str, Any]:
    return editor_table()


def rows_with_ids(n: int) -> list[dict[str, str]]:
    makers = Makers(21)
    return [{"城市": "广州市", "代码": makers.id18()} for _ in range(n)]


@pytest.mark.parametrize("action", ["datastore_upsert", "datastore_create"])
def test_an_editors_records_with_id_numbers_are_refused(table: dict[str, Any], action: str) -> None:
    data = {"resource_id": table["rid"], "force": True, "records": rows_with_ids(1)}
    if action == "datastore_upsert":
        data["method"] = "insert"
    with pytest.raises(tk.ValidationError) as refused:
        tk.get_action(action)(as_user(table["editor"]), data)
    assert "代码" in str(refused.value.error_dict["records"])
    found = tk.get_action("datastore_search")(site_context(), {"resource_id": table["rid"]})
    assert found["total"] == 0  # nothing written


def test_an_editors_clean_records_are_written(table: dict[str, Any]) -> None:
    tk.get_action("datastore_upsert")(as_user(table["editor"]), {
        "resource_id": table["rid"], "force": True, "method": "insert",
        "records": [{"城市": "深圳市", "代码": "440300"}]})
    found = tk.get_action("datastore_search")(site_context(), {"resource_id": table["rid"]})
    assert [r["城市"] for r in found["records"]] == ["深圳市"]


def test_a_sysadmin_writes_what_was_reviewed_but_not_what_the_negative_list_names(table: dict[str, Any]) -> None:
    makers = Makers(22)
    admin = make_sysadmin()
    tk.get_action("datastore_upsert")(as_user(admin), {  # a contact mobile, reviewed
        "resource_id": table["rid"], "force": True, "method": "insert",
        "records": [{"城市": "珠海市", "代码": makers.mobile()}]})
    # raw ID numbers are on the negative list (its `detectors`), whatever the column's name
    with pytest.raises(tk.ValidationError) as refused:
        tk.get_action("datastore_upsert")(as_user(admin), {
            "resource_id": table["rid"], "force": True, "method": "insert", "records": rows_with_ids(1)})
    assert "代码" in str(refused.value.error_dict["records"])


def test_the_refusal_speaks_the_requests_language(table: dict[str, Any], gd_app: Any) -> None:
    token = api_token(table["editor"])
    for lang, word in (("zh-CN", "个人信息"), ("en", "personal")):
        resp = gd_app.post("/api/3/action/datastore_upsert", status=None,
                           json={"resource_id": table["rid"], "force": True, "method": "insert",
                                 "records": rows_with_ids(3)},
                           headers={"Authorization": token, "Accept-Language": lang})
        assert resp.status_code == 409, (lang, resp.status_code)
        assert word in str(resp.json["error"]["records"]), lang


def test_a_numeric_columns_value_is_judged_as_the_table_stores_it(table: dict[str, Any], gd_app: Any) -> None:
    """Attack trial a10, H1: numeric / int8 / float8 columns store 013800138000, 0.13800138e11
    and 44010619850312001.5e1 as 13800138000 and 440106198503120015, which datastore_search
    then showed to anyone: such a write is refused as the plain number is."""
    tk.get_action("datastore_create")(site_context(), {
        "resource_id": table["rid"], "force": True,
        "fields": [{"id": "城市", "type": "text"}, {"id": "代码", "type": "text"}, {"id": "本期值", "type": "numeric"},
                   {"id": "数量", "type": "int8"}, {"id": "比率", "type": "float8"}]})
    token = api_token(table["editor"])
    for column, value in (("本期值", "013800138000"), ("本期值", "44010619850312001.5e1"),
                          ("数量", " 013800138000 "), ("比率", "0.13800138e11")):
        resp = gd_app.post("/api/3/action/datastore_upsert", status=None,
                           json={"resource_id": table["rid"], "force": True, "method": "insert",
                                 "records": [{"城市": "广州市", column: value}]},
                           headers={"Authorization": token, "Accept-Language": "zh-CN"})
        assert resp.status_code == 409, (column, value, resp.status_code)
        assert "个人信息" in str(resp.json["error"]["records"]) and column in str(resp.json["error"]["records"])
    shown = gd_app.get("/api/3/action/datastore_search", params={"resource_id": table["rid"]}, status=None)
    found = tk.get_action("datastore_search")(site_context(), {"resource_id": table["rid"]})
    assert "13800138000" not in shown.body and "440106198503120015" not in shown.body
    assert all(r.get(c) is None for r in found["records"] for c in ("本期值", "数量", "比率"))
