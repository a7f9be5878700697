"""guangdong_search_suggest: suggestions while typing, Chinese and pinyin, never of a
private, draft or 不予开放 dataset (nor its organization or tags), bad input refused with
400 and a Chinese/English message."""
from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from gd_testing import make_sysadmin

pytestmark = [pytest.mark.usefixtures("gd_search"), pytest.mark.search_engine_neutral]

API = "/api/3/action/guangdong_search_suggest"


@pytest.fixture(scope="module")
def catalog(gd_search: None) -> dict[str, Any]:
    import ckan.plugins.toolkit as tk
    from ckan.tests import factories
    from gd_testing import dataset_dict
    from search_helpers import latin_word, unique
    admin = make_sysadmin()
    word = latin_word("sg")
    public_org = factories.Organization(name=unique("sgpub"), title=f"{word}公开部门")
    hidden_org = factories.Organization(name=unique("sghid"), title=f"{word}隐藏部门")

    def make(org: dict[str, Any], title: str, tag: str, **extra: Any) -> dict[str, Any]:
        data = dataset_dict(org["id"], full=False, name=unique("sg"), title=title, tag_string=tag,
                            record_count=10, resources=[{"url": "http://127.0.0.1/a.csv",
                                                         "name": "文件", "format": "CSV"}])
        data.update(extra)
        return tk.get_action("package_create")({"user": admin["name"], "ignore_auth": True}, data)
    made = {
        "public": make(public_org, f"{word}公共停车场信息", f"{word}公开标签"),
        "private": make(hidden_org, f"{word}停车场私有数据", f"{word}私有标签", private=True),
        "not_open": make(hidden_org, f"{word}停车场不予开放", f"{word}不开放标签", private=True,
                         access_rights="not_open"),
        "draft": make(public_org, f"{word}停车场草稿", f"{word}草稿标签", state="draft"),
    }
    return {"word": word, "made": made, "public_org": public_org, "hidden_org": hidden_org,
            "admin": admin}


def suggest(user: dict[str, Any] | None, **params: Any) -> dict[str, Any]:
    import ckan.plugins.toolkit as tk
    return tk.get_action("guangdong_search_suggest")({"user": user["name"] if user else ""},
                                                     params)


@pytest.mark.parametrize("who", ["anonymous", "sysadmin"])
def test_only_public_datasets_organizations_and_tags(catalog: dict[str, Any], who: str) -> None:
    word = catalog["word"]
    user = catalog["admin"] if who == "sysadmin" else None
    got = suggest(user, q=f"{word} 停车场", rows=20)["suggestions"]
    texts = " ".join(s["text"] + " " + s["name"] for s in got)
    assert {s["name"] for s in got if s["kind"] == "dataset"} == {catalog["made"]["public"]["name"]}
    assert catalog["public_org"]["title"] in texts and f"{word}公开标签" in texts
    for hidden in ("私有", "不予开放", "草稿", "不开放", "隐藏", catalog["hidden_org"]["name"]):
        assert hidden not in texts, (hidden, got)


@pytest.mark.parametrize("q", ["tingchechang", "ting che chang", "tcc", "停车"])
def test_pinyin_and_chinese_input(catalog: dict[str, Any], q: str) -> None:
    got = suggest(None, q=f"{catalog['word']} {q}")["suggestions"]
    assert got[0] == {"kind": "dataset", "text": catalog["made"]["public"]["title"],
                      "name": catalog["made"]["public"]["name"]}


@pytest.mark.parametrize("q", ["", "   ", "((", ":*", "\"'", "AND OR NOT"])
def test_syntax_is_never_an_error(catalog: dict[str, Any], q: str) -> None:
    assert isinstance(suggest(None, q=q)["suggestions"], list)


# Any value the action cannot use is one 400 naming the parameter (search/logic/inputs.py; the
# portal's door leaves this action's paging to it, security/boundary.py).
@pytest.mark.parametrize("params,status,message_zh,message_en", [
    ({"q": "停" * 101}, 400, "语句过长", "too long"),
    ({"q": "停车\x00"}, 400, "NUL", "NUL"),
    ({"q": "停车", "rows": "0"}, 400, "之间的整数", "whole number"),
    ({"q": "停车", "rows": "21"}, 400, "之间的整数", "whole number"),
    ({"q": "停车", "rows": "abc"}, 400, "之间的整数", "whole number"),
    ({"q": "停车", "rows": "-1"}, 400, "之间的整数", "whole number"),
    ({"q": "停车", "rows": "99999999999999999999"}, 400, "之间的整数", "whole number"),
])
def test_bad_input_is_refused_in_both_languages(live_server: str, params: dict[str, Any],
                                                status: int, message_zh: str,
                                                message_en: str) -> None:
    zh = requests.get(live_server + API, params=params, timeout=60)
    en = requests.get(live_server + "/en" + API, params=params, timeout=60)
    assert zh.status_code == en.status_code == status, zh.text[:300]
    assert message_zh in json.dumps(zh.json(), ensure_ascii=False), zh.text[:300]
    assert message_en in json.dumps(en.json(), ensure_ascii=False), en.text[:300]


def test_anonymous_over_http(live_server: str, catalog: dict[str, Any]) -> None:
    answer = requests.get(live_server + API, params={"q": f"{catalog['word']} tcc"}, timeout=60)
    assert answer.status_code == 200
    names = [s["name"] for s in answer.json()["result"]["suggestions"]]
    assert catalog["made"]["public"]["name"] in names
    assert not {catalog["made"][k]["name"] for k in ("private", "not_open", "draft")} & set(names)


