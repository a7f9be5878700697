"""Hostile and careless input to what the portal writes and fetches, over HTTP against the
real app (live_server): every answer is a 400/403/409 with a short message, never a 500, and
nothing is logged as an unhandled error (the web log is read for tracebacks).

Cases: the ``private`` flag, text/number/date limits of datasets, resources, applications and
organizations, the parameters of our actions and pages, harvest sources and the URL policy,
and the harvest actions that only sysadmins may call."""
from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from ckan.tests import factories
from gd_testing import dataset_dict, make_org, make_sysadmin

pytestmark = pytest.mark.usefixtures("gd")

HUGE = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(100_000))


class ErrorLog(logging.Handler):
    """Every record logged at ERROR or above, or with a traceback, while the suite runs."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.records.append(record)


@pytest.fixture(scope="module")
def error_log() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    names = ["", "ckan", "ckanext", "flask.app", "werkzeug", "ckan.config.middleware.flask_app"]
    for name in names:
        logging.getLogger(name).addHandler(handler)
    yield handler
    for name in names:
        logging.getLogger(name).removeHandler(handler)


@pytest.fixture(scope="module")
def ctx(gd_plugins: None) -> dict[str, Any]:
    admin = make_sysadmin()
    org = make_org()
    token = factories.APIToken(user=admin["name"])["token"]
    import ckan.plugins.toolkit as tk
    existing = tk.get_action("package_create")({"user": admin["name"]}, dataset_dict(org["id"]))
    return {"org": org["id"], "headers": {"Authorization": token}, "existing": existing["id"]}


def ds(ctx: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return dataset_dict(ctx["org"], **overrides)


def with_resource(ctx: dict[str, Any], **res: Any) -> dict[str, Any]:
    data = ds(ctx)
    data["resources"][0].update(res)
    return data


def app_dict(ctx: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {"type": "application", "title": "公交查询", "notes": "实时公交。", "owner_org": ctx["org"],
            "developer_name": "某公司", "developer_type": "organization", "application_kind": "web",
            "used_datasets": [ctx["existing"]], **overrides}


def source(ctx: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {"name": f"bad-{uuid.uuid4().hex[:10]}", "title": "源", "url": "http://127.0.0.1:9/",
            "owner_org": ctx["org"],
            "source_type": "guangdong_dcat", "config": json.dumps({"region_code": "441600"}),
            "frequency": "MANUAL", **overrides}


# (id, method, path, body builder or None, as sysadmin?, expected status, a fragment of the message)
NOT_BOOL = "Visibility must be true"
CASES: list[tuple[str, str, str, Any, bool, int, str]] = [
    # the private flag
    *[(f"private={v!r}", "POST", "package_create", (lambda c, v=v: ds(c, access_rights="not_open", private=v)),
       True, 409, NOT_BOOL) for v in ("maybe", "", [], {}, 2, {"a": 1}, "是")],
    ("private=On+NUL", "POST", "package_create", lambda c: ds(c, access_rights="not_open", private="On\x00"),
     True, 409, "control characters"),
    ("private=off on not_open", "POST", "package_create", lambda c: ds(c, access_rights="not_open", private="off"),
     True, 409, "cannot be public"),
    ("patch private=maybe", "POST", "package_patch", lambda c: {"id": c["existing"], "private": "maybe"},
     True, 409, NOT_BOOL),
    ("application private=[]", "POST", "package_create", lambda c: app_dict(c, private=[]), True, 409, NOT_BOOL),
    # texts
    ("title 100,000 chars", "POST", "package_create", lambda c: ds(c, title=HUGE), True, 409, "Use at most 300"),
    ("notes 30 MB", "POST", "package_create", lambda c: ds(c, notes="数据" * 5 * 1024 * 1024), True, 409,
     "Use at most 20,000"),
    ("title NUL", "POST", "package_create", lambda c: ds(c, title="公交\x00"), True, 409, "control characters"),
    ("identifier list", "POST", "package_create", lambda c: ds(c, identifier=["29000/1"]), True, 409,
     "Identifier must be"),
    ("identifier object", "POST", "package_create", lambda c: ds(c, identifier={"$gt": ""}), True, 409,
     "Identifier must be"),
    ("publisher_identifier list", "POST", "package_create", lambda c: ds(c, publisher_identifier=[1]), True, 409, "18 characters"),
    ("contact_email markup", "POST", "package_create", lambda c: ds(c, contact_email="<script>@x.cn"), True, 409,
     "valid email"),
    ("access_rights list", "POST", "package_create", lambda c: ds(c, access_rights=["not_open"]), True, 409,
     "allowed values"),
    ("theme 5,000 values", "POST", "package_create", lambda c: ds(c, theme=["民生服务"] * 5000), True, 409,
     "at most 1,000"),
    ("extras value 3,000 chars", "POST", "package_create",
     lambda c: dict(ds(c), extras=[{"key": "k", "value": "值" * 3000}]), True, 409, "Use at most 2,000"),
    ("data item NUL", "POST", "package_create",
     lambda c: ds(c, data_items=[{"name": "列\x00", "type": "string"}]), True, 409, "control characters"),
    ("resource name 301", "POST", "package_create", lambda c: with_resource(c, name="名" * 301), True, 409,
     "Use at most 300"),
    ("resource url 3,000", "POST", "package_create", lambda c: with_resource(c, url="http://x/" + "a" * 3000),
     True, 409, "Use at most 2,000"),
    ("organization title 301", "POST", "organization_create",
     lambda c: {"name": f"o-{uuid.uuid4().hex[:8]}", "title": "名" * 301}, True, 409, "Use at most 300"),
    ("organization description NUL", "POST", "organization_create",
     lambda c: {"name": f"o-{uuid.uuid4().hex[:8]}", "description": "\x00"}, True, 409, "control characters"),
    # numbers
    ("record_count 1e30 (int)", "POST", "package_create", lambda c: ds(c, record_count=10**30), True, 409,
     "not be greater"),
    ("record_count NaN", "POST", "package_create", lambda c: ds(c, record_count="NaN"), True, 409, "whole number"),
    ("record_count -1", "POST", "package_create", lambda c: ds(c, record_count=-1), True, 409, "0 or greater"),
    ("resource size 1e30 (float)", "POST", "package_create", lambda c: with_resource(c, size=1e30), True, 409,
     "not be greater"),
    ("resource size 10**30", "POST", "package_create", lambda c: with_resource(c, size=10**30), True, 409,
     "not be greater"),
    ("resource size object", "POST", "package_create", lambda c: with_resource(c, size={"a": 1}), True, 409,
     "whole number"),
    # dates
    ("issued 0001-01-01", "POST", "package_create", lambda c: ds(c, issued="0001-01-01"), True, 409, "between"),
    ("issued 9999-12-31", "POST", "package_create", lambda c: ds(c, issued="9999-12-31"), True, 409, "between"),
    ("issued 2018-02-30", "POST", "package_create", lambda c: ds(c, issued="2018-02-30"), True, 409, "YYYY-MM-DD"),
    ("modified object", "POST", "package_create", lambda c: ds(c, modified={"a": 1}), True, 409, "YYYY-MM-DD"),
    ("temporal_end path", "POST", "package_create", lambda c: ds(c, temporal_end="../../etc"), True, 409,
     "YYYY-MM-DD"),
    ("resource issued 0001", "POST", "package_create", lambda c: with_resource(c, issued="0001-01-01"), True, 409,
     "between"),
    ("resource last_modified 99999", "POST", "package_create",
     lambda c: with_resource(c, last_modified="99999-01-01"), True, 409, "Date format incorrect"),
    ("application launch_date 9999", "POST", "package_create", lambda c: app_dict(c, launch_date="9999-12-31"),
     True, 409, "between"),
    # parameters of our actions and pages
    ("target_audit limit=abc", "GET", "guangdong_target_audit?limit=abc", None, True, 409, "whole number"),
    ("target_audit limit=10**30", "GET", "guangdong_target_audit?limit=" + "9" * 30, None, True, 409,
     "whole number"),
    ("target_audit limit=-1", "GET", "guangdong_target_audit?limit=-1", None, True, 409, "whole number"),
    ("open_stats as_of 9999", "GET", "guangdong_open_stats?as_of=9999-12-31", None, False, 409, "2199-12-31"),
    ("open_stats as_of 0001", "GET", "guangdong_open_stats?as_of=0001-01-01", None, False, 409, "2000-01-01"),
    ("open_stats series=maybe", "GET", "guangdong_open_stats?series=maybe", None, False, 409, "true or false"),
    ("target_progress as_of 2018-02-30", "GET", "guangdong_target_progress?as_of=2018-02-30", None, False, 409,
     "YYYY-MM-DD"),
    ("target_list include_inactive=x", "GET", "guangdong_target_list?include_inactive=x", None, False, 409,
     "true or false"),
    ("snapshot_show date 9999", "GET", "guangdong_targets_snapshot_show?date=9999-12-31", None, False, 409,
     "2199-12-31"),
    ("target_save threshold 10**30", "POST", "guangdong_target_save",
     lambda c: {"id": "bad-threshold", "title_zh": "坏", "scope": "province", "metric": "datasets",
                "deadline": "2030-12-31", "threshold": 10**30}, True, 409, "whole number"),
    ("target_save deadline 9999", "POST", "guangdong_target_save",
     lambda c: {"id": "bad-deadline", "title_zh": "坏", "scope": "province", "metric": "datasets",
                "deadline": "9999-12-31", "threshold": 10}, True, 409, "2199-12-31"),
    ("format_autocomplete limit=abc", "GET", "format_autocomplete?q=c&limit=abc", None, True, 409, "whole number"),
    ("check_field field list", "POST", "guangdong_check_field", lambda c: {"field": ["x"], "value": "1"}, True,
     409, "Unknown field"),
    ("check_field id list", "POST", "guangdong_check_field",
     lambda c: {"field": "identifier", "value": "29000/1", "id": [1]}, True, 409, "Unknown dataset"),
    ("harvest_progress source_id list", "POST", "guangdong_harvest_progress", lambda c: {"source_id": ["x"]},
     False, 409, "id or a name"),
    ("harvest_error_report job_id object", "POST", "guangdong_harvest_error_report", lambda c: {"job_id": {}},
     True, 409, "id or a name"),
    ("page as_of 0001", "PAGE", "/open-progress?as_of=0001-01-01", None, False, 400, "2000-01-01"),
    ("page as_of 9999", "PAGE", "/open-progress?as_of=9999-12-31", None, False, 400, "2199-12-31"),
    ("export as_of abc", "PAGE", "/open-progress/export.csv?as_of=abc", None, False, 400, "YYYY-MM-DD"),
    # harvest sources, the URL policy, who may run harvests
    ("source url metadata", "POST", "harvest_source_create",
     lambda c: source(c, url="http://100.100.100.200/latest/meta-data/"), True, 409, "not a public address"),
    ("source url file://", "POST", "harvest_source_create", lambda c: source(c, url="file:///etc/passwd"), True, 409,
     "http and https"),
    ("source remote_ckan_api link-local", "POST", "harvest_source_create",
     lambda c: source(c, source_type="guangdong_ckan",
                      config=json.dumps({"region_code": "441600", "remote_ckan_api": "http://169.254.169.254/"})),
     True, 409, "not a public address"),
    ("source private []", "POST", "harvest_source_create", lambda c: source(c, private=[]), True, 409, "true or false"),
    ("stock source type", "POST", "harvest_source_create", lambda c: source(c, source_type="ckan"), True, 409,
     "source_type"),
    ("anonymous harvest_jobs_run", "POST", "harvest_jobs_run", lambda c: {}, False, 403, "sysadmins"),
    ("anonymous harvest_abort_failed_jobs", "POST", "harvest_abort_failed_jobs", lambda c: {}, False, 403,
     "sysadmins"),
    ("anonymous harvest_source_create", "POST", "harvest_source_create", lambda c: source(c), False, 403, ""),
]


def test_bad_input_gets_a_clear_answer_and_never_a_500(live_server, ctx, error_log) -> None:
    assert len(CASES) >= 40
    http = requests.Session()
    http.trust_env = False
    problems = []
    for case_id, method, path, body, admin, status, fragment in CASES:
        headers = ctx["headers"] if admin else {}
        if method == "PAGE":
            answer = http.get(live_server + path, headers=headers, timeout=120)
        elif method == "GET":
            answer = http.get(f"{live_server}/en/api/3/action/{path}", headers=headers, timeout=120)
        else:
            answer = http.post(f"{live_server}/en/api/3/action/{path}", json=body(ctx), headers=headers,
                               timeout=120)
        text = answer.text
        if answer.status_code != status or fragment not in text:
            problems.append((case_id, answer.status_code, text[:300]))
        if "Traceback" in text or "psycopg2" in text or "SELECT " in text:
            problems.append((case_id, "internals in the answer", text[:300]))
    assert not problems, "\n".join(map(str, problems))
    tracebacks = [f"{r.name}: {r.getMessage()[:200]}" for r in error_log.records]
    assert not tracebacks, tracebacks
