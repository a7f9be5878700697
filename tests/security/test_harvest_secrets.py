"""Secrets in harvest source configs: masked for everyone but sysadmins, on every surface, and
kept when a source is edited (API or form) without retyping them."""
from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
import requests
from web import PASSWORD, login
from world import World

from ckanext.guangdong.harvest_ops import secrets

pytestmark = pytest.mark.usefixtures("gd_plugins")
MASK = secrets.MASK


@pytest.mark.parametrize("name, secret", [
    ("auth_header", True), ("api_key", True), ("apiKey", True), ("accessToken", True),
    ("X-Auth-Token", True), ("client_secret", True), ("password", True), ("credentials", True),
    ("Authorization", True), ("appkey", True), ("keyword", False), ("region_code", False),
    ("id_field", False), ("remote_url", False), ("dataset_name_prefix", False), ("monkey", True),
])
def test_which_keys_are_secret(name: str, secret: bool) -> None:
    assert secrets.is_secret_key(name) is secret


def test_masking_keeps_the_shape_and_restoring_puts_back_only_masked_values() -> None:
    stored = {"region_code": "441600", "auth_header": {"name": "Authorization", "value": "Bearer s3"},
              "list": {"path": "/api/list?appKey=k1&page=1", "headers": {"X-Token": "t1", "Accept": "json"}},
              "remote_url": "https://u:pw@portal.example/x"}
    masked = secrets.mask_value(stored)
    assert masked == {"region_code": "441600", "auth_header": {"name": "Authorization", "value": MASK},
                      "list": {"path": f"/api/list?appKey={MASK}&page=1",
                               "headers": {"X-Token": MASK, "Accept": MASK}},
                      "remote_url": f"https://u:{MASK}@portal.example/x"}
    assert "s3" not in json.dumps(masked) and "k1" not in json.dumps(masked)
    text = json.dumps(stored)
    assert json.loads(secrets.restore_config(secrets.mask_config(text), text)) == stored
    # a secret typed anew replaces the stored one; other edits are kept
    edited = dict(masked, region_code="441700", auth_header={"name": "Authorization", "value": "Bearer new"})
    restored = json.loads(secrets.restore_config(json.dumps(edited), text))
    assert restored["auth_header"]["value"] == "Bearer new" and restored["region_code"] == "441700"
    assert restored["list"]["headers"]["X-Token"] == "t1"


@pytest.fixture
def editors_manage_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only sysadmins manage harvest sources unless this option gives them back to the
    organization's editors (docs/security.md): then an editor edits a source, masked."""
    import ckan.plugins.toolkit as tk
    monkeypatch.setitem(tk.config, "ckanext.guangdong.harvest.editors_manage_sources", True)


@pytest.fixture(scope="module")
def source_editor(leak_world: World) -> dict[str, Any]:
    """An editor of the organization that owns the source: may edit it (with
    ``editors_manage_sources``), sees it masked."""
    import ckan.plugins.toolkit as tk
    from gd_testing import make_user
    user = make_user(password=PASSWORD)
    tk.get_action("organization_member_create")({"ignore_auth": True}, {
        "id": leak_world.orgs["a"]["id"], "username": user["name"], "role": "editor"})
    token = tk.get_action("api_token_create")({"ignore_auth": True, "user": user["name"]},
                                              {"user": user["name"], "name": "t"})["token"]
    return {**user, "token": token}


@pytest.fixture
def fresh_source(leak_world: World) -> dict[str, Any]:
    """A source of its own per test (edits must not change the leak suite's)."""
    import ckan.plugins.toolkit as tk

    from ckanext.guangdong.harvesters.site import site_context
    secret = f"s-{uuid.uuid4().hex}"
    config = {"region_code": "441600", "preset": "kaifang_guangdong",
              "auth_header": {"name": "Authorization", "value": f"Bearer {secret}"}}
    name = f"secret-{uuid.uuid4().hex[:8]}"
    source = tk.get_action("harvest_source_create")(site_context(), {
        "name": name, "title": "口令测试采集源", "owner_org": leak_world.orgs["a"]["id"],
        "url": "http://127.0.0.1:9/list", "source_type": "guangdong_api",
        "config": json.dumps(config), "frequency": "MANUAL"})
    return {**source, "secret": secret}


def _stored_config(source_id: str) -> dict[str, Any]:
    from ckan import model
    from ckanext.harvest.model import HarvestSource
    model.Session.remove()
    return json.loads(HarvestSource.get(source_id).config)


def _api(base: str, action: str, token: str, **data: Any) -> requests.Response:
    return requests.post(f"{base}/api/3/action/{action}", json=data, headers={"Authorization": token},
                         timeout=60)


