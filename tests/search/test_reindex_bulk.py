"""The bulk rebuild (`ckan guangdong search reindex`) against CKAN's own path.

A varied catalog (resources with extras, a deleted and an uploaded resource, Chinese and
vocabulary tags, a deleted tag link, groups, private, draft and deleted datasets, the
scheming repeating field data_items, an application, a dataset with a relationship):
  * the bulk dicts equal package_show's (as `search.rebuild` calls it), key order included,
    since the index stores them as JSON text;
  * the index rows after our rebuild (one process, and two forked workers) equal those after
    CKAN's `search.rebuild` (k, f, tsv, doc, metadata_modified; indexed_ts aside);
  * a broken dataset is reported and the others are indexed.
"""
from __future__ import annotations

import json
import uuid
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from gd_testing import make_sysadmin
from search_helpers import unique

pytestmark = pytest.mark.usefixtures("gd_search")

SHOW = {"ignore_auth": True, "validate": False, "use_cache": False}


def _sql(statement: str, **params: Any) -> Any:
    result = model.Session.execute(sa.text(statement), params)
    return result


@pytest.fixture(scope="module")
def catalog(gd_search: None) -> dict[str, Any]:
    """Datasets of every shape the portal holds; returns their ids and a few by role."""
    from ckan.tests import factories
    admin = make_sysadmin()
    ctx = {"user": admin["name"], "ignore_auth": True}
    act = tk.get_action
    org = factories.Organization(name=unique("org"), title="广州市交通运输局",
                                 image_url="http://127.0.0.1/logo.png")
    other_org = factories.Organization(name=unique("org"), title="深圳市生态环境局")
    group_b = factories.Group(name=unique("grp"), title="交通出行", user=admin)
    group_a = factories.Group(name=unique("grp"), title="Air quality", user=admin)

    def dataset(**overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": "dataset", "name": unique("ds"), "title": " 广州市公交线路信息 ",
            "notes": "广州市公交线路、站点及运营时间。", "tag_string": "公交,开放数据,bus",
            "identifier": f"29000/{uuid.uuid4().int % 10**10:010d}", "owner_org": org["id"],
            "private": False, "publisher_name": "广东省交通运输厅",
            "publisher_identifier": "11440000006940081X", "theme": ["道路交通", "民生服务"],
            "access_rights": "unconditional", "frequency": "monthly", "issued": "2018-06-01",
            "modified": "2018-07-01", "region_code": "440100", "contact_name": "数据管理科",
            "contact_email": "opendata@gd.gov.cn", "contact_phone": "020-12345678",
            "record_count": 1200, "license_id": "cc-by",
            "resources": [{"url": "http://127.0.0.1/bus.csv", "name": "数据文件", "format": "CSV",
                           "issued": "2018-06-01", "modified": "2018-07-01"}],
        }
        data.update(overrides)
        return act("package_create")(dict(ctx), data)

    rich = dataset(
        groups=[{"name": group_b["name"]}, {"name": group_a["name"]}],
        data_items=[{"name": "线路名称", "type": "string", "description": "名称"},
                    {"name": "站点数", "type": "integer"}],
        resources=[{"url": "http://127.0.0.1/a.csv", "name": "线路", "format": "CSV",
                    "issued": "2019-01-01", "size": 1024},
                   {"url": "127.0.0.1/b.json", "name": "站点", "format": "JSON",
                    "description": "无协议的地址"},
                   {"url": "http://127.0.0.1/c.xlsx", "name": "已删除", "format": "XLSX"},
                   {"url": "http://127.0.0.1/d.csv", "name": "上传", "format": "CSV"}])
    private = dataset(private=True, owner_org=other_org["id"], tag_string="空气质量,PM2.5",
                      theme=["生态环保"], license_id="notspecified")
    draft = dataset(state="draft", license_id="")
    deleted = dataset()
    act("package_delete")(dict(ctx), {"id": deleted["id"]})
    plain = dataset(resources=[], tag_string="", groups=[{"name": group_a["name"]}])
    related, target = dataset(), dataset(title="广州市公交站点")
    act("package_relationship_create")(dict(ctx), {
        "subject": related["id"], "object": target["id"], "type": "depends_on"})
    application = act("package_create")(dict(ctx), {
        "type": "application", "title": "粤游导览", "notes": "景区导览小程序。",
        "owner_org": org["id"], "developer_name": "广州某科技有限公司",
        "developer_type": "organization", "application_kind": "mini_program",
        "url": "https://example.com/app", "launch_date": "2018-10-01", "theme": ["文化休闲"],
        "contact_email": "dev@example.com", "used_datasets": [rich["name"]]})

    # What the API does not make: a deleted resource, an uploaded file, vocabulary tags,
    # a deleted tag link, a NULL title/license row, a group membership that ended.
    by_name = {r["name"]: r["id"] for r in act("package_show")(dict(ctx), {"id": rich["id"]})["resources"]}
    _sql("UPDATE resource SET state = 'deleted' WHERE id = :i", i=by_name["已删除"])
    _sql("UPDATE resource SET url_type = 'upload', url = 'stops 2024.csv' WHERE id = :i",
         i=by_name["上传"])
    vocab = act("vocabulary_create")(dict(ctx), {"name": unique("vocab"),
                                                 "tags": [{"name": "珠三角"}, {"name": "粤东"}]})
    for tag in vocab["tags"]:
        _sql("INSERT INTO package_tag (id, package_id, tag_id, state) VALUES (:i, :p, :t, 'active')",
             i=str(uuid.uuid4()), p=rich["id"], t=tag["id"])
    stale = _sql("SELECT id FROM tag WHERE name = 'bus'").scalar()
    _sql("INSERT INTO package_tag (id, package_id, tag_id, state) VALUES (:i, :p, :t, 'deleted')",
         i=str(uuid.uuid4()), p=plain["id"], t=stale)
    _sql("UPDATE member SET state = 'deleted' WHERE table_id = :p AND group_id = :g",
         p=plain["id"], g=group_a["id"])
    _sql("UPDATE package SET title = NULL WHERE id = :p", p=draft["id"])
    model.Session.commit()
    ids = [d["id"] for d in (rich, private, draft, deleted, plain, related, application, target)]
    return {"ids": ids, "related": {related["id"], target["id"]}, "ctx": ctx, "org": org, "dataset": dataset}


