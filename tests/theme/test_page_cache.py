"""The anonymous page cache (theme/page_cache.py), over HTTP on the real app: anonymous pages
and API answers are served from it until the next write, an edit is visible at once to
everyone, and nothing a logged-in user, a private or a 不予开放 dataset produces is ever
kept or handed to anyone else."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from gd_testing import dataset_dict, make_org, make_sysadmin, make_user

pytestmark = pytest.mark.usefixtures("gd")


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    url = urllib.parse.quote(url, safe=":/?=&%")
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, dict(answer.headers), answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode(errors="replace")


def shows(body: str, text: str) -> bool:
    """The text is in a page, or in a JSON answer (CKAN escapes non-ASCII there)."""
    return text in body or json.dumps(text)[1:-1] in body


@pytest.fixture(scope="module")
def site(gd_plugins: None) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:6]
    admin = make_sysadmin()
    editor = make_user()
    org = make_org(users=[{"name": editor["name"], "capacity": "editor"}])
    ctx = {"user": admin["name"]}
    create = tk.get_action("package_create")
    public = create(dict(ctx), dataset_dict(org["id"], title=f"缓存公开数据集{tag}"))
    private = create(dict(ctx), dataset_dict(org["id"], title=f"缓存私有数据集{tag}",
                                             private=True))
    closed = create(dict(ctx), dataset_dict(org["id"], title=f"缓存不予开放数据集{tag}",
                                            access_rights="not_open", private=True))
    token = factories.APIToken(user=editor["name"])["token"]
    return {"tag": tag, "org": org, "editor": editor, "token": token, "public": public,
            "private": private, "closed": closed, "admin": admin}


def test_anonymous_pages_and_api_answers_are_kept_until_a_write(live_server: str,
                                                                site: dict[str, Any]) -> None:
    for path in (f"/dataset/{site['public']['name']}", "/dataset/",
                 f"/api/3/action/package_show?id={site['public']['name']}"):
        first = get(live_server + path)
        second = get(live_server + path)
        assert first[0] == second[0] == 200
        assert second[1]["X-Guangdong-Cache"] == "hit", path
        assert second[2] == first[2]
        assert second[1]["ETag"] == first[1]["ETag"] and "Last-Modified" in second[1]
        assert "public" in second[1]["Cache-Control"]
        # A browser that has it revalidates: 304, no body.
        revalidated = get(live_server + path, {"If-None-Match": first[1]["ETag"]})
        assert revalidated[0] == 304 and revalidated[2] == ""


def test_an_edit_is_seen_at_once_by_anonymous_visitors_and_its_editor(
        live_server: str, site: dict[str, Any]) -> None:
    name = site["public"]["name"]
    page, api, listing = (f"/dataset/{name}", f"/api/3/action/package_show?id={name}",
                          f"/dataset/?q=缓存公开数据集{site['tag']}")
    for path in (page, api, listing):
        get(live_server + path)
        assert get(live_server + path)[1]["X-Guangdong-Cache"] == "hit"
    editor = {"Authorization": site["token"]}
    for n in range(3):
        title = f"缓存公开数据集{site['tag']}改{n}"
        patch = urllib.request.Request(
            f"{live_server}/api/3/action/package_patch", method="POST",
            data=json.dumps({"id": name, "title": title}).encode(),
            headers={**editor, "Content-Type": "application/json"})
        with urllib.request.urlopen(patch, timeout=60) as answer:
            assert json.load(answer)["success"]
        # Read back at once, as anonymous and as the editor: never the old title.
        for headers in ({}, editor):
            assert title in get(live_server + page, headers)[2]
            assert json.loads(get(live_server + api, headers)[2])["result"]["title"] == title
            assert title in get(live_server + listing, headers)[2]


@pytest.mark.parametrize("which", ["private", "closed"])
def test_private_and_not_open_datasets_are_never_kept_or_served_to_others(
        live_server: str, site: dict[str, Any], which: str) -> None:
    pkg = site[which]
    editor = {"Authorization": site["token"]}
    for path in (f"/dataset/{pkg['name']}", f"/api/3/action/package_show?id={pkg['name']}"):
        for _ in range(2):  # the member sees it, twice: never from a shared cache
            status, headers, body = get(live_server + path, editor)
            assert status == 200 and shows(body, pkg["title"])
            assert "X-Guangdong-Cache" not in headers
            assert headers["Cache-Control"].startswith("private")
        # Anonymous visitors (with or without an anonymous session) never get it.
        for headers in ({}, {"Cookie": "ckan=forged"}):
            status, answer_headers, body = get(live_server + path, headers)
            assert status in (403, 404) and not shows(body, pkg["title"])
            assert answer_headers.get("X-Guangdong-Cache") != "hit"


def test_a_logged_in_page_is_never_handed_to_the_public(live_server: str,
                                                        site: dict[str, Any]) -> None:
    path = f"/dataset/{site['public']['name']}"
    editor = {"Authorization": site["token"]}
    own = get(live_server + path, editor)
    assert own[0] == 200 and "private" in own[1]["Cache-Control"]
    assert f"/dataset/edit/{site['public']['name']}" in own[2]  # the editor's own buttons
    anonymous = get(live_server + path)
    assert f"/dataset/edit/{site['public']['name']}" not in anonymous[2]
    # A visitor whose cookie is not an anonymous session (a login, a forged one) is not
    # served from the cache either.
    for cookie in ("ckan=forged", "remember_token=abc", "ckan=; other=1"):
        status, headers, _ = get(live_server + path, {"Cookie": cookie})
        assert status == 200 and "X-Guangdong-Cache" not in headers
        assert headers["Cache-Control"].startswith("private")


def test_anonymous_session_cookie_still_served_from_the_cache(live_server: str,
                                                              site: dict[str, Any]) -> None:
    """Every anonymous page starts a session holding only CKAN's CSRF token (CKAN counts it
    as anonymous): a browser sending it back is still an anonymous visitor."""
    fresh = f"/dataset/?q={uuid.uuid4().hex}"  # rendered now: it starts the session
    status, headers, _ = get(live_server + fresh)
    cookie = (headers.get("Set-Cookie") or "").split(";")[0]
    assert status == 200 and cookie.startswith("ckan=")
    path = f"/dataset/{site['public']['name']}"
    get(live_server + path, {"Cookie": cookie})
    status, headers, _ = get(live_server + path, {"Cookie": cookie})
    assert status == 200 and headers["X-Guangdong-Cache"] == "hit"
    assert "Set-Cookie" not in headers  # nobody else's session


def test_site_version_rises_after_a_commit_and_not_for_page_view_beacons(
        site: dict[str, Any]) -> None:
    import ckan.model as model
    import sqlalchemy as sa

    from ckanext.guangdong.theme import page_cache
    page_cache.install_write_listeners()
    before = page_cache.current_version()
    model.Session.execute(sa.text(
        "INSERT INTO tracking_raw (user_key, url, tracking_type) VALUES ('k', '/x', 'page')"))
    model.Session.commit()
    assert page_cache.current_version() == before
    tk.get_action("package_patch")({"user": site["admin"]["name"]},
                                   {"id": site["public"]["id"], "notes": "版本测试"})
    assert int(page_cache.current_version()) > int(before)


@pytest.mark.parametrize("path", ["/dataset/?q=%00", "/dataset/?q=" + "长" * 3000,
                                  "/dataset/?q=<script>alert(1)</script>",
                                  "/api/3/action/package_search?rows=abc"])
def test_hostile_requests_are_answered_and_not_kept_when_refused(live_server: str,
                                                                 path: str) -> None:
    status, headers, body = get(live_server + path)
    assert status in (200, 400, 409)
    assert "Traceback" not in body and "<script>alert(1)</script>" not in body
    if status != 200:
        assert get(live_server + path)[1].get("X-Guangdong-Cache") != "hit"