@pytest.mark.usefixtures("editors_manage_sources")
def test_editing_through_the_api_keeps_the_stored_secret(live_server: str, source_editor: dict[str, Any],
                                                         fresh_source: dict[str, Any]) -> None:
    token = source_editor["token"]
    shown = _api(live_server, "harvest_source_show", token, id=fresh_source["id"]).json()["result"]
    assert fresh_source["secret"] not in json.dumps(shown)
    config = json.loads(shown["config"])
    config["page_size"] = 50
    answer = _api(live_server, "harvest_source_update", token, **{
        **{k: shown[k] for k in ("id", "name", "title", "url", "source_type", "owner_org", "frequency")},
        "config": json.dumps(config)})
    assert answer.status_code == 200, answer.text[:500]
    assert fresh_source["secret"] not in answer.text
    stored = _stored_config(fresh_source["id"])
    assert stored["auth_header"]["value"] == f"Bearer {fresh_source['secret']}"
    assert stored["page_size"] == 50
    # package_patch with the whole masked dict back (a client that round-trips package_show)
    answer = _api(live_server, "package_patch", token, **{**shown, "title": "改过的标题"})
    assert answer.status_code == 200, answer.text[:500]
    assert _stored_config(fresh_source["id"])["auth_header"]["value"] == f"Bearer {fresh_source['secret']}"


@pytest.mark.usefixtures("editors_manage_sources")
def test_editing_through_the_form_keeps_the_stored_secret(live_server: str, source_editor: dict[str, Any],
                                                          fresh_source: dict[str, Any]) -> None:
    from bs4 import BeautifulSoup
    browser = login(live_server, source_editor["name"])
    page = browser.get(f"{live_server}/harvest/edit/{fresh_source['name']}", timeout=60)
    assert page.status_code == 200
    assert fresh_source["secret"] not in page.text and MASK in page.text
    form = BeautifulSoup(page.text, "html.parser").find("form", id="source-new")
    data = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")
            and i.get("type") not in ("checkbox", "radio", "submit")}
    data.update({t["name"]: t.text for t in form.find_all("textarea")})
    for select in form.find_all("select"):
        chosen = select.find("option", selected=True) or select.find("option")
        data[select["name"]] = chosen.get("value", "") if chosen else ""
    data.update({r["name"]: r["value"] for r in form.find_all("input", type="radio") if r.has_attr("checked")})
    data["title"] = "表单改过的标题"
    data["save"] = ""
    answer = browser.post(f"{live_server}/harvest/edit/{fresh_source['name']}", data=data,
                          timeout=60, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:1000]
    assert _stored_config(fresh_source["id"])["auth_header"]["value"] == f"Bearer {fresh_source['secret']}"


def test_activity_stream_index_and_pages_hold_no_secret(live_server: str, leak_world: World,
                                                        fresh_source: dict[str, Any]) -> None:
    import ckan.plugins.toolkit as tk

    from ckanext.guangdong.harvesters.site import site_context
    # an edit by a sysadmin (who sees the secret) still stores a masked copy in the activity
    tk.get_action("package_patch")(site_context(), {"id": fresh_source["id"], "title": "新标题"})
    admin = leak_world.tokens["sysadmin"]
    # (the site user's activities are hidden by default: ask for them)
    activities = requests.get(f"{live_server}/api/3/action/package_activity_list", timeout=60,
                              params={"id": fresh_source["id"], "include_hidden_activity": "true"},
                              headers={"Authorization": admin}).json()
    assert activities["success"] and activities["result"]
    for activity in activities["result"]:
        data = requests.get(f"{live_server}/api/3/action/activity_data_show", timeout=60,
                            params={"id": activity["id"]}, headers={"Authorization": admin}).json()
        assert fresh_source["secret"] not in json.dumps(data)
    for path in (f"/harvest/{fresh_source['name']}", f"/harvest/about/{fresh_source['name']}",
                 f"/harvest/activity/{fresh_source['name']}", f"/dataset/{fresh_source['id']}.ttl",
                 f"/dataset/{fresh_source['id']}.jsonld"):
        page = requests.get(live_server + path, timeout=60)
        assert fresh_source["secret"] not in page.text, path
    search = requests.get(f"{live_server}/api/3/action/package_search", timeout=60,
                          params={"fq": "dataset_type:harvest", "q": fresh_source["secret"]}).json()
    assert search["result"]["count"] == 0
    assert re.search(re.escape(fresh_source["secret"]), json.dumps(_stored_config(fresh_source["id"])))
