"""The count/facet cache (backend/cache.py) never serves stale or foreign results."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from gd_testing import make_sysadmin, make_user
from search_helpers import search, unique

pytestmark = pytest.mark.usefixtures("gd_search")
FACETS = {"facet.field": ["organization", "theme"]}


def _clone_row(session: Any, source_id: str) -> tuple[dict[str, Any], str]:
    """Index params for a copy of a dataset's index document under a new id."""
    from ckanext.guangdong.search.backend import connection, ddl
    doc = dict(session.execute(sa.text(f"SELECT doc FROM {ddl.TABLE} WHERE id = :id"),
                               {"id": source_id}).scalar())
    new_id = str(uuid.uuid4())
    doc.update(id=new_id, index_id=new_id, name=unique("clone"), theme=["克隆主题"])
    return connection.row_params(doc), new_id


def _generation() -> int:
    """The global index generation."""
    import ckan.model as model

    from ckanext.guangdong.search.backend import ddl
    return model.Session.execute(sa.text(f"SELECT n FROM {ddl.GENERATION} WHERE id = 1")).scalar()


def _themes(result: dict[str, Any]) -> dict[str, int]:
    return {i["name"]: i["count"] for i in result["search_facets"]["theme"]["items"]}


def test_repeated_filter_set_is_served_from_the_cache(make_org: Callable,
                                                      make_dataset: Callable) -> None:
    from ckanext.guangdong.search.backend import cache
    org = make_org()
    make_dataset(org, title="缓存命中测试")
    first = search(q="*:*", fq=f'organization:{org["name"]}', **FACETS)
    hits = cache.stats["hits"]
    again = search(q="*:*", fq=f'organization:{org["name"]}', **FACETS)
    assert cache.stats["hits"] == hits + 1
    assert again["count"] == first["count"] == 1
    assert again["search_facets"] == first["search_facets"]
    assert [r["id"] for r in again["results"]] == [r["id"] for r in first["results"]]


def test_write_committed_in_another_transaction_invalidates(make_org: Callable,
                                                            make_dataset: Callable) -> None:
    import ckan.model as model

    from ckanext.guangdong.search.backend import writer
    org = make_org()
    pkg = make_dataset(org, title="缓存失效测试")
    scope = {"q": "*:*", "fq": f'organization:{org["name"]}', **FACETS}
    search(**scope)
    assert search(**scope)["count"] == 1                   # cached
    before = _generation()
    other = model.meta.create_local_session()             # as another process would
    try:
        row, _ = _clone_row(other, pkg["id"])
        writer.write(other, [row])
        assert search(**scope)["count"] == 1               # not committed: not visible
        other.commit()
    finally:
        other.close()
    assert _generation() > before
    result = search(**scope)
    assert result["count"] == 2
    assert len(result["results"]) == 2  # (CKAN returns the copied validated_data_dict)
    # CKAN's own path: package_create commits model.Session (a scoped session).
    make_dataset(org, title="缓存失效测试二")
    assert search(**scope)["count"] == 3
    assert _themes(result).get("克隆主题") == 1


def test_rolled_back_write_changes_nothing(make_org: Callable, make_dataset: Callable) -> None:
    import ckan.model as model

    from ckanext.guangdong.search.backend import writer
    org = make_org()
    pkg = make_dataset(org, title="缓存回滚测试")
    scope = {"q": "*:*", "fq": f'organization:{org["name"]}', **FACETS}
    base = search(**scope)
    before = _generation()
    # In the searching session's own transaction: its own write is visible to it
    # (the cache is bypassed), and gone after the rollback.
    row, _ = _clone_row(model.Session, pkg["id"])
    writer.write(model.Session, [row])
    inside = search(**scope)
    assert inside["count"] == 2 and _themes(inside).get("克隆主题") == 1
    model.Session.rollback()
    assert _generation() == before
    after = search(**scope)
    assert after["count"] == 1 and "克隆主题" not in _themes(after)
    assert after["search_facets"] == base["search_facets"]
    # In another session, rolled back: never visible, generation unchanged.
    other = model.meta.create_local_session()
    try:
        row, _ = _clone_row(other, pkg["id"])
        writer.write(other, [row])
        assert search(**scope)["count"] == 1
        other.rollback()
    finally:
        other.close()
    assert _generation() == before
    assert search(**scope)["count"] == 1


def test_private_facet_counts_never_cross_permission_labels(make_org: Callable,
                                                            make_dataset: Callable) -> None:
    member, outsider, sysadmin = make_user(), make_user(), make_sysadmin()
    org = make_org(users=[{"name": member["name"], "capacity": "member"}])
    make_dataset(org, title="缓存权限公开", theme=["民生服务"])
    make_dataset(org, title="缓存权限私有", private=True, theme=["社保就业"])
    scope = {"q": "*:*", "fq": f'organization:{org["name"]}', "include_private": True, **FACETS}
    # Privileged first, so a shared cache entry would leak to the others.
    for _ in range(2):
        for user, count in ((sysadmin, 2), (member, 2), (None, 1), (outsider, 1)):
            result = search(user, **scope)
            assert result["count"] == count
            assert _themes(result).get("社保就业", 0) == count - 1
            org_counts = {i["name"]: i["count"]
                          for i in result["search_facets"]["organization"]["items"]}
            assert org_counts == {org["name"]: count}
