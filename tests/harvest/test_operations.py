"""Source validation through the actions, the job timeout, and progress while a job runs."""
from __future__ import annotations

import datetime
import uuid

import ckan.plugins.toolkit as tk
import pytest
from cityportals.harness import make_source

pytestmark = pytest.mark.usefixtures("harvest_db")


def test_source_url_refused_with_a_clear_message(api_portal):
    for url, words in (("ftp://127.0.0.1/x", "http and https"),
                       ("http://admin:pw@127.0.0.1:1/", "user name or password"),
                       ("http://192.168.3.4/api", "not a public address")):
        with pytest.raises(tk.ValidationError) as e:
            make_source(url, "guangdong_ckan", {"region_code": "441600"}, "bad-" + str(abs(hash(url)))[:8])
        assert words in str(e.value.error_dict["url"])


def test_source_config_refused_with_a_clear_message(api_portal):
    with pytest.raises(tk.ValidationError) as e:
        make_source(api_portal.url, "guangdong_api", {"region_code": "441600", "withdrawal": "hide"}, "bad-config")
    assert "withdrawal must be one of" in str(e.value.error_dict)


def test_progress_while_running_then_timeout(api_portal, app):
    from ckan import model
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource
    source = make_source(api_portal.url, "guangdong_api",
                         {"region_code": "441600", "preset": "kaifang_guangdong"}, "heyuan-progress")
    src = HarvestSource.get(source["id"])
    job = HarvestJob(source=src, status="Running")
    job.save()
    ids = queue.gather_stage(queue.get_harvester(src.type), job)
    assert len(ids) == 109
    # Two records fetched and imported, the rest waiting, as with busy consumers.
    harvester = queue.get_harvester(src.type)
    for oid in ids[:2]:
        queue.fetch_and_import_stages(harvester, HarvestObject.get(oid))
    progress = tk.get_action("guangdong_harvest_progress")({"ignore_auth": True}, {"source_id": source["id"]})
    job_p = progress["job"]
    assert job_p["phase"] == "importing" and job_p["total"] == 109 and job_p["done"] == 2
    assert job_p["rate_per_second"] > 0 and job_p["eta_seconds"] > 0
    assert progress["last_successful_harvest"] is None
    html = app.get(f"/harvest/{source['name']}").get_data(as_text=True)
    assert 'data-phase="importing"' in html and "guangdong_harvest_progress" in html  # polls while running

    # The consumers died: the job passes the limit (default 360 minutes) and is failed.
    job = HarvestJob.get(job.id)
    job.created = job.gather_started = datetime.datetime.utcnow() - datetime.timedelta(hours=7)
    job.save()
    tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {})
    model.Session.remove()
    job = HarvestJob.get(job.id)
    assert job.status == "Finished"
    progress = tk.get_action("guangdong_harvest_progress")({"ignore_auth": True}, {"source_id": source["id"]})
    assert progress["job"]["phase"] == "failed"
    assert "longer than the limit of 360 minutes" in progress["job"]["failed_reason"]
    assert progress["job"]["done"] == progress["job"]["total"]  # nothing left in limbo
    assert progress["last_successful_harvest"] is None
    report = tk.get_action("guangdong_harvest_error_report")({"ignore_auth": True}, {"job_id": job.id})
    assert report["by_kind"][0]["kind"] == "job_timeout" or "job_timeout" in {g["kind"] for g in report["by_kind"]}


