"""`make run` loads the demo catalog before the job worker starts, with scans before publication
on (the run profile): the loader runs the load job (and the scan in it) itself for the files of
its held datasets, or the demo's applications could not link them ("... is not public"). No
worker runs in this module, so only the loader can release the dataset."""
from __future__ import annotations

import pytest
from safety_support import anonymous_sees, create, csv_bytes, make_org, show, upload

from ckanext.guangdong.demo.loader import _scan_held_files

pytestmark = [pytest.mark.usefixtures("gd_plugins"),
              pytest.mark.ckan_config("ckanext.guangdong.safety.scan_before_public", "true")]

CLEAN_CSV = csv_bytes(["地区", "人口"], [["广州市", "1882"], ["深圳市", "1779"]])


def test_the_demo_loader_scans_its_held_files_itself() -> None:
    org = make_org("city")  # no review for cities: only the pending scan holds it
    pkg = create(org["id"], resources=[{"upload": upload("population.csv", CLEAN_CSV),
                                        "url": "population.csv", "name": "人口", "format": "CSV"}])
    assert pkg["private"] is True and not anonymous_sees(pkg["id"])
    assert _scan_held_files({"population": pkg["id"]}) == 1
    assert show(pkg["id"])["private"] is False
    assert anonymous_sees(pkg["id"])
    # a second load of the demo finds nothing held: no file is loaded again
    assert _scan_held_files({"population": pkg["id"]}) == 0


def test_the_files_the_demo_loader_loaded_are_not_queued_again() -> None:
    """Creating a file queues its load (xloader's automatic submission); once the loader has
    loaded it itself, that job would only re-load an unchanged file in `make run`'s single
    worker, ahead of an editor's first upload (issue 14, trial 8 item 2)."""
    from ckan.lib import jobs
    jobs.get_queue().empty()
    org = make_org("city")
    pkg = create(org["id"], resources=[{"upload": upload("population.csv", CLEAN_CSV),
                                        "url": "population.csv", "name": "人口", "format": "CSV"}])
    rid = pkg["resources"][0]["id"]

    def queued_loads() -> list[str]:
        return [job.args[0] for job in jobs.get_queue().get_jobs()
                if str(job.func_name).endswith("load_resource")]
    assert rid in queued_loads()  # the load the upload queued
    assert _scan_held_files({"population": pkg["id"]}) == 1
    assert rid not in queued_loads()
    assert show(pkg["id"])["private"] is False
