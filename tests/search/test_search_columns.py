"""The index's housekeeping and facet columns agree with the documents CKAN sent.

CKAN's fixed filters (site, state, type, capacity, permission labels) and the
facet fields are read from dedicated columns (document.SINGLE_VALUED, labels,
fv); every other field from the keyword column k. These tests write documents
straight through the connection (as CKAN's indexer does) and check the odd cases
the columns must not get wrong.
"""
from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from search_helpers import unique

pytestmark = pytest.mark.usefixtures("gd_search")


def _doc(site: str, **fields: Any) -> dict[str, Any]:
    new_id = str(uuid.uuid4())
    return {"id": new_id, "index_id": new_id, "site_id": site, "name": unique("col"),
            "title": "列测试", "entity_type": "package", "capacity": "public",
            "state": "active", "dataset_type": "dataset", "permission_labels": ["public"],
            "metadata_modified": "2026-01-01T00:00:00", **fields}


def _ids(conn: Any, q: str, site: str, **params: Any) -> set[str]:
    result = conn.search(q=q, fq=[f"+site_id:{site}"], rows=100, fl="id", **params)
    return {d["id"] for d in result.docs}


@pytest.fixture
def conn() -> Any:
    from ckanext.guangdong.search.backend.connection import PostgresConnection
    return PostgresConnection()


def test_several_or_missing_housekeeping_values_are_matched_like_solr(conn: Any) -> None:
    site = unique("site")
    two_states = _doc(site, state=["active", "draft"])
    no_type = _doc(site)
    del no_type["dataset_type"]
    harvest = _doc(site, dataset_type="harvest")
    conn.add([two_states, no_type, harvest], commit=True)

    assert _ids(conn, "state:draft", site) == {two_states["id"]}
    assert _ids(conn, "state:active", site) == {two_states["id"], no_type["id"], harvest["id"]}
    # a document without the field is not excluded by a negation of it
    assert _ids(conn, "*:* -dataset_type:harvest", site) == {two_states["id"], no_type["id"]}
    assert _ids(conn, "dataset_type:dataset", site) == {two_states["id"]}


def test_permission_labels_any_of(conn: Any) -> None:
    site = unique("site")
    public, member, creator = (_doc(site), _doc(site, permission_labels=["member-o1"]),
                               _doc(site, permission_labels=["creator-u1", "member-o2"]))
    conn.add([public, member, creator], commit=True)
    assert _ids(conn, "permission_labels:(public OR member-o1)", site) == {public["id"], member["id"]}
    assert _ids(conn, "permission_labels:member-o2", site) == {creator["id"]}
    assert _ids(conn, "*:* -permission_labels:public", site) == {member["id"], creator["id"]}


def test_facets_from_fv_and_from_k_count_alike(conn: Any) -> None:
    from ckanext.guangdong.search.backend import document
    site = unique("site")
    conn.add([_doc(site, tags=["公交", "出行"], license_id="cc-by", version="甲"),
              _doc(site, tags=["公交"], license_id="cc-by", version="乙"),
              _doc(site, tags=["停车"], license_id="odc-by", version="甲")], commit=True)
    assert {"tags", "license_id"} <= document.FACET_FIELDS
    assert "version" not in document.FACET_FIELDS
    result = conn.search(q="*:*", fq=[f"+site_id:{site}"], rows=0, facet="true",
                         **{"facet.field": ["tags", "version", "license_id", "tags"],
                            "facet.mincount": 1})
    fields = result.facets["facet_fields"]
    assert fields["tags"] == ["公交", 2, "停车", 1, "出行", 1]
    assert fields["license_id"] == ["cc-by", 2, "odc-by", 1]
    assert fields["version"] == ["甲", 2, "乙", 1]      # not a facet column: read from k
    # a facet click on a facet field (fv) and on another field (k) alike
    assert len(_ids(conn, 'tags:"公交"', site)) == 2
    assert len(_ids(conn, "version:甲", site)) == 2


