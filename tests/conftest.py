"""Shared fixtures: one CKAN app and one test database per test run.

CKAN's own pytest plugin (``--ckan-ini var/test.ini``, given by scripts/test.sh)
provides ``app``, ``clean_db``, ``with_plugins`` and ``ckan.tests.factories``.
"""
from __future__ import annotations

import socket
import threading
from typing import Iterator

import pytest
from werkzeug.serving import make_server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[str]:
    """The real CKAN WSGI app served over HTTP on 127.0.0.1; yields its base URL."""
    from ckan.config.middleware import make_app
    from ckan.common import config

    port = free_port()
    app = make_app(config)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
