"""Private datasets and drafts are only returned to those allowed, in results and facet counts."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from gd_testing import make_sysadmin, make_user
from search_helpers import search

# Permission labels are CKAN's own fq: make test-solr runs these on Solr too.
pytestmark = [pytest.mark.usefixtures("gd_search"), pytest.mark.search_engine_neutral]


@pytest.fixture
def catalog(make_org: Callable, make_dataset: Callable) -> dict[str, Any]:
    owner_member, other_member, sysadmin = make_user(), make_user(), make_sysadmin()
    org_a = make_org(users=[{"name": owner_member["name"], "capacity": "member"}])
    org_b = make_org(users=[{"name": other_member["name"], "capacity": "editor"}])
    public = make_dataset(org_a, title="权限测试公开数据", theme=["民生服务"])
    private = make_dataset(org_a, title="权限测试私有数据", private=True, theme=["社保就业"],
                           access_rights="not_open")
    draft = make_dataset(org_a, title="权限测试草稿数据", state="draft", theme=["社保就业"])
    in_b = make_dataset(org_b, title="权限测试其他部门数据", theme=["民生服务"])
    return {"users": {"anonymous": None, "owner member": owner_member,
                      "other member": other_member, "sysadmin": sysadmin},
            "orgs": (org_a, org_b),
            "ids": {"public": public["id"], "private": private["id"],
                    "draft": draft["id"], "in_b": in_b["id"]}}


EXPECTED = {  # who sees which of the four datasets (include_private and include_drafts asked)
    "anonymous": {"public", "in_b"},
    "owner member": {"public", "private", "draft", "in_b"},
    "other member": {"public", "in_b"},
    "sysadmin": {"public", "private", "draft", "in_b"},
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_results_and_facets_follow_permission_labels(catalog: dict[str, Any], who: str) -> None:
    org_a, org_b = catalog["orgs"]
    user = catalog["users"][who]
    scope = f'organization:({org_a["name"]} OR {org_b["name"]})'
    result = search(user, q="权限测试", fq=scope, include_private=True, include_drafts=True,
                    **{"facet.field": ["organization", "theme"]}, rows=50)
    names = {k for k, v in catalog["ids"].items() if v in {r["id"] for r in result["results"]}}
    assert names == EXPECTED[who]
    assert result["count"] == len(EXPECTED[who])
    org_counts = {i["name"]: i["count"] for i in result["search_facets"]["organization"]["items"]}
    assert org_counts.get(org_a["name"], 0) == len(EXPECTED[who] - {"in_b"})
    theme_counts = {i["name"]: i["count"] for i in result["search_facets"]["theme"]["items"]}
    hidden_social = len({"private", "draft"} & EXPECTED[who])
    assert theme_counts.get("社保就业", 0) == hidden_social


def test_private_is_hidden_without_include_private(catalog: dict[str, Any]) -> None:
    org_a, _ = catalog["orgs"]
    result = search(catalog["users"]["sysadmin"], q="*:*", fq=f'organization:{org_a["name"]}')
    # package_search's defaults: no private datasets, no drafts, even for a sysadmin.
    assert {r["id"] for r in result["results"]} == {catalog["ids"]["public"]}
