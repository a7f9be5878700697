"""Harvest correctness against stand-in city portals served over HTTP on 127.0.0.1: local
calendar dates, NFKC identifiers, duplicate identifiers inside one source, one gather per job
(run-test while the consumers run), and warnings counted apart from errors."""
from __future__ import annotations

import threading
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from cityportals.harness import datasets_of, make_source, run_job

from ckanext.guangdong.demo.cityportals import fixtures
from ckanext.guangdong.demo.cityportals.api_portal import PortalState
from ckanext.guangdong.demo.cityportals.serve import serve_portal

pytestmark = pytest.mark.usefixtures("harvest_db")

# A city of its own per test: identifiers are <city code><department>/<n>, so no test's records
# collide with another's (which would be a cross-source duplicate).
CHAOZHOU = fixtures.City("445100", "潮州市", "0768", "data.chaozhou.gov.cn")
JIEYANG = fixtures.City("445200", "揭阳市", "0663", "data.jieyang.gov.cn")
YUNFU = fixtures.City("445300", "云浮市", "0766", "data.yunfu.gov.cn")


def _portal(city: fixtures.City, count: int, **changed: dict[str, Any]) -> Any:
    portal = serve_portal(PortalState(city=city, count=count, broken=False))
    for i, values in changed.items():
        portal.state.changed[int(i.lstrip("r"))] = values
    return portal


def _api_source(portal: Any, code: str, name: str, **extra: Any) -> dict[str, Any]:
    return make_source(portal.url, "guangdong_api",
                       {"region_code": code, "preset": "kaifang_guangdong", **extra}, name)


def _report(job: Any) -> dict[str, Any]:
    return tk.get_action("guangdong_harvest_error_report")({"ignore_auth": True}, {"job_id": job.id})


def test_dates_are_guangdong_calendar_days_in_every_parser() -> None:
    local = {"dataUpdateTime": "2018-08-10T01:02:03+08:00", "publishDate": "2018-08-09T20:00:00Z"}
    api = _portal(fixtures.HEYUAN, 2, r0=local)  # its DCAT catalog is 珠海市's
    try:
        source = _api_source(api, "441600", "heyuan-dates")
        run_job(source)
        dcat = make_source(api.url + "/catalog.ttl", "guangdong_dcat", {"region_code": "440400",
                                                                         "dataset_name_prefix": "zh"},
                           "zhuhai-dates-dcat")
        api.state.dcat_count = 1
        run_job(dcat)
    finally:
        api.stop()
    record = {d["harvest_remote_id"]: d for d in datasets_of(source["id"])}["R4416000000000"]
    assert (record["modified"], record["issued"]) == ("2018-08-10", "2018-08-10")
    [from_dcat] = datasets_of(dcat["id"])
    assert from_dcat["modified"] == "2018-08-10"


def test_full_width_identifiers_are_normalised_not_refused() -> None:
    portal = _portal(CHAOZHOU, 1, r0={"resCode": "ＤＵＰ４４０４／０００００６"})
    try:
        source = _api_source(portal, "445100", "chaozhou-nfkc")
        job, results = run_job(source)
    finally:
        portal.stop()
    [result] = results.values()
    assert result["errors"] == [] and result["state"] == "COMPLETE"
    [dataset] = datasets_of(source["id"])
    assert dataset["identifier"] == "DUP4404/000006" and dataset["name"] == "gd-dup4404-000006"


def test_duplicate_identifiers_in_one_source_keep_the_first_stably() -> None:
    same = {"resCode": "44520003/09990001"}
    portal = _portal(JIEYANG, 3, r0=same, r1=same)
    holders = []
    try:
        source = _api_source(portal, "445200", "jieyang-dups")
        for _ in range(3):  # the first harvest, then two unchanged re-harvests
            job, results = run_job(source)
            datasets = [d for d in datasets_of(source["id"]) if d["identifier"] == same["resCode"]]
            assert len(datasets) == 1
            holders.append((datasets[0]["id"], datasets[0]["harvest_remote_id"],
                            datasets[0]["metadata_modified"]))
            errors = [e for g in _report(job)["by_kind"] for e in g["errors"]]
            assert [(e["kind"], e["severity"], e["guid"]) for e in errors] == \
                [("duplicate_identifier", "error", "R4452000000001")]
            assert "R4452000000000" in errors[0]["message"]
        # the first record keeps the dataset, unchanged by the re-harvests (no flip-flop)
        assert holders[0][1] == "R4452000000000" and len(set(holders)) == 1
        # when the first record leaves the source, the other takes the dataset over
        portal.state.removed.add(0)
        run_job(source)  # withdraws the first record's dataset (the other is still refused)
        job, results = run_job(source)
        taken = [d for d in datasets_of(source["id"], include_private=False)
                 if d["identifier"] == same["resCode"]]
        assert [(d["id"], d["harvest_remote_id"]) for d in taken] == [(holders[0][0], "R4452000000001")]
    finally:
        portal.stop()


