"""共享属性 / 分类分级 / 已脱敏 are for editors only: API, search, pages, DCAT, activity."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from gd_testing import dataset_dict, make_org, make_sysadmin, make_user

# Search results, filters and DCAT must hide the internal fields on any backend: make test-solr runs these on Solr too.
pytestmark = [pytest.mark.usefixtures("gd"), pytest.mark.search_engine_neutral]
INTERNAL = ("share_type", "data_level", "deidentified")
# values (and labels) that exist only in the internal fields of the test dataset
INTERNAL_MARKERS = ("conditional_share", "level2", "有条件共享", "二级（较敏感）", "共享属性")


@pytest.fixture(scope="module")
def setup(gd_plugins: None) -> dict[str, Any]:
    sysadmin = make_sysadmin()
    editor = make_user()
    stranger = make_user()
    org = make_org(users=[{"name": editor["name"], "capacity": "editor"}])
    pkg = tk.get_action("package_create")({"user": sysadmin["name"]}, dataset_dict(org["id"]))
    tokens = {u["name"]: factories.APIToken(user=u["name"])["token"]
              for u in (sysadmin, editor, stranger)}
    return {"pkg": pkg, "sysadmin": sysadmin, "editor": editor, "stranger": stranger,
            "tokens": tokens}


def show(user: str, pkg_id: str) -> dict[str, Any]:
    return tk.get_action("package_show")({"user": user}, {"id": pkg_id})


def test_api_shows_internal_fields_to_editors_only(setup) -> None:
    pkg_id = setup["pkg"]["id"]
    for user in (setup["sysadmin"]["name"], setup["editor"]["name"]):
        shown = show(user, pkg_id)
        assert [shown[k] for k in INTERNAL] == ["conditional_share", "level2", "true"]
    for user in (setup["stranger"]["name"], ""):
        shown = show(user, pkg_id)
        assert not any(k in shown for k in INTERNAL)
        assert shown["identifier"] == setup["pkg"]["identifier"]  # public fields stay


def test_search_results_and_filters_never_expose_internal_fields(setup) -> None:
    search = tk.get_action("package_search")
    ctx = {"user": setup["sysadmin"]["name"]}
    name = setup["pkg"]["name"]
    found = search(dict(ctx), {"fq": f"name:{name}"})
    assert found["count"] == 1
    assert not any(k in found["results"][0] for k in INTERNAL)
    # nobody can probe the values through filters either: they are not indexed
    assert search(dict(ctx), {"fq": f"name:{name} +share_type:conditional_share"})["count"] == 0
    assert search(dict(ctx), {"fq": f"name:{name} +extras_data_level:level2"})["count"] == 0


def test_dataset_page_shows_internal_fields_to_editors_only(setup, gd_app) -> None:
    url = f"/dataset/{setup['pkg']['name']}"
    public_page = gd_app.get(url).body
    assert setup["pkg"]["identifier"] in public_page
    assert not any(marker in public_page for marker in INTERNAL_MARKERS)
    stranger = gd_app.get(url, headers={"Authorization": setup["tokens"][setup["stranger"]["name"]]})
    assert "共享属性" not in stranger.body
    editor = gd_app.get(url, headers={"Authorization": setup["tokens"][setup["editor"]["name"]]})
    assert "共享属性" in editor.body and "有条件共享" in editor.body


def test_dcat_never_contains_internal_fields(setup, gd_app) -> None:
    for ext in ("ttl", "jsonld", "rdf"):
        body = gd_app.get(f"/dataset/{setup['pkg']['name']}.{ext}",
                          headers={"Authorization": setup["tokens"][setup["sysadmin"]["name"]]}).body
        assert setup["pkg"]["identifier"] in body
        assert not any(marker in body for marker in INTERNAL_MARKERS), ext


def test_activity_records_do_not_keep_internal_fields(setup) -> None:
    ctx = {"user": setup["sysadmin"]["name"]}
    activities = tk.get_action("package_activity_list")(dict(ctx), {"id": setup["pkg"]["id"]})
    assert activities
    data = tk.get_action("activity_data_show")(dict(ctx), {"id": activities[0]["id"],
                                                          "object_type": "package"})
    assert data["identifier"] == setup["pkg"]["identifier"]
    assert not any(k in data for k in INTERNAL)
