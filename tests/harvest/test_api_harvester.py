"""The 开放广东-style JSON API city (河源市: 110 records, 13 of them broken, served over HTTP on
127.0.0.1) harvested end to end: mapping, robustness, incremental re-harvest, changes,
withdrawal and reinstatement, progress and the full error report."""
from __future__ import annotations

import csv
import io

import ckan.plugins.toolkit as tk
import pytest
from cityportals.harness import datasets_of, make_source, run_job
from gd_testing import make_sysadmin

from ckanext.guangdong.demo.cityportals.api_portal import BROKEN, IMPORTED_WITH_WARNINGS

pytestmark = pytest.mark.usefixtures("harvest_db")

API_CONFIG = {"region_code": "441600", "preset": "kaifang_guangdong", "http_timeout": 1.5,
              "withdrawal": "withdraw"}
FAILING = {i for i in BROKEN if i not in IMPORTED_WITH_WARNINGS}


def res_id(i: int) -> str:
    return f"R441600{i:07d}"


def by_remote_id(source_id: str) -> dict[str, dict]:
    return {d["harvest_remote_id"]: d for d in datasets_of(source_id)}


@pytest.fixture(scope="module")
def harvested(harvest_db, api_portal):
    source = make_source(api_portal.url, "guangdong_api", API_CONFIG, "heyuan-api")
    job, results = run_job(source)
    return source, job, results


def test_every_good_record_becomes_a_dataset(harvested):
    source, job, _ = harvested
    datasets = by_remote_id(source["id"])
    assert len(datasets) == 110 - len(FAILING)
    assert not {res_id(i) for i in FAILING} & set(datasets)
    assert job.status == "Finished"


def test_mapping_onto_the_provincial_schema(harvested):
    source, _, _ = harvested
    d = by_remote_id(source["id"])[res_id(3)]
    assert d["title"] == "河源市企业登记信息" and d["identifier"] == "44160009/00000004"
    assert d["name"] == "gd-44160009-00000004"  # ASCII, from the identifier
    assert d["access_rights"] == "conditional" and d["access_conditions"]  # openMode 有条件开放
    assert d["frequency"] == "monthly"  # updateCycle 4
    assert d["theme"] == ["市场监管"]  # the city's 市场 through theme_aliases
    assert d["publisher_name"] == "河源市市场监督管理局"
    assert d["contact_phone"] == "0762-33030912" and int(d["record_count"]) == 139
    assert d["region_code"] == "441600" and d["issued"].startswith("2019-04-04")
    assert {t["name"] for t in d["tags"]} == {"企业登记", "市场", "河源市"}  # Chinese-only tags kept
    assert d["organization"]["name"] == "city-441600"
    assert d["harvest_source_id"] == source["id"] and d["harvest_remote_id"] == res_id(3)
    assert d["harvest_remote_url"].endswith(res_id(3)) and d["harvested_at"]
    assert [r["format"] for r in d["resources"]] == ["XML", "XLSX"]
    assert d["resources"][0]["name"] == "河源市企业登记信息（1）"
    assert not d["private"]


def test_markup_is_removed_and_problems_are_warnings(harvested):
    source, _, _ = harvested
    d = by_remote_id(source["id"])[res_id(53)]
    assert "<" not in d["title"] and "script" not in d["title"] and "alert" not in d["title"]
    assert "<" not in d["notes"] and "javascript" not in d["notes"] and "名称" in d["notes"]
    d61 = by_remote_id(source["id"])[res_id(61)]
    assert not d61.get("record_count")
    d85 = by_remote_id(source["id"])[res_id(85)]
    assert [t["name"] for t in d85["tags"]] == ["城市供水"]


def test_error_report_groups_every_error_by_kind(harvested):
    _, job, _ = harvested
    report = tk.get_action("guangdong_harvest_error_report")({"ignore_auth": True}, {"job_id": job.id})
    kinds = {g["kind"]: g for g in report["by_kind"]}
    expected = {"missing_required": {None, res_id(37)}, "malformed_json": {res_id(13)},
                "html_error_page": {res_id(21)}, "http_error": {res_id(29), res_id(93)},
                "oversized_field": {res_id(45)}, "timeout": {res_id(69)},
                "wrong_type": {res_id(77), res_id(61)}, "validation_error": {res_id(101)},
                "html_in_text": {res_id(53)}, "invalid_tag": {res_id(85)}}
    for kind, guids in expected.items():
        assert {e["guid"] for e in kinds[kind]["errors"]} == guids, kind
    assert kinds["missing_required"]["errors"][0]["scope"] == "job"  # list entry without resId
    assert {e["severity"] for e in kinds["html_in_text"]["errors"]} == {"warning"}
    assert report["total"] == sum(g["count"] for g in report["by_kind"])


