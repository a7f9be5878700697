"""The 开放广东-style JSON API city (河源市, 110 records, 13 of them broken) harvested end to end."""
from __future__ import annotations

import pytest

from cityportals.api_portal import BROKEN, IMPORTED_WITH_WARNINGS

from cityportals.harness import datasets_of, make_source, run_job

pytestmark = pytest.mark.usefixtures("harvest_db")

API_CONFIG = {"region_code": "441600", "preset": "kaifang_guangdong", "http_timeout": 1.5}


@pytest.fixture(scope="module")
def first_run(harvest_db, api_portal):
    source = make_source(api_portal.url, "guangdong_api", API_CONFIG, "heyuan-api")
    job, results = run_job(source)
    return source, job, results


def test_first_harvest(first_run):
    source, job, results = first_run
    datasets = datasets_of(source["id"])
    failing = {i for i, kind in BROKEN.items() if i not in IMPORTED_WITH_WARNINGS}
    import ckan.plugins.toolkit as tk
    rep = tk.get_action("guangdong_harvest_error_report")({"ignore_auth": True}, {"job_id": job.id})
    for g in rep["by_kind"]:
        print(g["kind"], g["count"], [(e["guid"], e["message"][:100]) for e in g["errors"]][:4])
    assert len(datasets) == 110 - len(failing)
    assert job.status == "Finished"
