"""A real second CKAN (韶关市, its own database and ini, extras with Chinese labels and
Inspur-style enums) and a DCAT city (珠海市, Turtle pages with Hydra paging over HTTP),
harvested end to end; then the same identifiers from two sources give one dataset."""
from __future__ import annotations

import json

import ckan.plugins.toolkit as tk
import pytest
from cityportals.harness import datasets_of, make_source, run_job

from ckanext.guangdong.demo.cityportals import fixtures

pytestmark = pytest.mark.usefixtures("harvest_db")


@pytest.fixture(scope="module")
def ckan_harvest(harvest_db, city_ckan):
    source = make_source(city_ckan.url, "guangdong_ckan",
                         {"region_code": "440200", "page_size": 15, "withdrawal": "delete"},
                         "shaoguan-ckan")
    job, results = run_job(source)
    return source, job, results


def test_ckan_city_in_its_own_schema(ckan_harvest):
    source, job, results = ckan_harvest
    assert len(results) == 40 and all(r["state"] == "COMPLETE" for r in results.values()), \
        {g: r["errors"] for g, r in results.items() if r["state"] != "COMPLETE"}
    datasets = {d["identifier"]: d for d in datasets_of(source["id"])}
    assert len(datasets) == 40
    d = datasets[fixtures.identifier(fixtures.SHAOGUAN, 3)]
    assert d["title"] == "韶关市企业登记信息"
    assert d["frequency"] == "monthly"         # extra 更新周期 = EVERY_MONTH
    assert d["access_rights"] == "conditional"  # extra 开放属性 = CONDITIONAL
    assert d["access_conditions"] == "经申请审核后开放"
    assert d["theme"] == ["市场监管"]            # extra 数据领域 = 市场
    assert d["publisher_name"] == "韶关市市场监督管理局"  # the remote organization's title
    assert d["contact_name"] == "市场监督管理局数据管理员" and d["contact_phone"].startswith("0751-")
    assert int(d["record_count"]) == 139 and d["organization"]["name"] == "city-440200"
    assert d["harvest_remote_url"].startswith(source["url"]) and d["resources"][0]["url"].endswith(".xml")


def test_ckan_city_unchanged_then_deleted_at_source(ckan_harvest, city_ckan):
    source, _, _ = ckan_harvest
    job, results = run_job(source)
    assert results == {}  # nothing changed: no record fetched or imported
    victim = "sg-00007"
    remote = city_ckan.action("package_show", id=victim)
    city_ckan.action("package_delete", id=victim)
    try:
        job, results = run_job(source)
        assert [r["report_status"] for r in results.values()] == ["deleted"]
        ident = fixtures.identifier(fixtures.SHAOGUAN, 7)
        assert ident not in {d["identifier"] for d in datasets_of(source["id"])}
    finally:
        city_ckan.action("package_patch", id=remote["id"], state="active")
    job, results = run_job(source)  # back at the source: reinstated
    assert [r["report_status"] for r in results.values()] in (["updated"], ["added"])
    assert len(datasets_of(source["id"])) == 40


@pytest.fixture(scope="module")
def dcat_harvest(harvest_db, api_portal):
    source = make_source(api_portal.url + "/catalog.ttl", "guangdong_dcat", {"region_code": "440400"},
                         "zhuhai-dcat")
    job, results = run_job(source)
    return source, job, results


def test_dcat_city_with_hydra_paging(dcat_harvest):
    source, job, results = dcat_harvest
    assert len(results) == 25, "three Hydra pages of 10, 10 and 5 datasets"
    bad = {g: r["errors"] for g, r in results.items() if r["state"] != "COMPLETE"}
    assert not bad
    datasets = {d["identifier"]: d for d in datasets_of(source["id"])}
    d = datasets[fixtures.identifier(fixtures.ZHUHAI, 3)]
    assert d["title"] == "珠海市企业登记信息" and d["access_rights"] == "conditional"
    assert d["frequency"] == "monthly"       # EU frequency URI MONTHLY
    assert d["theme"] == ["市场监管"]          # city theme URI …/theme/市场
    assert d["publisher_name"] == "珠海市市场监督管理局"
    assert d["organization"]["name"] == "city-440400"
    assert d["resources"][0]["url"].startswith("http://data.zhuhai.gov.cn/files/")