def _package_show(pkg_id: str) -> dict[str, Any]:
    return tk.get_action("package_show")(dict(SHOW), {"id": pkg_id})


def test_bulk_dicts_equal_package_show(catalog: dict[str, Any]) -> None:
    from ckanext.guangdong.search import bulk_dictize
    ids = catalog["ids"]
    shown, fallback, _batch = bulk_dictize.show_batch(ids, SHOW)
    # Relationships (either side) are left to package_show; everything else is built in bulk.
    assert set(fallback) == catalog["related"]
    assert set(shown) == set(ids) - catalog["related"]
    for pkg_id, pkg_dict in shown.items():
        expected = _package_show(pkg_id)
        assert json.dumps(pkg_dict, sort_keys=False) == json.dumps(expected, sort_keys=False), pkg_id
    rich = shown[ids[0]]
    # The catalog really has the shapes it claims to test.
    assert rich["num_resources"] == 3 and len(rich["groups"]) == 2
    assert {t["name"] for t in rich["tags"]} >= {"公交", "珠三角"}
    assert any(t["vocabulary_id"] for t in rich["tags"])
    assert rich["resources"][0]["issued"] and rich["resources"][1]["url"].startswith("http://")
    assert "/download/" in rich["resources"][2]["url"]
    assert shown[ids[1]]["private"] and shown[ids[2]]["state"] == "draft"
    assert shown[ids[3]]["state"] == "deleted" and shown[ids[4]]["groups"] == []
    assert shown[ids[6]]["type"] == "application"


def _rows(ids: list[str]) -> dict[str, tuple[Any, ...]]:
    rows = _sql(
        "SELECT id, k - 'indexed_ts', f - 'indexed_ts', tsv::text, doc - 'indexed_ts', "
        "metadata_modified, site_id FROM guangdong_search_index WHERE id = ANY(:ids)",
        ids=ids).fetchall()
    model.Session.commit()
    return {r[0]: tuple(r[1:]) for r in rows}


def _drop_rows(ids: list[str]) -> None:
    _sql("DELETE FROM guangdong_search_index WHERE id = ANY(:ids)", ids=ids)
    model.Session.commit()


@pytest.mark.parametrize("workers, batch", [(1, 250), (2, 2)])
def test_rows_equal_ckan_rebuild(catalog: dict[str, Any], workers: int, batch: int) -> None:
    import ckan.lib.search as search

    from ckanext.guangdong.search.reindex import rebuild
    ids = catalog["ids"]
    search.rebuild(package_ids=ids, defer_commit=True, quiet=True)
    model.Session.commit()
    expected = _rows(ids)
    assert len(expected) >= 5  # every dataset but (depending on the config) the deleted one

    _drop_rows(ids)
    result = rebuild(workers=workers, ids=ids, batch=batch)
    assert result.failed == [] and result.total == len(ids)
    assert result.fallbacks == 2  # the datasets with a relationship
    got = _rows(ids)
    assert set(got) == set(expected)
    for pkg_id in expected:
        assert got[pkg_id] == expected[pkg_id], pkg_id


