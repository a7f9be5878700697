"""Forms and sessions: every state-changing view checks its CSRF token (ours, CKAN's and the
extensions'), ckanext-harvest's actions no longer run on GET, and logins are throttled per
account and per address with a clear zh/en message."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from web import PASSWORD, csrf_token, login, post_login
from world import World

from ckanext.guangdong.security import throttle

pytestmark = pytest.mark.usefixtures("gd_plugins")
FOREIGN = {"Origin": "http://evil.example", "Referer": "http://evil.example/page"}
# POST views that act on nobody's behalf, so a token protects nothing: the page-view beacon
# (CKAN's tracking.js posts it without one; test_the_page_view_beacon_needs_no_token).
NOT_ON_ANYONES_BEHALF = {"guangdong_theme.tracking_beacon"}


@pytest.fixture(scope="module")
def admin(leak_world: World) -> dict[str, Any]:
    from gd_testing import make_sysadmin
    return make_sysadmin(password=PASSWORD)


@pytest.fixture(autouse=True)
def fresh_address_count() -> Iterator[None]:
    """Failed logins of these tests must not lock other tests (all on 127.0.0.1) out."""
    throttle.clear_address("127.0.0.1")
    yield
    throttle.clear_address("127.0.0.1")


def _targets() -> set[str]:
    import ckan.plugins.toolkit as tk
    return {t["id"] for t in tk.get_action("guangdong_target_list")({"ignore_auth": True},
                                                                   {"include_inactive": True})}


def _target_form(target_id: str) -> dict[str, str]:
    return {"id": target_id, "title_zh": "跨站请求测试", "title_en": "", "scope": "province",
            "metric": "datasets", "deadline": "2030-12-31", "threshold": "5", "filter_theme": "",
            "emphasis_theme": "", "note": "", "active": "true"}


def test_targets_form_refuses_a_foreign_post(admin: dict[str, Any], live_server: str) -> None:
    browser = login(live_server, admin["name"])
    target = f"csrf-{uuid.uuid4().hex[:6]}"
    answer = browser.post(f"{live_server}/open-progress/targets", data=_target_form(target),
                          headers=FOREIGN, allow_redirects=False, timeout=60)
    assert answer.status_code == 400
    assert target not in _targets()
    # the page's own form (with its token) still saves
    token = csrf_token(browser.get(f"{live_server}/open-progress/targets", timeout=60).text)
    answer = browser.post(f"{live_server}/open-progress/targets", allow_redirects=False, timeout=60,
                          data={**_target_form(target), "_csrf_token": token})
    assert answer.status_code == 302
    assert target in _targets()


def test_every_post_view_checks_the_csrf_token(admin: dict[str, Any], live_server: str,
                                               url_map: Any, leak_world: World) -> None:
    """All POST routes of the app, enumerated from Flask's url_map: a signed-in browser's
    POST without the token is refused before the view runs."""
    browser = login(live_server, admin["name"])
    values = {"id": leak_world.source["name"], "source": leak_world.source["name"],
              "resource_id": leak_world.packages["public"]["resources"][0]["id"],
              "view_id": "x", "jti": "x", "logic_function": "package_patch", "ver": "3",
              "activity_id": "x", "package_type": "dataset"}
    checked, accepted = [], []
    for rule in url_map.iter_rules():
        if "POST" not in (rule.methods or ()) or rule.endpoint in NOT_ON_ANYONES_BEHALF:
            continue
        path = rule.build({**(rule.defaults or {}), **{a: values.get(a, "x") for a in rule.arguments}},
                          append_unknown=False)[1]
        answer = browser.post(live_server + path, data={"title": "x"}, headers=FOREIGN,
                              allow_redirects=False, timeout=60)
        checked.append(path)
        if not (answer.status_code == 400 and "CSRF" in answer.text):
            accepted.append(f"{rule.endpoint} {path} -> {answer.status_code}")
    assert len(checked) > 60
    assert not accepted, accepted


def test_the_page_view_beacon_needs_no_token(live_server: str) -> None:
    """CKAN's tracking.js posts every page view to /_tracking without a token; the view counts
    (ckanext-tracking's middleware reads the posted body)."""
    from ckan import model
    from ckanext.tracking.model import TrackingRaw
    url = f"/dataset/beacon-{uuid.uuid4().hex[:8]}"
    answer = requests.post(f"{live_server}/_tracking", data={"url": url, "type": "page"},
                           headers=FOREIGN, timeout=60)
    assert answer.status_code == 204
    model.Session.remove()
    assert model.Session.query(TrackingRaw).filter(TrackingRaw.url == url).count() == 1


@pytest.mark.parametrize("path", ["/harvest/refresh/{id}", "/harvest/clear/{id}", "/harvest/delete/{id}",
                                  "/harvest/{name}/job/{job}/abort"])
def test_harvest_actions_do_not_run_on_get(leak_world: World, live_server: str, path: str) -> None:
    from ckanext.harvest.model import HarvestJob, HarvestSource
    url = path.format(id=leak_world.source["id"], name=leak_world.source["name"], job=leak_world.jobs[0])
    before = (HarvestSource.get(leak_world.source["id"]).active,
              HarvestJob.filter(source_id=leak_world.source["id"]).count())
    answer = requests.get(live_server + url, headers={"Authorization": leak_world.tokens["sysadmin"]},
                          allow_redirects=False, timeout=60)
    assert answer.status_code == 405
    from ckan import model
    model.Session.remove()
    assert (HarvestSource.get(leak_world.source["id"]).active,
            HarvestJob.filter(source_id=leak_world.source["id"]).count()) == before


def _user() -> dict[str, Any]:
    from gd_testing import make_user
    return make_user(password=PASSWORD)


def test_thirty_wrong_passwords_then_the_right_one_is_refused(live_server: str) -> None:
    user = _user()
    s = requests.Session()
    answers = [post_login(s, live_server, user["name"], "wrong-password-1").status_code for _ in range(30)]
    assert answers[:5] == [200] * 5            # the login page again, with "bad password"
    assert set(answers[5:]) == {429}           # then refused without checking the password
    refused = post_login(s, live_server, user["name"], PASSWORD)
    assert refused.status_code == 429
    assert "登录失败次数过多" in refused.text and refused.headers["Retry-After"]
    english = requests.Session()
    token = csrf_token(english.get(f"{live_server}/en/user/login", timeout=30).text)
    answer = english.post(f"{live_server}/en/user/login", allow_redirects=False, timeout=30,
                          data={"login": user["name"], "password": PASSWORD, "_csrf_token": token})
    assert answer.status_code == 429 and "Too many failed login attempts" in answer.text
    # by e-mail address too: the same account
    assert post_login(requests.Session(), live_server, user["email"], PASSWORD).status_code == 429
    throttle.clear_account(user["name"])
    throttle.clear_address("127.0.0.1")
    assert post_login(requests.Session(), live_server, user["name"], PASSWORD).status_code == 302


def test_a_success_clears_the_account_count(live_server: str) -> None:
    user = _user()
    for _ in range(4):
        assert post_login(requests.Session(), live_server, user["name"], "nope-nope").status_code == 200
    assert post_login(requests.Session(), live_server, user["name"], PASSWORD).status_code == 302
    for _ in range(4):
        assert post_login(requests.Session(), live_server, user["name"], "nope-nope").status_code == 200
    assert post_login(requests.Session(), live_server, user["name"], PASSWORD).status_code == 302


def test_one_address_trying_many_accounts_is_throttled(live_server: str) -> None:
    users = [_user() for _ in range(5)]
    for i in range(20):  # four failures each: no account reaches its own limit
        post_login(requests.Session(), live_server, users[i % 5]["name"], "wrong-password")
    answer = post_login(requests.Session(), live_server, _user()["name"], PASSWORD)
    assert answer.status_code == 429


@pytest.mark.ckan_config("ckanext.guangdong.security.proxies_in_front", "1")
def test_behind_our_proxy_the_client_address_is_counted(ckan_config: Any, leak_world: World) -> None:
    """Behind a TLS proxy every request comes from the proxy: the address counted is the
    client's, from the X-Forwarded-For header our proxy adds."""
    from ckan.common import config
    from ckan.config.middleware import make_app
    from werkzeug.test import Client
    client = Client(make_app(config))
    page = client.get("/user/login")
    token = csrf_token(page.get_data(as_text=True))  # (the client keeps the session cookie)
    client.post("/user/login", headers={"X-Forwarded-For": "203.0.113.5"},
                data={"login": "nobody-" + uuid.uuid4().hex, "password": "x", "_csrf_token": token})
    from ckan.lib.redis import connect_to_redis
    key = throttle._key("address", "203.0.113.5")
    try:
        assert int(connect_to_redis().get(key) or 0) == 1
    finally:
        throttle.clear_address("203.0.113.5")