def test_progress_and_last_successful_harvest(harvested):
    source, job, _ = harvested
    out = tk.get_action("guangdong_harvest_progress")({"ignore_auth": True}, {"source_id": source["name"]})
    assert out["job"]["job_id"] == job.id and out["job"]["phase"] == "finished"
    assert out["job"]["done"] == out["job"]["total"] == 109  # 110 listed, one without an id
    assert out["job"]["errored"] == len(FAILING) - 1
    assert out["last_successful_harvest"] and out["last_successful_job_id"] == job.id


def test_unchanged_reharvest_imports_nothing(harvested):
    source, _, _ = harvested
    before = by_remote_id(source["id"])
    job, results = run_job(source)
    after = by_remote_id(source["id"])
    # Only the records that failed are tried again; nothing that was imported is touched.
    assert set(results) == {res_id(i) for i in FAILING if i != 7}
    assert not [r for r in results.values() if r["report_status"] in ("added", "updated", "deleted")]
    for rid, d in before.items():
        assert after[rid]["metadata_modified"] == d["metadata_modified"]
        assert [r["id"] for r in after[rid]["resources"]] == [r["id"] for r in d["resources"]]


def test_changed_record_is_updated_with_stable_resource_ids(harvested, api_portal):
    source, _, _ = harvested
    before = by_remote_id(source["id"])[res_id(5)]
    api_portal.state.changed[5] = {"resTitle": "河源市幼儿园名录（修订版）", "dataUpdateTime": "2025-03-01 08:00:00"}
    try:
        job, results = run_job(source)
    finally:
        api_portal.state.changed.pop(5)
    assert results[res_id(5)]["report_status"] == "updated"
    after = by_remote_id(source["id"])[res_id(5)]
    assert after["title"] == "河源市幼儿园名录（修订版）" and after["id"] == before["id"]
    assert after["name"] == before["name"]
    assert [r["id"] for r in after["resources"]] == [r["id"] for r in before["resources"]]


def test_withdrawal_and_reinstatement(harvested, api_portal):
    source, _, _ = harvested
    before = by_remote_id(source["id"])[res_id(9)]
    api_portal.state.removed.add(9)
    try:
        job, results = run_job(source)
        assert results[res_id(9)]["report_status"] == "deleted"
        withdrawn = tk.get_action("package_show")({"ignore_auth": True}, {"id": before["id"]})
        assert withdrawn["private"] is True and withdrawn["state"] == "active"
        assert withdrawn.get("harvest_withdrawn_at") or any(
            e["key"] == "harvest_withdrawn_at" for e in withdrawn.get("extras", []))
        # Withdrawn, not broken: nothing else changed.
        assert len(datasets_of(source["id"], include_private=False)) == 110 - len(FAILING) - 1
    finally:
        api_portal.state.removed.discard(9)
    job, results = run_job(source)
    back = tk.get_action("package_show")({"ignore_auth": True}, {"id": before["id"]})
    assert back["private"] is False and back["id"] == before["id"]
    assert not back.get("harvest_withdrawn_at")
    assert [r["id"] for r in back["resources"]] == [r["id"] for r in before["resources"]]


def test_error_report_csv_download(harvested, app):
    from ckan.tests import factories
    source, job, _ = harvested
    user = make_sysadmin()
    token = factories.APIToken(user=user["name"])["token"]
    url = f"/harvest/{source['name']}/job/{job.id}/errors.csv"
    assert app.get(url, status=403)
    resp = app.get(url, headers={"Authorization": token})
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    report = tk.get_action("guangdong_harvest_error_report")({"ignore_auth": True}, {"job_id": job.id})
    assert len(rows) == report["total"]
    assert {r["kind"] for r in rows} == {g["kind"] for g in report["by_kind"]}


def test_source_page_shows_progress_and_last_success(harvested, app):
    source, _, _ = harvested
    html = app.get(f"/harvest/{source['name']}").get_data(as_text=True)
    assert "guangdong-harvest-progress" in html
    assert "上次成功采集" in html or "Last successful harvest" in html
