"""Bad input to the safety feature's new inputs (review comments, clearance reasons, the
negative list, de-identification rules and parameters), over the API: a 409 (or 400/403/404)
with a short message in the caller's language, never a 500. The hostile-value sweep of every
safety action is in tests/security/test_bad_input.py; this module checks the wording."""
from __future__ import annotations

import pytest
from ckan.tests import factories
from safety_support import create, make_org, make_sysadmin

pytestmark = pytest.mark.usefixtures("gd")


@pytest.fixture(scope="module")
def admin_token(gd_plugins: None) -> str:
    return factories.APIToken(user=make_sysadmin()["name"])["token"]


def _post(gd_app, token: str, action: str, body: dict, lang: str, status: int = 409) -> dict:
    answer = gd_app.post(f"/api/3/action/{action}", json=body, status=status,
                         headers={"Authorization": token, "Accept-Language": lang})
    assert answer.json["success"] is False
    return answer.json["error"]


@pytest.mark.parametrize("lang, words", [
    ("zh-CN", {"long": "最多 2000 个字符", "missing": "请填写理由", "type": "应为文字",
               "nothing": "没有需要放行的检查结果", "lang": "应为以下之一",
               "list": "负面清单最多", "bool": "请填写 true 或 false"}),
    ("en", {"long": "At most 2000 characters", "missing": "Please give a reason", "type": "Must be text",
            "nothing": "There are no findings to clear", "lang": "One of:",
            "list": "The negative list is at most", "bool": "Enter true or false"}),
])
def test_messages_in_the_callers_language(gd_app, admin_token: str, lang: str, words: dict) -> None:
    pkg = create(make_org("city")["id"], resources=[{
        "name": "名单", "url": "http://127.0.0.1:9/people.csv", "format": "CSV"}])

    def error(action: str, body: dict, status: int = 409) -> str:
        return str(_post(gd_app, admin_token, action, body, lang, status))

    assert words["long"] in error("guangdong_safety_clear", {"id": pkg["id"], "reason": "理" * 2001})
    assert words["missing"] in error("guangdong_safety_clear", {"id": pkg["id"], "reason": "  "})
    assert words["type"] in error("guangdong_safety_clear", {"id": pkg["id"], "reason": ["a"]})
    assert words["nothing"] in error("guangdong_safety_clear", {"id": pkg["id"], "reason": "<b>理由</b>"})
    assert words["long"] in error("guangdong_safety_return", {"id": pkg["id"], "comment": "x" * 5000})
    assert words["type"] in error("guangdong_safety_approve", {"id": pkg["id"], "comment": {"a": 1}})
    assert words["list"] in error("guangdong_safety_negative_list_update",
                                  {"content": "#" * 300_000, "comment": "x"})
    # (the file is a link to nowhere: a clear 409 too, before any rule is read)
    assert "Traceback" not in error("guangdong_safety_deidentify",
                                    {"resource_id": pkg["resources"][0]["id"], "rules": ["身份证号码"]})
    assert words["bool"] in error("guangdong_safety_deidentify",
                                  {"resource_id": pkg["resources"][0]["id"], "publish": "maybe"})
    answer = gd_app.get("/api/3/action/guangdong_safety_negative_list_check", status=409,
                        params={"title": "x", "lang": "<script>"},
                        headers={"Authorization": admin_token, "Accept-Language": lang})
    assert words["lang"] in str(answer.json["error"]) and "<script>" not in answer.text
    # not found and not allowed are not 500s either
    _post(gd_app, admin_token, "guangdong_safety_clear", {"id": "no-such-dataset", "reason": "x"}, lang, 404)
    _post(gd_app, admin_token, "guangdong_safety_deidentify", {"resource_id": "x" * 300}, lang, 409)


@pytest.mark.parametrize("run", ["*", "-", "a.", "!#"])
def test_a_long_run_of_address_characters_is_read_in_linear_time(run: str) -> None:
    """A description of 100,000 characters without an @ (a Markdown rule, a dashed line): the
    e-mail pattern took time quadratic in the run's length (20,000 asterisks: ~25 s, 100,000:
    ~10 min — a saved description held a web worker that long). Linear now: well under 3 s."""
    import time

    from ckanext.guangdong.safety import detectors
    text = "说明" + run * (100_000 // len(run))
    started = time.monotonic()
    assert not detectors.detectors_in_text(text)
    assert time.monotonic() - started < 3
