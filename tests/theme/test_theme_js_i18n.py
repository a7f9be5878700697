"""CKAN's JavaScript starts on every page in every offered locale: the translations endpoint
answers for the locale name CKAN's JS builds from ``<html lang>``, the translations are built,
and in a real browser the page modules start and the language selector switches language."""
from __future__ import annotations

import json

import ckan.lib.helpers as h
import pytest
from ckan.common import config
from gd_chromium import chromium_session, needs_chromium


def js_locale_name(locale: str) -> str:
    """What ckan/public/base/javascript/client.js asks for: ``<html lang>`` (BCP 47) with its
    first hyphen replaced."""
    return h.unix_locale_to_bcp47(locale).replace("-", "_", 1)


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_translations_endpoint_answers_every_offered_locale(gd_app, prefix):
    offered = config.get("ckan.locales_offered")
    assert "zh_Hans_CN" in offered and "en" in offered
    for locale in offered:
        for name in {js_locale_name(locale), locale, h.unix_locale_to_bcp47(locale)}:
            for path in (f"/api/i18n/{name}", f"/api/2/i18n/{name}"):
                res = gd_app.get(prefix + path)
                assert res.status_code == 200, (path, res.body[:200])
                assert isinstance(json.loads(res.body), dict)
    zh = json.loads(gd_app.get("/api/i18n/" + js_locale_name("zh_Hans_CN")).body)
    # built from CKAN's catalog (the upload widget's labels, for one)
    assert zh["Upload"][1] == "上传" and zh[""]["lang"] == "zh_Hans_CN"


def test_unknown_locale_still_refused(gd_app):
    assert gd_app.get("/api/i18n/xx_Nope-ZZ").status_code == 400
    assert gd_app.get("/api/i18n/<script>").status_code in (400, 404)


@needs_chromium
def test_modules_start_and_the_language_selector_switches(live_server):
    with chromium_session(live_server) as b:
        for path in ("/dataset", "/en/dataset"):
            b.open(path)
            assert "select-switch" in b.modules(), path
        b.open("/dataset")
        b.screenshot("js-i18n-dataset-zh")
        b.page.click(".lang-container a.select2-choice")
        b.page.click(".lang-dropdown li:has-text('English')")
        b.page.wait_for_load_state("networkidle")
        assert b.page.url == live_server + "/en/dataset"
        assert b.page.locator("html").get_attribute("lang") == "en"
        b.screenshot("js-i18n-dataset-en")
        b.page.click(".lang-container a.select2-choice")
        b.page.click(".lang-dropdown li:has-text('中文')")
        b.page.wait_for_load_state("networkidle")
        assert b.page.locator("html").get_attribute("lang") == "zh-Hans-CN"
        assert "select-switch" in b.modules()
        assert b.console_errors == [] and b.outside == []
