"""Helpers of the safety tests (a module of its own: conftest names collide across folders)."""
from __future__ import annotations

import contextlib
import io
import random
import time
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from gd_testing import dataset_dict as base_dataset_dict
from gd_testing import make_sysadmin, make_user  # noqa: F401 (re-exported)


def site_context() -> dict[str, Any]:
    from ckan.tests import helpers
    return {"user": helpers.call_action("get_site_user")["name"], "ignore_auth": True}


def as_user(user: dict[str, Any] | None) -> dict[str, Any]:
    return site_context() if user is None else {"user": user["name"], "ignore_auth": False}


def api_token(user: dict[str, Any]) -> str:
    """A new API token of ``user`` (for requests over HTTP: ``Authorization`` header)."""
    import ckan.plugins.toolkit as tk
    return tk.get_action("api_token_create")(site_context(), {
        "user": user["name"], "name": f"t-{uuid.uuid4().hex[:6]}"})["token"]


def valid_id(first17: str = "44010619850312001") -> str:
    """An 18-digit resident ID number with its GB 11643 check character."""
    from ckanext.guangdong.safety import detectors
    return first17 + detectors.id_check_character(first17)


def upload(filename: str, content: bytes) -> Any:
    from werkzeug.datastructures import FileStorage
    kind = "text/csv" if filename.endswith(".csv") else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if filename.endswith(".xlsx") else \
        "application/octet-stream"
    return FileStorage(stream=io.BytesIO(content), filename=filename, content_type=kind)


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    import csv
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue().encode("utf-8")


def make_org(org_type: str = "department", **kwargs: Any) -> dict[str, Any]:
    from ckan.tests import factories
    name = f"safety-{uuid.uuid4().hex[:10]}"
    if org_type == "city":
        # a city's six-digit region code: only 10,000 names, so pick one not taken yet (a
        # shared test database holds many; a random pick collided)
        from ckan import model
        taken = {n for (n,) in model.Session.query(model.Group.name).filter(
            model.Group.name.like("city-44%"))}
        name = next(n for n in (f"city-44{i:04d}" for i in random.sample(range(10**4), 10**4))
                    if n not in taken)
    return factories.Organization(name=name, title=f"安全测试{org_type}", image_url="",
                                  region_code="440000" if org_type == "department" else "440100",
                                  org_type=org_type, **kwargs)


def dataset_dict(org_id: str, **overrides: Any) -> dict[str, Any]:
    """The one factory's dataset (gd_testing.dataset_dict) as a department's list of people
    served: no resource (the tests upload theirs), internal fields saying not de-identified."""
    data = base_dataset_dict(
        org_id, full=False, name=f"safety-{uuid.uuid4().hex[:12]}", title="办事群众名单",
        notes="办理情况。", identifier=f"29000/{uuid.uuid4().int % 10**10:010d}",
        publisher_name="广东省测试厅", theme=["民生服务"], issued="2024-03-01",
        modified="2024-03-10", contact_name="数据科", resources=[],
        share_type="conditional_share", data_level="level2", deidentified="false")
    data.update(overrides)
    return data