def test_run_test_while_the_consumers_run_imports_each_record_once() -> None:
    """`ckan harvester run-test` gathers and imports a job itself while the gather consumer,
    sent the same New job by the scheduler, does the same: here both run at once, each in its
    own thread (and database session), exactly as the two processes would."""
    from ckan import model
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource
    from ckanext.harvest.tests.lib import run_harvest_job

    portal = _portal(fixtures.SHAOGUAN, 12)
    try:
        source = _api_source(portal, "440200", "shaoguan-run-test")
        src = HarvestSource.get(source["id"])
        job = HarvestJob(source=src)
        job.save()
        job_id = job.id
        harvester = queue.get_harvester(src.type)
        failures: list[BaseException] = []

        def consumer() -> None:  # the gather consumer, then the fetch consumer
            try:
                mine = HarvestJob.get(job_id)
                mine.status = "Running"
                mine.save()
                for oid in queue.gather_stage(harvester, mine) or []:
                    queue.fetch_and_import_stages(harvester, HarvestObject.get(oid))
            except BaseException as e:  # noqa: BLE001 (reported below)
                failures.append(e)
            finally:
                model.Session.remove()

        thread = threading.Thread(target=consumer)
        thread.start()
        run_harvest_job(HarvestJob.get(job_id), harvester)  # run-test, in the foreground
        thread.join(120)
        assert not failures, failures
        model.Session.remove()
        objects = model.Session.query(HarvestObject).filter(HarvestObject.harvest_job_id == job_id).all()
        assert len(objects) == 12 and len({o.guid for o in objects}) == 12
        assert {o.state for o in objects} == {"COMPLETE"}
        assert all(not o.errors for o in objects), [e.message for o in objects for e in o.errors]
        assert len(datasets_of(source["id"])) == 12
    finally:
        portal.stop()


def test_warnings_are_not_counted_as_errors(app) -> None:
    portal = _portal(YUNFU, 2, r1={"resTitle": "云浮市<b>公交</b>线路"})
    try:
        source = _api_source(portal, "445300", "yunfu-warnings")
        job, _ = run_job(source)
    finally:
        portal.stop()
    ctx = {"ignore_auth": True}
    stats = tk.get_action("harvest_job_show")(ctx, {"id": job.id})["stats"]
    assert (stats["errored"], stats["warnings"], stats["added"]) == (0, 1, 2)
    listed = tk.get_action("harvest_job_list")(ctx, {"source_id": source["id"]})
    assert listed[0]["stats"]["errored"] == 0 and listed[0]["stats"]["warnings"] == 1
    status = tk.get_action("harvest_source_show_status")(ctx, {"id": source["id"]})
    assert status["last_job"]["stats"]["errored"] == 0
    progress = tk.get_action("guangdong_harvest_progress")(ctx, {"source_id": source["id"]})["job"]
    assert (progress["errored"], progress["warnings"]) == (0, 1)
    report = _report(job)
    assert (report["errors"], report["warnings"]) == (0, 1)
    from ckan.tests import factories
    from gd_testing import make_sysadmin
    headers = {"Authorization": factories.APIToken(user=make_sysadmin()["name"])["token"]}
    page = app.get(f"/harvest/{source['name']}/job/{job.id}", headers=headers).get_data(as_text=True)
    assert "0\n      \n      个错误" in page or "0 个错误" in " ".join(page.split())
    assert "1 个警告" in " ".join(page.split())
    page_en = " ".join(app.get(f"/en/harvest/{source['name']}/job/{job.id}", headers=headers)
                       .get_data(as_text=True).split())
    assert "0 errors" in page_en and "1 warnings" in page_en


def test_clearing_a_source_updates_the_counters_at_once() -> None:
    meizhou = fixtures.City("441400", "梅州市", "0753", "data.meizhou.gov.cn")
    portal = _portal(meizhou, 3)
    try:
        source = _api_source(portal, "441400", "meizhou-clear")
        run_job(source)
    finally:
        portal.stop()

    def count() -> int:
        stats = tk.get_action("guangdong_open_stats")({}, {"series": "false"})
        return sum(c["datasets"] for c in stats["by_city"] if c["region_code"] == "441400")

    assert count() == 3
    from gd_testing import make_sysadmin
    tk.get_action("harvest_source_clear")({"user": make_sysadmin()["name"]}, {"id": source["id"]})
    assert count() == 0