def test_dcat_broken_page_keeps_earlier_datasets_and_withdraws_nothing(dcat_harvest, api_portal):
    source, _, _ = dcat_harvest
    before = {d["id"]: d["metadata_modified"] for d in datasets_of(source["id"])}
    api_portal.state.dcat_broken_page = 2
    try:
        job, results = run_job(source)
    finally:
        api_portal.state.dcat_broken_page = None
    report = tk.get_action("guangdong_harvest_error_report")({"ignore_auth": True}, {"job_id": job.id})
    kinds = {g["kind"] for g in report["by_kind"]}
    assert {"malformed_rdf", "listing_incomplete"} <= kinds
    assert not [r for r in results.values() if r["report_status"] == "deleted"]
    after = {d["id"]: d["metadata_modified"] for d in datasets_of(source["id"])}
    assert after == before


def test_same_identifier_from_two_sources_is_one_dataset(dcat_harvest, api_portal):
    """A second source (a JSON API re-publishing 珠海's catalog) with the same identifiers:
    lower precedence -> recorded as duplicates, no new datasets; then higher precedence ->
    it takes the datasets over (same ids, no duplicates)."""
    dcat_source, _, _ = dcat_harvest
    from ckanext.guangdong.demo.cityportals.api_portal import PortalState
    from ckanext.guangdong.demo.cityportals.serve import serve_portal
    mirror = serve_portal(PortalState(city=fixtures.ZHUHAI, count=25, broken=False))
    try:
        cfg = {"region_code": "440400", "preset": "kaifang_guangdong", "precedence": 200}
        other = make_source(mirror.url, "guangdong_api", cfg, "zhuhai-mirror")
        ids_before = {d["identifier"]: d["id"] for d in datasets_of(dcat_source["id"])}
        job, results = run_job(other)
        assert datasets_of(other["id"]) == []
        report = tk.get_action("guangdong_harvest_error_report")({"ignore_auth": True}, {"job_id": job.id})
        assert [g["kind"] for g in report["by_kind"]] == ["duplicate_identifier"]
        assert report["errors"] == 0 and report["warnings"] == 25
        # Unchanged and still lower precedence: nothing fetched again.
        assert run_job(other)[1] == {}

        cfg["precedence"] = 10
        from ckanext.guangdong.harvesters.site import site_context
        tk.get_action("harvest_source_patch")(site_context(), {
            "id": other["id"], "config": json.dumps(cfg)})
        job, results = run_job(other)  # a changed config re-maps every record
        taken = {d["identifier"]: d["id"] for d in datasets_of(other["id"])}
        assert taken == ids_before  # the same datasets, now held by the mirror
        assert datasets_of(dcat_source["id"]) == []
        from ckan import model
        identifiers = [e.value for e in model.Session.query(model.PackageExtra)
                       .filter(model.PackageExtra.key == "identifier")]
        assert len(identifiers) == len(set(identifiers))
    finally:
        mirror.stop()


def test_dcat_json_ld_catalog():
    """The same catalog as JSON-LD pages (content type application/ld+json)."""
    from ckanext.guangdong.demo.cityportals.api_portal import PortalState
    from ckanext.guangdong.demo.cityportals.serve import serve_portal
    portal = serve_portal(PortalState(city=fixtures.ZHUHAI, dcat_count=12, dcat_page_size=5))
    try:
        # Another city code: the Turtle source of this module holds 珠海's identifiers.
        source = make_source(portal.url + "/catalog.jsonld", "guangdong_dcat",
                             {"region_code": "440400", "precedence": 300}, "zhuhai-jsonld")
        job, results = run_job(source)
    finally:
        portal.stop()
    assert len(results) == 12  # three pages: 5, 5, 2
    assert {r["report_status"] for r in results.values()} <= {"added", "not modified"}