def test_source_down_or_empty_withdraws_nothing():
    """A portal that is down, or suddenly answers an empty list, must not withdraw the
    city's datasets."""
    from cityportals.harness import datasets_of, run_job

    from ckanext.guangdong.demo.cityportals import fixtures
    from ckanext.guangdong.demo.cityportals.api_portal import PortalState
    from ckanext.guangdong.demo.cityportals.serve import serve_portal
    portal = serve_portal(PortalState(city=fixtures.ZHUHAI, count=12, broken=False))
    source = make_source(portal.url, "guangdong_api", {"region_code": "440400", "preset": "kaifang_guangdong"},
                         "zhuhai-flaky")
    run_job(source)
    assert len(datasets_of(source["id"], include_private=False)) == 12
    portal.state.removed.update(range(12))  # the list answers total 0, no records
    job, results = run_job(source)
    assert results == {}
    report = tk.get_action("guangdong_harvest_error_report")({"ignore_auth": True}, {"job_id": job.id})
    assert "nothing was withdrawn" in report["by_kind"][0]["errors"][0]["message"]
    portal.stop()  # now the portal is down altogether
    job, results = run_job(source)
    kinds = {g["kind"] for g in tk.get_action("guangdong_harvest_error_report")(
        {"ignore_auth": True}, {"job_id": job.id})["by_kind"]}
    assert kinds == {"connection_error", "listing_incomplete"}
    assert len(datasets_of(source["id"], include_private=False)) == 12
    progress = tk.get_action("guangdong_harvest_progress")({"ignore_auth": True}, {"source_id": source["id"]})
    assert progress["job"]["phase"] == "failed" and progress["last_successful_harvest"]


def test_record_naming_a_provincial_department_goes_to_it():
    from cityportals.harness import datasets_of, run_job

    from ckanext.guangdong.demo.cityportals import fixtures
    from ckanext.guangdong.demo.cityportals.api_portal import PortalState
    from ckanext.guangdong.demo.cityportals.serve import serve_portal
    from ckanext.guangdong.harvesters import organizations
    from ckanext.guangdong.harvesters.site import site_context
    organizations._departments["at"] = 0.0  # forget the cached department list of earlier tests
    dept = tk.get_action("organization_create")(site_context(), {
        "name": "gd-jtyst", "title": "广东省交通运输厅", "region_code": "440000", "org_type": "department"})
    portal = serve_portal(PortalState(city=fixtures.SHAOGUAN, count=3, broken=False))
    portal.state.changed[1] = {"officeName": "广东省交通运输厅"}
    try:
        source = make_source(portal.url, "guangdong_api",
                             {"region_code": "440200", "preset": "kaifang_guangdong"}, "shaoguan-dept")
        run_job(source)
    finally:
        portal.stop()
    orgs = {d["harvest_remote_id"]: d["organization"]["name"] for d in datasets_of(source["id"])}
    assert orgs == {"R4402000000000": "city-440200", "R4402000000001": dept["name"],
                    "R4402000000002": "city-440200"}


def test_record_naming_a_department_by_its_credit_code_goes_to_it():
    """A record whose publisher name is written differently still reaches the department when
    its 统一社会信用代码 (crosswalk: creditCode → publisher_identifier) is the organization's
    ``identifier`` (schemas/organization.yaml)."""
    from cityportals.harness import datasets_of, run_job

    from ckanext.guangdong.demo.cityportals import fixtures
    from ckanext.guangdong.demo.cityportals.api_portal import PortalState
    from ckanext.guangdong.demo.cityportals.serve import serve_portal
    from ckanext.guangdong.harvesters import organizations
    from ckanext.guangdong.harvesters.site import site_context
    from ckanext.guangdong.metadata import codes
    first17 = "1144000000" + uuid.uuid4().hex[:7].upper().translate(str.maketrans("IOSVZ", "12345"))
    code = first17 + codes.uscc_check_char(first17)
    assert codes.uscc_valid(code)
    dept = tk.get_action("organization_create")(site_context(), {
        "name": f"gd-dept-{code.lower()}", "title": f"广东省测试厅{code[-4:]}", "identifier": code,
        "region_code": "440000", "org_type": "department"})
    organizations._departments["at"] = 0.0  # forget the cached department list of earlier tests
    # A city of its own (no other test harvests 茂名), one record naming the department by code.
    maoming = fixtures.City("440900", "茂名市", "0668", "data.maoming.gov.cn")
    portal = serve_portal(PortalState(city=maoming, count=1, broken=False))
    portal.state.changed[0] = {"officeName": "省测试厅（数据处）", "creditCode": code}
    try:
        source = make_source(portal.url, "guangdong_api", {"region_code": "440900", "preset": "kaifang_guangdong"},
                             f"maoming-code-{code[-6:].lower()}")
        run_job(source)
    finally:
        portal.stop()
    orgs = {d["harvest_remote_id"]: d["organization"]["name"] for d in datasets_of(source["id"])}
    assert orgs == {"R4409000000000": dept["name"]}