def test_no_bulk_is_package_show(catalog: dict[str, Any]) -> None:
    from ckanext.guangdong.search.reindex import rebuild
    ids = catalog["ids"]
    result = rebuild(workers=1, ids=ids, bulk=False)
    assert result.failed == [] and result.fallbacks == len(ids)


def test_a_broken_dataset_is_reported_and_the_others_indexed(catalog: dict[str, Any]) -> None:
    from ckanext.guangdong.search.reindex import rebuild
    good = [catalog["dataset"]()["id"] for _ in range(3)]
    broken = catalog["dataset"](resources=[
        {"url": "http://127.0.0.1/1.csv", "name": "一", "format": "CSV"},
        {"url": "http://127.0.0.1/2.csv", "name": "二", "format": "CSV"}])["id"]
    # A resource without a position: package_show itself fails on it (sorting None).
    _sql("UPDATE resource SET position = NULL WHERE package_id = :p AND name = '二'", p=broken)
    model.Session.commit()
    with pytest.raises(TypeError):
        _package_show(broken)
    ids = [good[0], broken, good[1], good[2]]
    _drop_rows(ids)
    try:
        result = rebuild(workers=1, ids=ids, batch=250)
        assert result.failed == [broken] and result.total == 4
        assert set(_rows(ids)) == set(good)
    finally:
        _sql("DELETE FROM resource WHERE package_id = :p AND position IS NULL", p=broken)
        model.Session.commit()


def test_a_database_error_redoes_the_batch_one_by_one(catalog: dict[str, Any],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch whose transaction breaks is indexed again one dataset per transaction."""
    from ckanext.guangdong.search import bulk_dictize
    from ckanext.guangdong.search.reindex import index_batch
    ids = [catalog["dataset"]()["id"] for _ in range(2)]
    _drop_rows(ids)
    real = bulk_dictize.show_batch

    def poisoned(batch_ids: Any, context: Any) -> Any:
        answer = real(batch_ids, context)
        model.Session.execute(sa.text("SELECT 1/0"))  # aborts the transaction
        return answer
    monkeypatch.setattr(bulk_dictize, "show_batch", poisoned)
    failed, fallbacks = index_batch(ids)
    assert failed == [] and fallbacks == len(ids)
    assert set(_rows(ids)) == set(ids)


def test_cli_reindex_clear(catalog: dict[str, Any], cli: Any) -> None:
    """`--clear` empties the index (a row of a dataset that no longer exists goes) and the
    rebuild puts every dataset back."""
    from ckan.cli.cli import ckan
    from ckan.common import config

    from ckanext.guangdong.search.reindex import dataset_ids
    stale = f"stale-{uuid.uuid4()}"  # not in any earlier run's leftovers either
    _sql("CREATE TEMP TABLE stale AS SELECT * FROM guangdong_search_index LIMIT 1")
    _sql("UPDATE stale SET index_id = :s, id = :s", s=stale)
    _sql("INSERT INTO guangdong_search_index SELECT * FROM stale")
    _sql("DROP TABLE stale")
    model.Session.commit()
    before = _generation()
    result = cli.invoke(ckan, ["-c", config["__file__"], "guangdong", "search", "reindex",
                               "--workers", "2", "--batch", "50", "--clear"])
    assert "indexed" in result.output, result.output
    assert result.exit_code == 0, result.output
    assert _generation() != before  # the count/facet cache knows the index changed
    assert stale not in _rows([stale])
    assert set(_rows(catalog["ids"])) >= set(catalog["ids"]) - {catalog["ids"][3]}
    listed = dataset_ids()
    assert len(_rows(listed)) >= len(listed) - _sql(
        "SELECT count(*) FROM package WHERE state = 'deleted'").scalar()


def _generation() -> int:
    value = _sql("SELECT n FROM guangdong_search_generation").scalar()
    model.Session.commit()
    return int(value)


def test_a_forked_rebuild_shares_no_datastore_connection(catalog: dict[str, Any]) -> None:
    """The forked workers inherited the DataStore's pooled connections (CKAN's job worker calls
    IForkObserver.before_fork, which disposes them; the rebuild did not): a child and the
    parent could talk over one socket (CI once saw a DataStore search fail with "connection
    already closed" later in the same process). The pool the parent had is gone after a fork."""
    import ckan.plugins as p
    from ckanext.datastore.backend import postgres as datastore

    from ckanext.guangdong.search.reindex import rebuild
    assert p.plugin_loaded("datastore")
    engine = datastore.get_read_engine()
    with engine.connect() as conn:  # a connection in the pool, as a served search leaves one
        conn.execute(sa.text("SELECT 1"))
    result = rebuild(workers=2, ids=catalog["ids"], batch=2)
    assert result.failed == []
    assert engine not in datastore._engines.values()
