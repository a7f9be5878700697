"""Shared fixtures: one CKAN app and one test database per test run.

CKAN's own pytest plugin (``--ckan-ini var/test.ini``, given by scripts/test.sh)
provides ``app``, ``clean_db``, ``with_plugins`` and ``ckan.tests.factories``.
"""
from __future__ import annotations

import socket
import threading
from typing import Any, Callable, Iterator

import pytest
from werkzeug.serving import make_server

from gd_testing import apply_plugin_migrations, reset_database


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def reset_db() -> Callable[[], None]:
    """Replaces CKAN's fixture of the same name (used by ``clean_db``): plugin tables too."""
    from ckan.tests import factories
    factories.fake.unique.clear()
    return reset_database


@pytest.fixture(scope="module")
def gd_plugins() -> Iterator[None]:
    """ckan.plugins from the test ini, loaded once per module (CKAN's ``with_plugins`` does the
    same per test and costs about two seconds each time), plugin tables in place: checked per
    module, since a ``clean_db`` in another test folder may have dropped them."""
    import ckan.plugins as p
    p.load_all()
    apply_plugin_migrations()
    yield
    p.unload_non_system_plugins()


@pytest.fixture
def gd(gd_plugins: None) -> None:
    """All configured plugins loaded, tables in place."""


@pytest.fixture(scope="module")
def gd_app(gd_plugins: None) -> Any:
    """One CKAN test client per module (CKAN's ``app`` fixture builds a new app per test)."""
    from ckan.lib.app_globals import _CONFIG_CACHE
    from ckan.tests.helpers import _get_test_app
    _CONFIG_CACHE.clear()
    return _get_test_app()


def bounded_body(app: Any) -> Any:
    """Hand the app a request body bounded by its Content-Length, as gunicorn (``make run``)
    does; werkzeug's development server hands over the socket itself, on which CKAN's tracking
    middleware (``wsgi.input.read()``) would wait for the client to hang up."""
    from werkzeug.wsgi import LimitedStream

    def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        environ["wsgi.input"] = LimitedStream(environ["wsgi.input"], length)
        return app(environ, start_response)
    return wrapped


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """The real CKAN WSGI app served over HTTP on 127.0.0.1; yields its base URL.
    Building the app loads every plugin of the test ini. ``ckan.site_url`` is this server's
    address while it runs, so the links CKAN writes with the site URL (resource downloads,
    DCAT URIs) lead to this server, as they do on a real site."""
    from ckan.config.middleware import make_app
    from ckan.common import config

    from ckan.tests.pytest_ckan import ckan_setup

    port = free_port()
    site_url = config.get("ckan.site_url")
    app = make_app(config)  # (reloads the config from the ini)
    # CKAN's pytest plugin restores the config from its snapshot before every test: both.
    for conf in (config, ckan_setup._config):
        conf["ckan.site_url"] = f"http://127.0.0.1:{port}"
    server = make_server("127.0.0.1", port, bounded_body(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    for conf in (config, ckan_setup._config):
        conf["ckan.site_url"] = site_url
