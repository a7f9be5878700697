"""Two oracles of attack trial a8 (issue 14), over HTTP against the real app: a tag that only
hidden datasets carry (L1: ``tag_show`` answered 200 with its name, an unknown tag 404) and the
DataStore table of a hidden resource (L2: ``datastore_search_sql`` answered 403 "not authorized
to read resource <id>", a random id 409 "unknown table"). Both are now answered exactly as the
unknown one, in zh and en, to anonymous visitors and to an editor of another organisation;
those who may read a dataset with the tag keep the real answer."""
from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
from world import World

pytestmark = pytest.mark.usefixtures("gd_plugins")

HIDDEN_KEYS = ("private", "draft", "not_open", "held", "harvested_not_open", "app_private")
OUTSIDERS = ("anonymous", "other_editor")
LANGS = ("zh-CN", "en")


def call(base: str, w: World, role: str, name: str, lang: str, **params: Any) -> tuple[int, Any]:
    token = w.tokens[role]
    headers = {"Accept-Language": lang, **({"Authorization": token} if token else {})}
    r = requests.post(f"{base}/api/3/action/{name}", json=params, headers=headers, timeout=60)
    body = r.json()
    return r.status_code, body.get("error") if r.status_code != 200 else body["result"]


# --- L1: tag_show ---------------------------------------------------------------------------
def test_a_tag_only_hidden_datasets_carry_is_an_unknown_tag(leak_world: World, live_server: str) -> None:
    w = leak_world
    for role in OUTSIDERS:
        for lang in LANGS:
            unknown = call(live_server, w, role, "tag_show", lang, id=f"{w.run}nosuchtag")
            assert unknown[0] == 404 and unknown[1]["message"] == ("Not found" if lang == "en" else "未找到"), unknown
            for key in HIDDEN_KEYS:
                answer = call(live_server, w, role, "tag_show", lang, id=w.markers[key])
                assert answer == unknown, (role, lang, key, answer)
                answer = call(live_server, w, role, "tag_show", lang, id=w.markers[key], include_datasets=True)
                assert answer == unknown, (role, lang, key, answer)
            shown = call(live_server, w, role, "tag_show", lang, id=w.markers["public"])
            assert shown[0] == 200 and shown[1]["name"] == w.markers["public"], shown
    # whoever may read a dataset with the tag keeps the answer: the hidden datasets'
    # organisation's member reads its private dataset, the sysadmin all
    shown = call(live_server, w, "owner_member", "tag_show", "zh-CN", id=w.markers["private"])
    assert shown[0] == 200 and shown[1]["name"] == w.markers["private"], shown
    for key in HIDDEN_KEYS:
        shown = call(live_server, w, "sysadmin", "tag_show", "zh-CN", id=w.markers[key])
        assert shown[0] == 200 and shown[1]["name"] == w.markers[key], (key, shown)


# --- L2: datastore_search_sql -----------------------------------------------------------------
SHAPES = (
    'SELECT 1 FROM "{rid}"',
    'SELECT * FROM public."{rid}" WHERE 1 = 1',
    'SELECT a."名称" FROM "{public}" a JOIN "{rid}" b ON true',
)


def _hidden_resources(w: World) -> dict[str, str]:
    return {key: w.packages[key]["resources"][0]["id"] for key in ("private", "not_open", "held")}


def test_a_hidden_resources_table_is_an_unknown_table(leak_world: World, live_server: str) -> None:
    w = leak_world
    public = w.packages["public"]["resources"][0]["id"]
    for role in OUTSIDERS:
        for lang in LANGS:
            for shape in SHAPES:
                for key, rid in _hidden_resources(w).items():
                    twin = str(uuid.uuid4())  # a random id of the same length, where PostgreSQL points
                    unknown = call(live_server, w, role, "datastore_search_sql", lang,
                                   sql=shape.format(rid=twin, public=public))
                    assert unknown[0] == 409 and set(unknown[1]) == {"__type", "query"}, unknown
                    word = "Unknown table" if lang == "en" else "未知的表"
                    assert word in unknown[1]["query"][0] and twin in unknown[1]["query"][0], unknown
                    answer = call(live_server, w, role, "datastore_search_sql", lang,
                                  sql=shape.format(rid=rid, public=public))
                    assert answer == (409, {**unknown[1], "query": [unknown[1]["query"][0].replace(twin, rid)]}), \
                        (role, lang, shape, key, answer, unknown)
    # a table the caller may read still answers
    for role in (*OUTSIDERS, "sysadmin"):
        answer = call(live_server, w, role, "datastore_search_sql", "zh-CN", sql=f'SELECT 1 AS one FROM "{public}"')
        assert answer[0] == 200 and answer[1]["records"] == [{"one": 1}], (role, answer)
    held = _hidden_resources(w)["private"]
    answer = call(live_server, w, "sysadmin", "datastore_search_sql", "zh-CN", sql=f'SELECT 1 AS one FROM "{held}"')
    assert answer[0] == 200 and answer[1]["records"] == [{"one": 1}], answer
    # a name that is no resource id keeps CKAN's refusal (nothing to hide there)
    answer = call(live_server, w, "anonymous", "datastore_search_sql", "zh-CN", sql='SELECT 1 FROM "_table_metadata"')
    assert answer[0] == 403, answer