def test_backfill_rebuilds_the_columns_of_older_rows(conn: Any) -> None:
    """The migration to these columns fills them from k: same results as fresh rows."""
    import ckan.model as model

    from ckanext.guangdong.search.backend import ddl
    site = unique("site")
    docs = [_doc(site, tags=["公交"], state=["active", "draft"]),
            _doc(site, tags=["停车"], permission_labels=["member-o9"])]
    conn.add(docs, commit=True)
    params = {"facet": "true", "facet.field": ["tags"], "facet.mincount": 1}
    before = conn.search(q="*:* -permission_labels:public", fq=[f"+site_id:{site}"], **params)
    fresh = model.Session.execute(sa.text(
        f"SELECT index_id, state, dataset_type, capacity, entity_type, labels, fv "
        f"FROM {ddl.TABLE} WHERE site_id = :s ORDER BY index_id"), {"s": site}).fetchall()
    model.Session.execute(sa.text(
        f"UPDATE {ddl.TABLE} SET state = NULL, dataset_type = NULL, capacity = NULL, "
        "entity_type = NULL, labels = '{}', fv = '{}' WHERE site_id = :s"), {"s": site})
    ddl.backfill(model.Session)
    model.Session.commit()
    again = model.Session.execute(sa.text(
        f"SELECT index_id, state, dataset_type, capacity, entity_type, labels, fv "
        f"FROM {ddl.TABLE} WHERE site_id = :s ORDER BY index_id"), {"s": site}).fetchall()
    assert [tuple(r[:6]) + (sorted(r[6]),) for r in again] == \
        [tuple(r[:6]) + (sorted(r[6]),) for r in fresh]
    after = conn.search(q="*:* -permission_labels:public", fq=[f"+site_id:{site}"], **params)
    assert after.hits == before.hits == 1
    assert after.facets == before.facets


def test_failed_search_leaves_the_callers_transaction_usable(conn: Any, monkeypatch: Any) -> None:
    """A database error inside a search rolls back to a savepoint only. The error is
    injected (PostgreSQL cannot be made to fail a valid search on demand)."""
    import ckan.model as model
    import pysolr

    from ckanext.guangdong.search.backend import executor
    site = unique("site")
    conn.add([_doc(site)], commit=False)            # pending in this transaction
    monkeypatch.setattr(executor.Search, "_full",
                        lambda self, *a, **k: self.session.execute(sa.text("SELECT 1/0")))
    with pytest.raises(pysolr.SolrError):
        conn.search(q="列测试", fq=[f"+site_id:{site}"])
    monkeypatch.undo()
    assert model.Session.execute(sa.text("SELECT 1")).scalar() == 1   # not aborted
    model.Session.commit()
    assert len(_ids(conn, "*:*", site)) == 1        # the earlier write survived


def test_unfiltered_and_filtered_paths_count_alike(conn: Any) -> None:
    """`*:*` under housekeeping filters only (one aggregate, no CTE) and the same rows
    through a selective condition (the materialised CTE) give the same answer."""
    from ckanext.guangdong.search.backend import cache
    site = unique("site")
    conn.add([_doc(site, tags=["公交", "出行"], res_format=["CSV"]),
              _doc(site, tags=["公交"], res_format=["CSV", "JSON"], state="draft"),
              _doc(site, tags=["停车"])], commit=True)
    params = {"facet": "true", "facet.field": ["tags", "res_format"], "facet.mincount": 1,
              "rows": 2, "sort": "metadata_modified desc", "fl": "id"}
    cache.clear()
    direct = conn.search(q="*:*", fq=[f"+site_id:{site} +state:active"], **params)
    through_cte = conn.search(q="*:*", fq=[f"+site_id:{site} +state:active +name:*"], **params)
    assert direct.hits == through_cte.hits == 2
    assert direct.facets == through_cte.facets
    assert direct.facets["facet_fields"]["tags"] == ["停车", 1, "公交", 1, "出行", 1]  # byte order
    assert [d["id"] for d in direct.docs] == [d["id"] for d in through_cte.docs]
    empty = conn.search(q="*:*", fq=[f"+site_id:{unique('none')}"], **params)
    assert empty.hits == 0 and empty.docs == [] and empty.facets["facet_fields"]["tags"] == []


