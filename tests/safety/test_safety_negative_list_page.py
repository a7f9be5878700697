"""The negative-list admin page (trial 9, item 9): 现行类别 lists what each category matches,
in the page's language, and the YAML shown to sysadmins is commented in Chinese."""
from __future__ import annotations

import re

import pytest
from safety_support import api_token, file_list_in_force, make_sysadmin

pytestmark = pytest.mark.usefixtures("gd")


def _categories(page: str) -> str:
    return page.split('class="gd-categories"', 1)[1].split("</ul>\n  <form", 1)[0]


def test_categories_show_what_they_match_and_the_file_is_commented_in_chinese(gd_app) -> None:
    from ckanext.guangdong.safety import negative_list
    file_list_in_force()
    token = api_token(make_sysadmin())
    zh = _categories(gd_app.get("/ckan-admin/negative-list", headers={"Authorization": token}).get_data(as_text=True))
    assert "关键词（在标题、描述或标签中）：国家秘密、涉密" in zh
    assert "信息资源代码前缀：<code>SM-</code>" in zh and re.search(r"信息项：[^<]*公民身份号码", zh)
    assert "文件检查在任一列（不论列名）发现：居民身份证号、银行卡号" in zh  # the detectors key
    en = _categories(gd_app.get("/en/ckan-admin/negative-list", headers={"Authorization": token}).get_data(as_text=True))
    assert "Keywords (in the title, description or tags): 国家秘密, 涉密" in en
    assert "Identifier prefixes: <code>SM-</code>" in en and re.search(r"Data items: [^<]*公民身份号码", en)
    assert "Found by the file check in a column, whatever its header: Resident ID number, Bank card number" in en
    comments = [ln for ln in negative_list.default_text().splitlines() if ln.startswith("#")]
    assert len(comments) > 5
    english = [ln for ln in comments if re.search(r"[A-Za-z]+ [A-Za-z]+ [A-Za-z]+", ln)]
    assert english == []
