"""Renamed dataset fields (docs/schema.md, "Renamed fields"): publisher_id -> publisher_identifier,
spatial_coverage -> region_code. Old keys are accepted on input for one release; the migration
moves stored datasets (extras and activity copies) and back; a dataset stored with the old keys
reads, indexes, exports DCAT and counts the same after the migration."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest
import rdflib
import sqlalchemy as sa
from ckan import model
from gd_testing import dataset_dict, make_org, make_sysadmin
from rdflib.compare import isomorphic

from ckanext.guangdong.metadata import renamed

pytestmark = pytest.mark.usefixtures("gd")
CODE = "91440101MA5CXYA130"  # another valid 统一社会信用代码 than the factory's


def test_accept_old_keys_moves_values_and_the_old_key_wins() -> None:
    data = {"publisher_id": "A", "spatial_coverage": "440100", "title": "t"}
    renamed.accept_old_keys(data)
    assert data == {"publisher_identifier": "A", "region_code": "440100", "title": "t"}
    # an old client's update: the dataset it read (new key) with its change under the old key
    both = {"publisher_identifier": "read", "publisher_id": "changed"}
    renamed.accept_old_keys(both)
    assert both == {"publisher_identifier": "changed"}


def _extras(package_id: str) -> dict[str, str]:
    rows = model.Session.query(model.PackageExtra.key, model.PackageExtra.value).filter(
        model.PackageExtra.package_id == package_id, model.PackageExtra.state == "active").all()
    return dict(rows)


def test_old_keys_on_create_patch_and_update_are_stored_under_the_new_ones() -> None:
    from ckan.lib.search.query import solr_literal
    ctx: Any = {"user": make_sysadmin()["name"]}
    org = make_org()
    data = dataset_dict(org["id"])
    data["publisher_id"] = data.pop("publisher_identifier")
    data["spatial_coverage"] = data.pop("region_code")
    pkg = tk.get_action("package_create")(dict(ctx), data)
    assert (pkg["publisher_identifier"], pkg["region_code"]) == ("11440000006940081X", "440100")
    assert "publisher_id" not in pkg and "spatial_coverage" not in pkg
    stored = _extras(pkg["id"])
    assert stored["publisher_identifier"] == "11440000006940081X" and stored["region_code"] == "440100"
    assert "publisher_id" not in stored and "spatial_coverage" not in stored

    pkg = tk.get_action("package_patch")(dict(ctx), {"id": pkg["id"], "spatial_coverage": "441600",
                                                      "publisher_id": CODE})
    assert (pkg["region_code"], pkg["publisher_identifier"]) == ("441600", CODE)
    pkg = tk.get_action("package_update")(dict(ctx), dict(pkg, spatial_coverage="440300"))
    assert pkg["region_code"] == "440300"
    # an old key still goes through the field's validation
    with pytest.raises(tk.ValidationError) as error:
        tk.get_action("package_patch")(dict(ctx), {"id": pkg["id"], "publisher_id": "123"})
    assert "publisher_identifier" in error.value.error_dict
    found = tk.get_action("package_search")({}, {"fq": f"region_code:440300 AND id:{solr_literal(pkg['id'])}"})
    assert found["count"] == 1


def _run(version: str, forward: bool) -> None:
    from ckan.cli.db import _run_migrations
    model.Session.commit()
    _run_migrations("guangdong_schema", version, forward)
    model.Session.remove()


def _activity_copies(package_id: str) -> list[str]:
    return list(model.Session.execute(sa.text("SELECT data FROM activity WHERE object_id = :id"),
                                      {"id": package_id}).scalars())


def _turtle(gd_app, name: str) -> rdflib.Graph:
    answer = gd_app.get(f"/dataset/{name}.ttl")
    assert answer.status_code == 200
    return rdflib.Graph().parse(data=answer.body, format="turtle")


def _stats() -> dict[str, Any]:
    stats = tk.get_action("guangdong_open_stats")({"ignore_auth": True}, {})
    return {k: stats[k] for k in ("datasets", "by_city", "by_organization")}


def _read(gd_app, pkg_id: str, org_id: str) -> dict[str, Any]:
    pkg = tk.get_action("package_show")({"ignore_auth": True}, {"id": pkg_id})
    search = tk.get_action("package_search")({}, {
        "fq": f"owner_org:{org_id} AND region_code:440100 AND publisher_identifier:11440000006940081X",
        "facet.field": '["region_code"]'})
    return {"package": pkg, "found": [r["id"] for r in search["results"]],
            "facet": search["facets"]["region_code"],
            "page": gd_app.get(f"/dataset/{pkg['name']}").body}


def test_a_dataset_stored_with_the_old_keys_reads_indexes_exports_and_counts_the_same(gd_app) -> None:
    from ckan.lib import search
    ctx: Any = {"user": make_sysadmin()["name"]}
    org = make_org()
    pkg = tk.get_action("package_create")(dict(ctx), dataset_dict(org["id"]))
    before = _read(gd_app, pkg["id"], org["id"])
    assert before["found"] == [pkg["id"]] and before["facet"] == {"440100": 1}
    assert "11440000006940081X" in before["page"] and "广州市" in before["page"]
    graph_before, stats_before = _turtle(gd_app, pkg["name"]), _stats()

    _run("base", False)  # the migration's downgrade: the dataset as the old code stored it
    try:
        stored = _extras(pkg["id"])
        assert stored["publisher_id"] == "11440000006940081X" and stored["spatial_coverage"] == "440100"
        assert "publisher_identifier" not in stored and "region_code" not in stored
        old = _activity_copies(pkg["id"])  # the dataset as its activities recorded it, too
        assert old and all('"spatial_coverage"' in d and '"region_code"' not in d for d in old)
    finally:
        _run("head", True)

    stored = _extras(pkg["id"])
    assert stored["publisher_identifier"] == "11440000006940081X" and stored["region_code"] == "440100"
    assert "publisher_id" not in stored and "spatial_coverage" not in stored
    new = _activity_copies(pkg["id"])
    assert new and all('"region_code": "440100"' in d and '"spatial_coverage"' not in d for d in new)
    search.rebuild(pkg["id"])  # after the upgrade the index is rebuilt (CHANGELOG)
    after = _read(gd_app, pkg["id"], org["id"])
    assert after["package"] == before["package"]
    assert (after["found"], after["facet"]) == (before["found"], before["facet"])
    assert "11440000006940081X" in after["page"] and "广州市" in after["page"]
    assert isomorphic(_turtle(gd_app, pkg["name"]), graph_before)
    assert _stats() == stats_before


def test_a_portal_that_still_sends_the_old_keys_is_harvested_under_the_new_ones() -> None:
    from ckanext.guangdong.harvesters.crosswalk import load
    from ckanext.guangdong.harvesters.mapping import RemoteRecord, map_record
    mapped = map_record(RemoteRecord("1", {"title": "公园名录", "identifier": "441600/000001",
                                           "publisher_id": "11440000006940081X",
                                           "spatial_coverage": "441600"}), load())
    assert mapped.fields["publisher_identifier"] == "11440000006940081X"
    assert mapped.fields["region_code"] == "441600"
    assert "publisher_id" not in mapped.fields and "spatial_coverage" not in mapped.fields
