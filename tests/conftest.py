"""Shared fixtures: one CKAN app and one test database per test run.

CKAN's own pytest plugin (``--ckan-ini var/test.ini``, given by scripts/test.sh)
provides ``app``, ``clean_db``, ``with_plugins`` and ``ckan.tests.factories``.
"""
from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from gd_testing import apply_plugin_migrations, reset_database
from werkzeug.serving import make_server


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


def session_per_request(app: Any) -> Any:
    """A new thread serves each request; CKAN removes the SQLAlchemy session in its
    after_request, but the session cookie is saved after that and checks a connection out
    again. Returned only when the dead thread is collected, those connections ran the pool dry
    under concurrent requests: give them back when the answer is sent."""
    from ckan import model

    def wrapped(environ: dict[str, Any], start_response: Callable) -> Iterator[bytes]:
        try:
            yield from app(environ, start_response)
        finally:
            model.Session.remove()
    return wrapped


@pytest.fixture(scope="session")
def live() -> Iterator[tuple[str, Any]]:
    """The real CKAN WSGI app served over HTTP on 127.0.0.1: (base URL, the app — middleware
    around the Flask app, which is ``._wsgi_app``). Building the app loads every plugin of the
    test ini."""
    from ckan.common import config
    from ckan.config.middleware import make_app

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # The pages' absolute links and CKAN's JavaScript (data-site-root) must point at this
    # server, not at the ini's site_url (a `make run` portal, or nothing): a browser follows them.
    # The DCAT base URI is the site URL in the ini; they stay equal. CKAN's pytest plugin
    # restores the config from its snapshot before every test: the snapshot changes too.
    from ckan.tests.pytest_ckan import ckan_setup
    saved = {key: config.copy().get(key) for key in ("ckan.site_url", "ckanext.dcat.base_uri")}
    from ckan.lib.app_globals import _CONFIG_CACHE
    for conf in (config, ckan_setup._config):
        conf.update({key: url for key in saved})
    _CONFIG_CACHE.clear()  # app_globals would put back the values it first saw
    app = make_app(config)
    server = make_server("127.0.0.1", port, bounded_body(session_per_request(app)), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url, app
    server.shutdown()
    for conf in (config, ckan_setup._config):
        conf.update(saved)
    _CONFIG_CACHE.clear()


@pytest.fixture(scope="session")
def live_server(live: tuple[str, Any]) -> str:
    """The base URL of the live app (``live``)."""
    return live[0]


@pytest.fixture(scope="session")
def live_wsgi_app(live: tuple[str, Any]) -> Any:
    """The WSGI app of the live server (its Flask app is ``._wsgi_app``)."""
    return live[1]
