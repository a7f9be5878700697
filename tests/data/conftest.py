"""Fixtures of the data tests: a real CKAN job worker (``ckan jobs worker`` on the test ini, with
the size and row limits lowered so the hostile files stay small), a real HTTP server on 127.0.0.1
that serves the files the tests make, and datasets made through the package actions."""
from __future__ import annotations

import http.server
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from data_support import MAX_BYTES, MAX_ROWS, dataset, utcnow, wait_for_load
from gd_testing import job_worker

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def worker(request: Any, gd_plugins: None, tmp_path_factory: Any) -> Iterator[None]:
    """``ckan jobs worker`` in its own process, on a copy of the test ini with small limits."""
    ini = Path(request.config.getoption("ckan_ini"))
    text = ini.read_text(encoding="utf-8")
    for key, value in (("ckanext.guangdong.data.max_bytes", MAX_BYTES),
                       ("ckanext.guangdong.data.max_rows", MAX_ROWS)):
        text = re.sub(rf"^{re.escape(key)} = .*$", f"{key} = {value}", text, flags=re.M)
    with job_worker(text, tmp_path_factory.mktemp("worker")):
        yield


class Files:
    """Files served over HTTP by a real server on 127.0.0.1."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, dict[str, str]]] = {}
        self.base = ""

    def add(self, content: bytes, suffix: str = ".csv", headers: dict[str, str] | None = None) -> str:
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
                line = "地区,人口\r\n".encode() + "广州市,1\r\n".encode() * 1000
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


@pytest.fixture(scope="module")
def org(gd_plugins: None) -> dict[str, Any]:
    from ckan.tests import factories
    return factories.Organization(name=f"org-{uuid.uuid4().hex[:10]}", region_code="440100",
                                  org_type="city")


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




@pytest.fixture(scope="module")
def app_server(gd_plugins: None) -> Iterator[str]:
    """The app over HTTP on a free port, for this module only (the session's live_server would
    outlive this module's plugins, which gd_plugins unloads at its end)."""
    import socket

    from ckan.common import config
    from ckan.config.middleware import make_app
    from werkzeug.serving import make_server
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = make_server("127.0.0.1", port, make_app(config), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
