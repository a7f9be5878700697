"""Page cost at scale (issue 17): the date order of a constant score, the count/facet
cache shared through Redis, and per-organization generations."""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from gd_testing import make_sysadmin
from search_helpers import search, unique

pytestmark = pytest.mark.usefixtures("gd_search")
FACETS = {"facet.field": ["organization", "theme"]}


@contextlib.contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement run inside the block."""
    import ckan.model as model
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)
    engine = model.meta.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def _admin() -> dict[str, Any]:
    return {"ignore_auth": True, "user": make_sysadmin()["name"]}


def _ids(result: dict[str, Any]) -> list[str]:
    return [r["id"] for r in result["results"]]


@pytest.fixture(scope="module")
def dated(gd_search: None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """An organization of 20 datasets (a page of 1 is 1/20 of them: the date index is walked);
    an older one edited last is the most recent."""
    import ckan.plugins.toolkit as tk
    from ckan.tests import factories
    org = factories.Organization(name=unique("org"))
    admin = _admin()
    made = [tk.get_action("package_create")(dict(admin), _dataset(org, f"日期排序{i}"))
            for i in range(20)]
    tk.get_action("package_patch")(dict(admin), {"id": made[1]["id"], "title": "日期排序一（修改）"})
    return org, made


def _dataset(org: dict[str, Any], title: str) -> dict[str, Any]:
    import uuid
    return {"type": "dataset", "name": unique("ds"), "title": title, "notes": "排序测试。",
            "identifier": f"29000/{uuid.uuid4().int % 10**10:010d}", "owner_org": org["id"],
            "private": False, "publisher_name": "广东省交通运输厅",
            "publisher_identifier": "11440000006940081X", "theme": ["道路交通"],
            "access_rights": "unconditional", "frequency": "monthly", "issued": "2018-06-01",
            "modified": "2018-07-01", "region_code": "440100", "contact_name": "数据管理科",
            "contact_email": "opendata@gd.gov.cn", "contact_phone": "020-12345678",
            "record_count": 1, "license_id": "cc-by", "resources": []}


@pytest.mark.parametrize("q", ["", "*:*"])
def test_constant_score_default_sort_is_the_date_order_on_the_date_index(q: str, dated) -> None:
    org, made = dated
    scope = {"fq": f'organization:{org["name"]}', **FACETS}
    expected = [made[1]["id"], made[19]["id"], made[18]["id"]]
    for rows in (3, 1):  # 3 of 20: sorted in memory; 1 of 20: a walk of the date index
        by_date = search(q=q, sort="metadata_modified desc", rows=rows, **scope)
        with statements() as seen:
            # CKAN's default for the dataset list; and no sort at all (score desc)
            default = search(q=q, sort="score desc, metadata_modified desc", rows=rows, **scope)
            unsorted = search(q=q, rows=rows, **scope)
        assert _ids(default) == _ids(unsorted) == _ids(by_date) == expected[:rows]
    pages = [s for s in seen if "WITH page AS" in s]
    assert pages and all("ORDER BY metadata_modified DESC, index_id LIMIT" in s for s in pages)


def test_few_hits_are_not_looked_for_along_the_date_index(dated) -> None:
    """package_show's look-up of one dataset (id or name, CKAN's fixed filters) is a
    constant-score query too: its one row is found through the other indexes."""
    import ckan.plugins.toolkit as tk
    org, made = dated
    tk.get_action("package_show")({"ignore_auth": True}, {"id": made[4]["name"]})
    with statements() as seen:
        shown = tk.get_action("package_show")({"ignore_auth": True}, {"id": made[4]["name"]})
        search(q="*:*", fq=f'name:{made[4]["name"]}', rows=1)
    assert shown["id"] == made[4]["id"]
    pages = [s for s in seen if "WITH page AS" in s]
    assert pages and not any("ORDER BY metadata_modified DESC, index_id LIMIT" in s for s in pages)


def test_ranked_query_still_orders_by_score(make_org: Callable, make_dataset: Callable) -> None:
    org = make_org()
    word = unique("排序词").replace("-", "")
    strong = make_dataset(org, title=f"{word}{word}", tag_string=word)
    weak = make_dataset(org, title="其他标题", notes=f"备注里有{word}")
    result = search(q=word, fq=f'organization:{org["name"]}', sort="score desc, metadata_modified desc")
    assert _ids(result) == [strong["id"], weak["id"]]


def test_write_to_one_organization_keeps_the_cached_counts_of_another(
        make_org: Callable, make_dataset: Callable) -> None:
    import ckan.plugins.toolkit as tk

    from ckanext.guangdong.search.backend import cache
    org_a, org_b = make_org(), make_org()
    tag = unique("scope")
    moved = make_dataset(org_a, title="范围甲", tag_string=tag)
    make_dataset(org_b, title="范围乙", tag_string=tag)
    in_a = {"q": "*:*", "fq": f'organization:{org_a["name"]}', **FACETS}
    in_b = {"q": "*:*", "fq": f'owner_org:"{org_b["id"]}"', **FACETS}
    tagged = {"q": "*:*", "fq": f"tags:{tag}", **FACETS}
    for scope in (in_a, in_b, tagged):
        search(**scope)
    hits = cache.stats["hits"]
    assert search(**in_b)["count"] == 1
    assert cache.stats["hits"] == hits + 1

    make_dataset(org_a, title="范围甲二", tag_string=tag)  # a write to A only
    hits = cache.stats["hits"]
    assert search(**in_b)["count"] == 1                     # B's entry still valid
    assert cache.stats["hits"] == hits + 1
    assert search(**in_a)["count"] == 2                     # A's recounted
    assert search(**tagged)["count"] == 3                   # unscoped: recounted
    assert cache.stats["hits"] == hits + 1

    # A dataset moving from A to B changes both (its old and its new organization).
    tk.get_action("package_patch")(_admin(),
                                   {"id": moved["id"], "owner_org": org_b["id"]})
    assert search(**in_b)["count"] == 2
    assert search(**in_a)["count"] == 1
    # Deleting it changes its organization's counts.
    tk.get_action("package_delete")(_admin(), {"id": moved["id"]})
    assert search(**in_b)["count"] == 1


def test_shared_level_serves_another_worker_and_checks_the_generation() -> None:
    from ckanext.guangdong.search.backend import cache
    key = cache.make_key("postgresql://u:secret@h/db", 1, "w", {"p0": unique("v")}, ["theme"], 1)
    cache.put(key, 41, 7, {0: ["道路交通", 7]})
    with cache._lock:
        cache._entries.clear()  # another worker: nothing in its own process yet
    shared = cache.stats["shared_hits"]
    assert cache.get(key, 41) == (7, {0: ["道路交通", 7]})
    assert cache.stats["shared_hits"] == shared + 1
    with cache._lock:
        cache._entries.clear()
    assert cache.get(key, 42) is None  # a newer generation: recount
    from ckan.lib.redis import connect_to_redis
    names = [k.decode() for k in connect_to_redis().scan_iter(match=cache.REDIS_PREFIX + "*")]
    assert names and not any("secret" in n or "postgresql" in n for n in names)


def test_search_goes_on_when_redis_is_down(make_org: Callable, make_dataset: Callable,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import redis

    from ckanext.guangdong.search.backend import cache
    org = make_org()
    make_dataset(org, title="缓存不可用")
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    monkeypatch.setattr(cache, "_redis", lambda: dead)
    cache.clear()
    scope = {"q": "*:*", "fq": f'organization:{org["name"]}', **FACETS}
    assert search(**scope)["count"] == 1
    assert search(**scope)["count"] == 1  # served by the process-local level