def create(org_id: str, user: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    """package_create, then resource_create for each resource with an ``upload`` (as the
    dataset form does: CKAN's package_create takes no files)."""
    import ckan.plugins.toolkit as tk
    resources = overrides.pop("resources", [])
    links = [r for r in resources if "upload" not in r]
    files = [r for r in resources if "upload" in r]
    pkg = tk.get_action("package_create")(as_user(user), dataset_dict(org_id, resources=links, **overrides))
    for res in files:
        tk.get_action("resource_create")(as_user(user), dict(res, package_id=pkg["id"]))
    return show(pkg["id"]) if files else pkg


def show(pkg_id: str) -> dict[str, Any]:
    import ckan.plugins.toolkit as tk
    from ckan import model
    model.Session.remove()
    return tk.get_action("package_show")(site_context(), {"id": pkg_id})


def scan_of(package_id: str, resource_id: str) -> dict[str, Any] | None:
    from ckan import model

    from ckanext.guangdong.safety import tables as safety_tables
    model.Session.remove()
    row = safety_tables.scans(package_id).get(resource_id)
    model.Session.remove()
    return row


def wait_scan(package_id: str, resource_id: str, timeout: float = 90, loaded: bool = True) -> dict[str, Any]:
    """The scan row once the worker has scanned the resource's current file (``loaded``: and
    the DataStore load has ended; false for uploads the data feature does not load)."""
    deadline = time.monotonic() + timeout
    row = None
    while time.monotonic() < deadline:
        row = scan_of(package_id, resource_id)
        if row and row["state"] != "queued" and (not loaded or _load_finished(resource_id)):
            # the job settles the dataset right after the scan, then loads the DataStore
            return scan_of(package_id, resource_id) or row
        time.sleep(0.2)
    raise AssertionError(f"no scan of {resource_id} within {timeout} s: {row!r}")


def _load_finished(resource_id: str) -> bool:
    from ckan import model

    from ckanext.guangdong.data import tables as data_tables
    model.Session.remove()
    report = data_tables.get(resource_id)
    model.Session.remove()
    return bool(report) and report["state"] in ("complete", "error")


CLEAN_CSV = csv_bytes(["地区", "人口"], [["广州市", "1882"], ["深圳市", "1779"]])


def clean_dataset(org_type: str = "city") -> tuple[dict[str, Any], dict[str, Any]]:
    """A new dataset of one clean CSV upload (pop.csv, ``CLEAN_CSV``), once its scan and load
    have ended: (dataset, resource) as created."""
    org = make_org(org_type)
    pkg = create(org["id"], resources=[{"upload": upload("pop.csv", CLEAN_CSV), "url": "pop.csv",
                                        "name": "人口", "format": "CSV"}])
    res = pkg["resources"][0]
    wait_scan(pkg["id"], res["id"])
    return pkg, res


def wait_until(ready: Any, what: str, timeout: float = 60) -> None:
    """Poll ``ready()`` every 0.2 s until it is true; fail saying ``what`` did not happen."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, f"{what} within {timeout} s"
        time.sleep(0.2)


def anonymous_sees(pkg_id: str) -> bool:
    import ckan.plugins.toolkit as tk
    from ckan import model
    model.Session.remove()
    try:
        tk.get_action("package_show")({"user": "", "ignore_auth": False}, {"id": pkg_id})
        return True
    except tk.NotAuthorized:
        return False


@contextlib.contextmanager
def in_language(gd_app: Any, lang: str) -> Iterator[None]:
    """Action calls made inside answer in ``lang``, as in a request to a page in it (outside a
    request gettext has no catalogue: CKAN's and our messages are their English msgids)."""
    from flask import request
    with gd_app.flask_app.test_request_context("/" if lang == "zh_Hans_CN" else f"/{lang}/"):
        request.environ["CKAN_LANG"] = lang
        yield


def editor_table() -> dict[str, Any]:
    """A city editor's public dataset whose CSV link has an empty DataStore table of two text
    columns (城市, 代码), for writes straight into the DataStore: {"editor", "rid"}."""
    import ckan.plugins.toolkit as tk
    editor = make_user()
    org = make_org("city", users=[{"name": editor["name"], "capacity": "editor"}])
    pkg = create(org["id"], user=editor, resources=[
        {"url": "http://127.0.0.1/service.csv", "name": "办件", "format": "CSV"}])
    rid = pkg["resources"][0]["id"]
    tk.get_action("datastore_create")(site_context(), {
        "resource_id": rid, "force": True,
        "fields": [{"id": "城市", "type": "text"}, {"id": "代码", "type": "text"}]})
    return {"editor": editor, "rid": rid}


@contextlib.contextmanager
def file_server(files: Mapping[str, bytes], content_type: str = "application/octet-stream") -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 standing in for a city's file server: ``files`` (path ->
    bytes, looked up at each request, so a test may change them; the query string ignored, 404
    for other paths). Yields its base URL (allow-listed in the test ini, as harvest sources are)."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            body = files.get(self.path.split("?")[0])
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


def file_list_in_force() -> None:
    """The negative list of config/negative_list.yaml in force: a test that saved another one,
    or a database kept from an earlier run, may hold an older save."""
    import ckan.plugins.toolkit as tk

    from ckanext.guangdong.safety import negative_list
    if negative_list.current_text() != negative_list.default_text():
        tk.get_action("guangdong_safety_negative_list_update")(as_user(make_sysadmin()), {
            "content": negative_list.default_text(), "comment": "测试：文件中的清单"})
