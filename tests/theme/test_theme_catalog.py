"""Our corrections to CKAN's Chinese catalog (theme/i18n/<locale>/overrides/*.po) win over
CKAN's own, in pages and in CKAN's JavaScript; scripts/compile_translations.py refuses two
override files that disagree."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# msgid -> (CKAN's wrong or missing Chinese, ours)
CORRECTED = {
    "Log in": "登录", "Login": "登录", "Followers": "关注者", "Field": "字段", "Value": "值",
    "Organizations": "提供部门", "Organization": "提供部门", "License": "许可协议",
    "Skip to main content": "跳到正文", "Username or Email": "用户名或电子邮箱",
    # typos in CKAN's catalog (文挡, 编缉, 已…的身份) and the preview's untranslated words
    "A resource can be any file or link to a file containing useful data.":
        "资源可以是任何包含有用数据的文件，或指向这类文件的链接。",
    "User %r not authorized to edit %s": "用户%r没有权限编辑%s",
    "Unauthorized to edit this resource": "没有权限编辑本资源",
    'User "%s" is now registered but you are still logged in as "%s" from before':
        "用户“%s”已注册，但你仍以“%s”的身份登录",
    "Sort": "排序",
    # user trial 7: ASCII punctuation and product jargon on Chinese pages, a state in English
    '<p class="extra">Please try another search.</p>': '<p class="extra">请换个词重新搜索。</p>',
    "What are datasets?": "什么是数据集？",
    "A CKAN Dataset is a collection of data resources (such as files), together with a description and other "
    "information, at a fixed URL. Datasets are what users see when searching for data.":
        "数据集是一组数据文件（如表格、文档）连同说明和其他信息，有固定的网址。用户搜索数据时找到的就是数据集。",
    "draft": "草稿",
    # user trial 8: English on Chinese pages (the admin sidebar, a hidden search button)
    "Harvest": "数据采集", "Go": "确定",
}


@pytest.mark.parametrize("msgid,ours", CORRECTED.items())
def test_overrides_win_in_pages(gd_app, msgid, ours):
    from flask_babel import gettext
    with gd_app.flask_app.test_request_context("/"):
        from flask import request
        request.environ["CKAN_LANG"] = "zh_Hans_CN"
        assert gettext(msgid) == ours


def test_english_names_our_organizations_publishers(gd_app):
    from flask_babel import gettext
    with gd_app.flask_app.test_request_context("/en/"):
        from flask import request
        request.environ["CKAN_LANG"] = "en"
        assert gettext("Organizations") == "Publishers"
        assert gettext("Add Organization") == "Add Publisher"
        # user trial 7: "There are no Publishing organization that match this search"
        assert gettext("There are no {facet_type} that match this search") == "Nothing matches this search."
        assert "CKAN" not in gettext(
            "A CKAN Dataset is a collection of data resources (such as files), together with a description and "
            "other information, at a fixed URL. Datasets are what users see when searching for data.")
        assert gettext("广东省政府数据统一开放平台") == "Guangdong Provincial Government Open Data Platform"


def test_overrides_win_in_javascript(gd_app):
    js = json.loads(gd_app.get("/api/i18n/zh_Hans_CN").body)
    assert js["No matches found"][1] == "没有找到匹配项"  # CKAN: 沒有匹配的资料
    assert js["Input is too short, must be at least one character"][1]  # CKAN: empty
    assert js["Sort"][1] == "排序"  # the DataTables preview's "Sort:" (CKAN: empty)


def _compiler():
    spec = importlib.util.spec_from_file_location("compile_translations", ROOT / "scripts" / "compile_translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _po(path: Path, entries: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    for k, v in entries.items():
        body += f'\nmsgid "{k}"\nmsgstr "{v}"\n'
    path.write_text(body, encoding="utf-8")


def test_compile_merges_overrides_and_refuses_disagreement(tmp_path, monkeypatch):
    compiler = _compiler()
    feature = tmp_path / "theme" / "i18n" / "zh_Hans_CN"
    _po(feature / "LC_MESSAGES" / "ckanext-guangdong-theme.po", {"About": "关于"})
    _po(feature / "overrides" / "ckan.po", {"Log in": "登录"})
    monkeypatch.setattr(compiler, "PACKAGE", tmp_path)
    assert compiler.compile_all(force=True) == [feature / "LC_MESSAGES" / "ckanext-guangdong-theme.mo"]
    from babel.support import Translations
    compiled = Translations.load(str(tmp_path / "theme" / "i18n"), ["zh_Hans_CN"], "ckanext-guangdong-theme")
    assert compiled.gettext("Log in") == "登录" and compiled.gettext("About") == "关于"
    _po(feature / "overrides" / "ckanext-harvest.po", {"Log in": "登陆"})
    with pytest.raises(SystemExit, match="Log in"):
        compiler.compile_all(force=True)