def test_table_from_before_the_columns_is_brought_up_to_date_by_a_search(conn: Any) -> None:
    """A database whose index predates these columns (not migrated yet) still searches."""
    import ckan.model as model

    from ckanext.guangdong.search.backend import ddl
    site = unique("site")
    gone = _doc(site, tags=["出行"])
    conn.add([_doc(site, tags=["公交"]), _doc(site, tags=["公交", "停车"]), gone], commit=True)
    model.Session.execute(sa.text(
        f"ALTER TABLE {ddl.TABLE} DROP COLUMN fv, DROP COLUMN labels, DROP COLUMN state, "
        "DROP COLUMN dataset_type, DROP COLUMN capacity, DROP COLUMN entity_type"))
    model.Session.commit()
    # a delete by query (CKAN's package_delete path) reads the columns too
    conn.delete(q=f'+site_id:{site} +entity_type:package +name:{gone["name"]}', commit=True)
    result = conn.search(q="*:*", fq=[f"+site_id:{site} +state:active +permission_labels:public"],
                         facet="true", **{"facet.field": ["tags"], "facet.mincount": 1})
    assert result.hits == 2
    assert result.facets["facet_fields"]["tags"] == ["公交", 2, "停车", 1]
    model.Session.commit()
    assert model.Session.execute(sa.text(
        "SELECT count(*) FROM pg_indexes WHERE indexname = :i"),
        {"i": f"{ddl.TABLE}_fv_idx"}).scalar() == 1


def test_day_fields_of_older_rows_become_dates(conn: Any) -> None:
    """issued/modified/temporal_* are dates now (as in Solr's schema): migration d4a7e2c9f1b6
    rewrites the days older rows hold, so ranges find them without a reindex."""
    import importlib.util
    from pathlib import Path

    import ckan.model as model

    import ckanext.guangdong.migration as migration
    from ckanext.guangdong.search.backend import cache, ddl
    path = next(Path(migration.__path__[0]).glob("guangdong_search/versions/d4a7e2c9f1b6_*.py"))
    spec = importlib.util.spec_from_file_location("typed_days", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]

    site = unique("site")
    conn.add([_doc(site, issued="2018-06-01T00:00:00Z", modified="2019-01-02T00:00:00Z"),
              _doc(site, issued="2021-03-04T00:00:00Z")], commit=True)
    q = "issued:[2018-06-01T00:00:00Z TO 2018-12-31T00:00:00Z]"
    assert len(_ids(conn, q, site)) == 1
    # the rows as the index wrote them before: bare days
    for name in ("issued", "modified"):
        model.Session.execute(sa.text(
            f"UPDATE {ddl.TABLE} SET k = jsonb_set(k, '{{{name}}}', jsonb_build_array(left(k -> '{name}' ->> 0, 10))), "
            f"f = jsonb_set(f, '{{{name}}}', jsonb_build_array(left(f -> '{name}' ->> 0, 10))), "
            f"doc = jsonb_set(doc, '{{{name}}}', to_jsonb(left(doc ->> '{name}', 10))) "
            f"WHERE site_id = :s AND k ? '{name}'"), {"s": site})
    model.Session.commit()
    cache.clear()  # written behind the backend's back: no new generation
    assert len(_ids(conn, q, site)) == 0  # "2018-06-01" < "2018-06-01T00:00:00.000Z" byte-wise
    for statement in module.statements():
        model.Session.execute(sa.text(statement))
    model.Session.commit()
    cache.clear()
    assert len(_ids(conn, q, site)) == 1
    assert len(_ids(conn, "modified:[* TO NOW]", site)) == 1
    docs = conn.search(q="*:*", fq=[f"+site_id:{site}"], fl="issued", sort="issued asc").docs
    assert [d["issued"] for d in docs] == ["2018-06-01T00:00:00Z", "2021-03-04T00:00:00Z"]
