"""The Action API answers in the caller's language (Accept-Language) when its URL has no
locale prefix; pages keep the URL's language; a prefix wins over the header."""
from __future__ import annotations

import pytest

from ckanext.guangdong.theme.api_language import locale_for

NOT_FOUND = "/api/3/action/package_show?id=no-such-dataset-t11"


@pytest.mark.parametrize("header,locale", [
    ("en", "en"), ("en-US,en;q=0.9", "en"), ("zh-CN,zh;q=0.9,en;q=0.8", "zh_Hans_CN"),
    ("zh-Hans-CN", "zh_Hans_CN"), ("fr-FR, de;q=0.5", None), ("en;q=0.1, zh;q=0.9", "zh_Hans_CN"),
    ("", None), (None, None), ("\x00<script>", None), ("en," * 5000, None), ("*", "zh_Hans_CN"),
    ("en;q=0, zh-TW", "zh_Hans_CN"), ("EN-gb", "en"),
])
def test_locale_for(gd, header, locale):
    assert locale_for(header) == locale


def _error(gd_app, path, **headers):
    res = gd_app.get(path, headers=headers, status=404)
    return res.json["error"]["message"]


def test_api_errors_follow_accept_language(gd_app):
    assert _error(gd_app, NOT_FOUND, **{"Accept-Language": "en-GB,en;q=0.8"}) == "Not found"
    assert _error(gd_app, NOT_FOUND, **{"Accept-Language": "zh-CN"}) == "未找到"
    assert _error(gd_app, NOT_FOUND) == "未找到"  # no header: the default, Chinese
    assert _error(gd_app, NOT_FOUND, **{"Accept-Language": "fr"}) == "未找到"
    # an explicit prefix wins
    assert _error(gd_app, "/en" + NOT_FOUND, **{"Accept-Language": "zh-CN"}) == "Not found"
    assert _error(gd_app, "/zh_Hans_CN" + NOT_FOUND, **{"Accept-Language": "en"}) == "未找到"


def test_validation_errors_follow_accept_language(gd_app):
    token = __import__("ckan.tests.factories", fromlist=["x"]).APIToken(
        user=__import__("gd_testing").make_sysadmin()["name"])["token"]
    for lang, text in (("en", "This field is required"), ("zh-CN", "此项为必填项")):
        res = gd_app.post("/api/3/action/package_create", json={"type": "dataset"},
                          headers={"Authorization": token, "Accept-Language": lang}, status=409)
        assert text in str(res.json["error"]), (lang, res.json["error"])


def test_pages_keep_the_url_language(gd_app):
    page = gd_app.get("/dataset", headers={"Accept-Language": "en"})
    assert 'lang="zh-Hans-CN"' in page.body
