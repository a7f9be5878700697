"""DataStore-only tables (issue 14, L4): ``datastore_create`` with a new ``resource`` makes a
resource without a file. Its dataset stayed pending a scan no job would ever do (CKAN creates
the resource with a placeholder link first): a publisher could not publish such a table. Its
rows are judged by the DataStore write guard before the table exists, so a clean table's
dataset is public at once, and one whose rows hold personal data is refused (nothing made,
nothing public). Aliases naming a person are refused like column ids."""
from __future__ import annotations

import random
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from safety_support import anonymous_sees, api_token, as_user, create, make_org, make_user, show, valid_id

# as in production: files are scanned before they are public, by a real job worker
pytestmark = [pytest.mark.usefixtures("gd", "worker"),
              pytest.mark.ckan_config("ckanext.guangdong.safety.scan_before_public", "true")]

FIELDS = [{"id": "城市", "type": "text"}, {"id": "人口", "type": "int"}]


@pytest.fixture(scope="module")
def world(gd_plugins: None) -> dict[str, Any]:
    editor = make_user()
    org = make_org("city", users=[{"name": editor["name"], "capacity": "editor"}])
    return {"editor": editor, "org": org, "token": api_token(editor)}


def _table(gd_app: Any, world: dict[str, Any], pkg_id: str, records: list[dict[str, Any]],
           lang: str = "zh-CN", **more: Any) -> Any:
    return gd_app.post("/api/3/action/datastore_create", status=None,
                       headers={"Authorization": world["token"], "Accept-Language": lang},
                       json={"resource": {"package_id": pkg_id, "name": "表"}, "fields": FIELDS,
                             "records": records, **more})


def test_a_clean_datastore_only_table_is_public_at_once(gd_app: Any, world: dict[str, Any]) -> None:
    pkg = create(world["org"]["id"], user=world["editor"])
    resp = _table(gd_app, world, pkg["id"], [{"城市": "广州市", "人口": 1882}, {"城市": "深圳市", "人口": 1779}])
    assert resp.status_code == 200, resp.json
    rid = resp.json["result"]["resource_id"]
    stored = show(pkg["id"])
    assert stored["private"] is False and anonymous_sees(pkg["id"])
    state = tk.get_action("guangdong_safety_status")(as_user(None), {"id": pkg["id"]})
    assert state["holds"] == [], state
    rows = gd_app.get(f"/api/3/action/datastore_search?resource_id={rid}").json["result"]["records"]
    assert {r["城市"] for r in rows} == {"广州市", "深圳市"}


def test_a_datastore_only_table_with_personal_data_is_never_public(gd_app: Any, world: dict[str, Any]) -> None:
    """The write guard's side (a control: it refused such records before this change too)."""
    pkg = create(world["org"]["id"], user=world["editor"])
    people = [{"城市": valid_id(f"44010619850312{i:03d}"), "人口": i} for i in range(5)]
    for lang, word in (("zh-CN", "个人信息"), ("en", "personal")):  # the negative list's words
        resp = _table(gd_app, world, pkg["id"], people, lang)
        assert resp.status_code == 409 and word in str(resp.json["error"]), (lang, resp.json)
    assert show(pkg["id"])["resources"] == []  # nothing made


@pytest.mark.parametrize("as_list", [False, True])
def test_an_alias_with_an_id_number_is_refused(gd_app: Any, world: dict[str, Any], as_list: bool) -> None:
    alias = f"p{valid_id(f'44010619850312{random.randint(0, 999):03d}')}"  # a new one each run
    aliases = ["ok_alias", alias] if as_list else alias
    pkg = create(world["org"]["id"], user=world["editor"])
    resp = _table(gd_app, world, pkg["id"], [{"城市": "广州市", "人口": 1}], "en", aliases=aliases)
    assert resp.status_code == 409 and "aliases" in resp.json["error"], resp.json
    assert show(pkg["id"])["resources"] == []
    answer = gd_app.get(f"/api/3/action/datastore_search?resource_id={alias}", status=None)
    assert answer.status_code == 404, answer.status_code
