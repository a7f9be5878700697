"""The backend through CKAN's real package_search / package_create (PostgreSQL, real app)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from search_helpers import search, unique

pytestmark = pytest.mark.usefixtures("gd_search")


def facet(result: dict[str, Any], name: str) -> dict[str, int]:
    return {i["name"]: i["count"] for i in result["search_facets"].get(name, {}).get("items", [])}


@pytest.mark.search_engine_neutral
def test_chinese_query_facets_and_facet_click(make_org: Callable, make_dataset: Callable) -> None:
    org = make_org(title="广州市交通运输局")
    make_dataset(org, title="广州市公交线路信息", theme=["道路交通", "民生服务"])
    make_dataset(org, title="廣州市出租汽車企業名錄", notes="出租汽车经营企业名称。",
                 theme=["道路交通"], access_rights="conditional",
                 access_conditions="向交通运输局申请", frequency="annual",
                 resources=[{"url": "http://127.0.0.1/taxi.xlsx", "name": "企业", "format": "XLSX"}])
    make_dataset(org, title="广州市公共停车场", notes="停车场泊位。", theme=["城乡建设"])
    scope = f'organization:{org["name"]}'
    fields = ["theme", "access_rights", "frequency", "res_format", "region_code"]

    result = search(q="出租汽车", fq=scope, **{"facet.field": fields})
    assert [r["title"] for r in result["results"]] == ["廣州市出租汽車企業名錄"]

    result = search(q="公交", fq=scope, **{"facet.field": fields})
    assert result["count"] == 1 and result["results"][0]["title"] == "广州市公交线路信息"
    # validated_data_dict comes back: the scheming fields are there.
    assert result["results"][0]["theme"] == ["道路交通", "民生服务"]

    result = search(q="*:*", fq=scope, **{"facet.field": fields})
    assert facet(result, "theme") == {"道路交通": 2, "民生服务": 1, "城乡建设": 1}
    assert facet(result, "access_rights") == {"unconditional": 2, "conditional": 1}
    assert facet(result, "res_format") == {"CSV": 2, "XLSX": 1}
    assert facet(result, "region_code") == {"440100": 3}

    # The organization's title is an index field of its own (Solr's Chinese text field
    # copies it; CKAN itself indexes the name only) and a word of it finds the datasets.
    assert search(q="*:*", fq=f'{scope} organization_title:"广州市交通运输局"')["count"] == 3
    assert search(q="交通运输局", fq=scope)["count"] == 3

    clicked = search(q="*:*", fq=f'{scope} theme:"道路交通" frequency:"annual"',
                     **{"facet.field": fields})
    assert clicked["count"] == 1 and facet(clicked, "theme") == {"道路交通": 1}


@pytest.mark.search_engine_neutral
def test_sort_paging_ranges_and_fl(make_org: Callable, make_dataset: Callable) -> None:
    org = make_org()
    names = [make_dataset(org, title=t)["name"] for t in ("丙 数据", "甲 数据", "乙 数据")]
    scope = f'organization:{org["name"]}'
    by_title = search(q="*:*", fq=scope, sort="title_string asc", rows=2)
    assert by_title["count"] == 3 and len(by_title["results"]) == 2
    second_page = search(q="*:*", fq=scope, sort="title_string asc", rows=2, start=2)
    titles = [r["title"] for r in by_title["results"] + second_page["results"]]
    assert titles == sorted(titles, key=lambda t: t.encode())
    newest = search(q="*:*", fq=scope, sort="metadata_modified desc")
    assert newest["results"][0]["name"] == names[-1]
    ranged = search(q="*:*", fq=f"{scope} metadata_modified:[2000-01-01T00:00:00Z TO NOW]")
    assert ranged["count"] == 3
    none = search(q="*:*", fq=f"{scope} metadata_modified:[* TO 2000-01-01T00:00:00Z]")
    assert none["count"] == 0
    numeric = search(q="*:*", fq=f"{scope} record_count:[1000 TO 2000]")
    assert numeric["count"] == 3
    ids = search(q="*:*", fq=scope, fl=["id", "name"])
    assert {r["name"] for r in ids["results"]} == set(names)


@pytest.mark.search_engine_neutral
def test_record_count_and_days_compare_as_values(make_org: Callable, make_dataset: Callable) -> None:
    """record_count is a number and issued/modified are dates on both engines (Solr's
    schema types them; as strings "15000" sorted before "2000"): found by the
    differential tests (docs/search.md)."""
    org = make_org()
    scope = f'organization:{org["name"]}'
    small = make_dataset(org, record_count=900, issued="2018-06-01", modified="2018-07-01")
    large = make_dataset(org, record_count=15000, issued="2021-03-04", modified="2021-03-05")
    middle = make_dataset(org, record_count=1200, issued="", modified="")
    assert {r["id"] for r in search(q="*:*", fq=f"{scope} record_count:[1000 TO 2000]")["results"]} \
        == {middle["id"]}
    by_count = search(q="*:*", fq=scope, sort="record_count desc")["results"]
    assert [r["id"] for r in by_count] == [large["id"], middle["id"], small["id"]]
    recent = search(q="*:*", fq=f"{scope} issued:[2019-01-01T00:00:00Z TO NOW]")["results"]
    assert [r["id"] for r in recent] == [large["id"]]
    assert search(q="*:*", fq=f"{scope} modified:[NOW-100YEARS TO NOW/DAY]")["count"] == 2
    by_issued = search(q="*:*", fq=scope, sort="issued asc")["results"]
    assert [r["id"] for r in by_issued] == [small["id"], large["id"], middle["id"]]  # missing last
    from ckan.lib.search import SearchQueryError
    with pytest.raises(SearchQueryError):  # a bare day: refused by Solr, so here too (400)
        search(q="*:*", fq=f"{scope} issued:[2019-01-01 TO *]")


def test_and_then_or_fallback(make_org: Callable, make_dataset: Callable) -> None:
    """Embedded backend only. Solr applies CKAN's mm (``2<-1 5<80%``: both of two words
    required) with no fallback, so there ``医疗机构 火星`` finds nothing (docs/search.md)."""
    org = make_org()
    make_dataset(org, title="深圳市医疗机构名录", notes="医院地址。")
    scope = f'organization:{org["name"]}'
    # Both words present: found. One word absent: AND finds nothing, OR still answers.
    assert search(q="深圳 医疗机构", fq=scope)["count"] == 1
    assert search(q="医疗机构 火星", fq=scope)["count"] == 1
    assert search(q="火星 木星", fq=scope)["count"] == 0


def test_qf_restricts_free_text_and_boosts_rank(make_org: Callable, make_dataset: Callable) -> None:
    """Embedded backend only, for now. Our Solr config appends ``qf=title_zh^4 text_zh`` to
    every query (CKAN's title/notes fields do not split Chinese), so there a ``qf`` of
    ``title`` still matches notes and tags through text_zh (docs/search.md)."""
    org = make_org()
    in_title = make_dataset(org, title="琶洲会展数据", notes="展馆面积。")["name"]
    in_notes = make_dataset(org, title="展会名录", notes="琶洲地区的展会。")["name"]
    in_tags = make_dataset(org, title="展位统计", notes="展位数量。", tags=[{"name": "琶洲"}])["name"]
    scope = f'organization:{org["name"]}'

    def names(**params: Any) -> list[str]:
        return [r["name"] for r in search(q="琶洲", fq=scope, **params)["results"]]

    # CKAN's own default qf (sent with every plain query): all fields, title first.
    assert names()[0] == in_title and set(names()) == {in_title, in_notes, in_tags}
    assert names(qf="title") == [in_title]
    assert names(qf="tags") == [in_tags]
    assert set(names(qf="notes")) == {in_notes}
    # boosts order the classes: notes^5 puts the notes match above the title match
    assert names(qf="title notes^5")[0] == in_notes
    assert names(qf="title^5 notes")[0] == in_title
    assert names(qf="text") and set(names(qf="text")) == {in_title, in_notes, in_tags}


@pytest.mark.search_engine_neutral
def test_bad_sort_and_bad_query_are_search_query_errors(make_org: Callable) -> None:
    """Refused with a short message (search/logic/action.py), never CKAN's text with the
    whole composed query."""
    from ckan.lib.search import SearchQueryError
    with pytest.raises(SearchQueryError, match="sort") as exc:
        search(q="*:*", sort="title_string sideways")
    assert "permission_labels" not in str(exc.value)
    with pytest.raises(SearchQueryError, match="syntax error") as exc:
        search(q="--included")
    assert "permission_labels" not in str(exc.value) and "SOLR" not in str(exc.value)


def _index_count(dataset_id: str) -> int:
    import ckan.model as model

    from ckanext.guangdong.search.backend import ddl
    with model.meta.engine.connect() as conn:  # a separate connection: sees committed rows only
        return conn.execute(sa.text(f"SELECT count(*) FROM {ddl.TABLE} WHERE id = :i"),
                            {"i": dataset_id}).scalar()


def test_failed_transaction_leaves_no_index_row(make_org: Callable) -> None:
    """Index writes share the dataset's transaction: a commit that fails after
    CKAN indexed the dataset leaves neither the dataset nor its index row."""
    import ckan.model as model
    from sqlalchemy import event

    org = make_org()
    name = unique("rollback")

    def fail(session: Any) -> None:
        raise RuntimeError("commit refused by the test")

    event.listen(model.Session, "before_commit", fail)  # runs after CKAN indexed
    try:
        with pytest.raises(RuntimeError):
            pkg = model.Package(name=name, title="回滚测试", owner_org=org["id"], type="dataset")
            model.Session.add(pkg)
            pkg_id = pkg.id = unique("id")
            model.Session.commit()
    finally:
        event.remove(model.Session, "before_commit", fail)
        model.Session.rollback()
    assert model.Package.get(name) is None
    assert _index_count(pkg_id) == 0


def test_commit_outside_the_hook_is_durable(make_org: Callable, make_dataset: Callable) -> None:
    import ckan.lib.search as lib_search
    import ckan.model as model
    org = make_org()
    pkg = make_dataset(org)
    lib_search.clear(pkg["id"])          # Solr-style delete with commit
    model.Session.rollback()
    assert _index_count(pkg["id"]) == 0
    lib_search.rebuild(pkg["id"])        # as `ckan search-index rebuild <id>`
    model.Session.rollback()
    assert _index_count(pkg["id"]) == 1
    assert lib_search.show(pkg["name"])["name"] == pkg["name"]


def test_table_is_recreated_when_missing(make_org: Callable, make_dataset: Callable) -> None:
    """CKAN's clean_db drops every table: the backend must create its table again."""
    import ckan.model as model

    from ckanext.guangdong.search.backend import ddl
    backup = unique("gd_search_backup").replace("-", "_")
    suffixes = ("k_idx", "tsv_idx", "modified_idx", "id_idx", "pkey")

    def move(conn: Any, old: str, new: str) -> None:
        conn.execute(sa.text(f"ALTER TABLE {old} RENAME TO {new}"))
        for suffix in suffixes:  # index names do not follow a renamed table
            conn.execute(sa.text(f"ALTER INDEX IF EXISTS {old}_{suffix} RENAME TO {new}_{suffix}"))

    with model.meta.engine.begin() as conn:
        move(conn, ddl.TABLE, backup)
    try:
        assert search(q="*:*")["count"] == 0       # reading a missing table: empty, no error
        org = make_org()
        pkg = make_dataset(org, title="重建表测试")
        assert search(q="重建表测试")["results"][0]["id"] == pkg["id"]
    finally:
        model.Session.remove()
        with model.meta.engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {ddl.TABLE}"))
            move(conn, backup, ddl.TABLE)


def test_solr_setting_restores_ckan_originals() -> None:
    import ckan.lib.search as lib_search
    from ckan.lib.search import common, index, query

    from ckanext.guangdong.search import seam
    from ckanext.guangdong.search.backend import connection
    try:
        seam.install("solr")
        for module in (common, lib_search, index, query):
            assert module.make_connection is not connection.make_connection
        assert common.make_connection.__module__ == "ckan.lib.search.common"
        assert lib_search.check_solr_schema_version.__module__ == "ckan.lib.search"
    finally:
        seam.install("postgres")
    for module in (common, lib_search, index, query):
        assert module.make_connection is connection.make_connection
    assert lib_search.check_solr_schema_version() is True  # no HTTP, no error log
