"""Fixtures of the data tests: a real CKAN job worker (``ckan jobs worker`` on the test ini, with
the size and row limits lowered so the hostile files stay small), a real HTTP server on 127.0.0.1
that serves the files the tests make, and datasets made through the package actions."""
from __future__ import annotations

import datetime as dt
import http.server
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import pytest

from gd_testing import make_user

ROOT = Path(__file__).resolve().parents[2]
MAX_BYTES = 300_000
MAX_ROWS = 2_000


@pytest.fixture(scope="module")
def worker(request: Any, gd_plugins: None, tmp_path_factory: Any) -> Iterator[None]:
    """``ckan jobs worker`` in its own process, on a copy of the test ini with small limits."""
    from ckan.lib import jobs
    ini = Path(request.config.getoption("ckan_ini"))
    text = ini.read_text(encoding="utf-8")
    for key, value in (("ckanext.guangdong.data.max_bytes", MAX_BYTES),
                       ("ckanext.guangdong.data.max_rows", MAX_ROWS)):
        text = re.sub(rf"^{re.escape(key)} = .*$", f"{key} = {value}", text, flags=re.M)
    worker_ini = tmp_path_factory.mktemp("worker") / "worker.ini"
    worker_ini.write_text(text, encoding="utf-8")
    jobs.get_queue().empty()  # jobs other test folders enqueued (their files are not served)
    log = open(worker_ini.with_suffix(".log"), "w")
    proc = subprocess.Popen([str(Path(sys.executable).parent / "ckan"), "-c", str(worker_ini),
                             "jobs", "worker"], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    yield
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


class Files:
    """Files served over HTTP by a real server on 127.0.0.1."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, dict[str, str]]] = {}
        self.base = ""

    def add(self, content: bytes, suffix: str = ".csv", headers: Optional[dict[str, str]] = None) -> str:
        path = f"/{uuid.uuid4().hex}{suffix}"
        self.files[path] = (content, headers or {})
        return self.base + path


@pytest.fixture(scope="module")
def files() -> Iterator[Files]:
    store = Files()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path.startswith("/redirect/"):  # /redirect/<url-encoded target>
                from urllib.parse import unquote
                self.send_response(302)
                self.send_header("Location", unquote(path[len("/redirect/"):]))
                self.end_headers()
                return
            if path == "/endless.csv":  # no Content-Length, never ends by itself
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.end_headers()
                line = "地区,人口\r\n".encode("utf-8") + "广州市,1\r\n".encode("utf-8") * 1000
                try:
                    for _ in range(10_000):
                        self.wfile.write(line)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return
            if path not in store.files:
                self.send_error(404)
                return
            content, headers = store.files[path]
            self.send_response(200)
            self.send_header("Content-Type", headers.get("Content-Type", "text/csv"))
            self.send_header("Content-Length", headers.get("Content-Length", str(len(content))))
            self.end_headers()
            self.wfile.write(content)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    store.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield store
    server.shutdown()


def sysadmin_context() -> dict[str, Any]:
    from ckan.tests import helpers
    site = helpers.call_action("get_site_user")
    return {"user": site["name"], "ignore_auth": True}


@pytest.fixture(scope="module")
def org(gd_plugins: None) -> dict[str, Any]:
    from ckan.tests import factories
    return factories.Organization(name=f"org-{uuid.uuid4().hex[:10]}", region_code="440100",
                                  org_type="city")


def dataset(org_id: str, resources: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    """A valid dataset of the provincial schema, created through package_create."""
    from ckan.tests import helpers
    data: dict[str, Any] = {
        "type": "dataset", "name": f"ds-{uuid.uuid4().hex[:12]}", "title": "广州市各区人口",
        "notes": "各区常住人口。", "identifier": f"29000/{uuid.uuid4().int % 10**10:010d}",
        "owner_org": org_id, "private": False, "publisher_name": "广州市统计局",
        "publisher_id": "11440000006940081X", "theme": ["民生服务"],
        "access_rights": "unconditional", "frequency": "monthly", "issued": "2024-03-01",
        "modified": "2024-03-10", "spatial_coverage": "440100", "contact_name": "数据科",
        "contact_email": "opendata@gz.gov.cn", "contact_phone": "020-12345678",
        "license_id": "cc-by", "share_type": "conditional_share", "data_level": "level2",
        "deidentified": "true", "resources": resources,
    }
    data.update(overrides)
    return helpers.call_action("package_create", sysadmin_context(), **data)


def utcnow() -> dt.datetime:
    return dt.datetime.utcnow()


def wait_for_load(resource_id: str, since: dt.datetime, timeout: float = 90) -> dict[str, Any]:
    """The load report once the worker has finished a load that started after ``since``."""
    from ckan import model
    from ckanext.guangdong.data import model as data_model
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        model.Session.remove()
        report = data_model.get(resource_id)
        if report and report["state"] in ("complete", "error") and report["started"] \
                and report["started"] >= since:
            model.Session.remove()
            return report
        time.sleep(0.2)
    raise AssertionError(f"no finished load of {resource_id} within {timeout} s: {report!r}")


@pytest.fixture
def load(worker: None, org: dict[str, Any]) -> Callable[..., tuple[dict, dict, dict]]:
    """Creates a dataset with one resource (a URL), waits for the worker: (dataset, resource,
    load report)."""
    def run(url: str, fmt: str = "CSV", **dataset_fields: Any) -> tuple[dict, dict, dict]:
        since = utcnow()
        pkg = dataset(dataset_fields.pop("owner_org", org["id"]),
                      [{"url": url, "name": dataset_fields.pop("resource_name", "人口数据"),
                        "format": fmt}], **dataset_fields)
        res = pkg["resources"][0]
        return pkg, res, wait_for_load(res["id"], since)
    return run


def search(resource_id: str, user: Optional[str] = None, **params: Any) -> dict[str, Any]:
    from ckan.tests import helpers
    context = sysadmin_context() if user is None else {"user": user, "ignore_auth": False}
    return helpers.call_action("datastore_search", context, resource_id=resource_id, **params)


def records(resource_id: str) -> list[dict[str, Any]]:
    result = search(resource_id, limit=1000, sort="_id")
    return [{k: v for k, v in r.items() if k != "_id"} for r in result["records"]]


def field_types(resource_id: str) -> dict[str, str]:
    result = search(resource_id, limit=0)
    return {f["id"]: f["type"] for f in result["fields"] if f["id"] != "_id"}


def no_table(resource_id: str) -> bool:
    from ckan.tests import helpers
    import ckan.plugins.toolkit as tk
    try:
        helpers.call_action("datastore_info", sysadmin_context(), id=resource_id)
    except tk.ObjectNotFound:
        return True
    return False


__all__ = ["make_user"]
