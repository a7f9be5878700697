"""Bad parameter values that gave a 500 (issue 14, attack trial a9, N5): a boolean that is not
one, a list where a text is expected, an object as an organisation's or group's extra value.
Each answers 409 naming the parameter, in the request's language (zh and en)."""
from __future__ import annotations

import uuid
from typing import Any

import pytest
from ckan.tests import factories
from gd_testing import make_org, make_user

pytestmark = pytest.mark.usefixtures("gd")

@pytest.fixture(scope="module")
def world(gd_plugins: None, gd_app: Any) -> dict[str, Any]:
    admin = make_user()
    org = make_org(users=[{"name": admin["name"], "capacity": "admin"}])
    token = factories.APIToken(user=admin["name"])["token"]
    return {"token": token, "org": org, "admin": admin["name"]}


def _error(answer: Any) -> dict[str, Any]:
    assert answer.status_code in (400, 409), (answer.status_code, answer.text[:500])
    body = answer.json
    assert body["success"] is False, body
    return body["error"]


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_soft_match_flag_that_is_no_boolean(gd_app: Any, lang: str) -> None:
    answer = gd_app.get("/api/3/action/package_search?q=a&guangdong_soft_match=maybe",
                        headers={"Accept-Language": lang}, status=None)
    error = _error(answer)
    words = str(error["guangdong_soft_match"])
    assert ("true or false" if lang == "en" else "true 或 false") in words, error


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_sql_query_that_is_a_list(gd_app: Any, lang: str) -> None:
    answer = gd_app.post("/api/3/action/datastore_search_sql", json={"sql": ["x"]},
                         headers={"Accept-Language": lang}, status=None)
    error = _error(answer)
    words = str(error["sql"])
    assert ("must be text" if lang == "en" else "必须是文本") in words, error


@pytest.mark.parametrize("action", ["organization_patch", "group_patch"])
@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_an_object_as_an_extra_value(gd_app: Any, world: dict[str, Any], lang: str, action: str) -> None:
    headers = {"Authorization": world["token"], "Accept-Language": lang}
    if action == "group_patch":
        group = factories.Group(name=f"g-{uuid.uuid4().hex[:8]}",
                                users=[{"name": world["admin"], "capacity": "admin"}])
        target = group["id"]
    else:
        target = world["org"]["id"]
    answer = gd_app.post(f"/api/3/action/{action}", headers=headers, status=None,
                         json={"id": target, "extras": [{"key": "a", "value": {"b": 1}}]})
    error = _error(answer)
    words = str(error.get("extras"))
    assert ("Must be a text" if lang == "en" else "文本") in words, error


def test_texts_and_numbers_as_extra_values_still_save(gd_app: Any, world: dict[str, Any]) -> None:
    headers = {"Authorization": world["token"], "Accept-Language": "en"}
    answer = gd_app.post("/api/3/action/organization_patch", headers=headers, status=None,
                         json={"id": world["org"]["id"], "extras": [{"key": "a", "value": "一"},
                                                                   {"key": "b", "value": 2}]})
    assert answer.status_code == 200, answer.text[:500]
    extras = {e["key"]: e["value"] for e in answer.json["result"]["extras"]}
    assert extras["a"] == "一" and extras["b"] == "2", extras  # a number: stored as its digits
