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


@pytest.fixture(scope="session")
def live_wsgi_app() -> Any:
    """The real CKAN WSGI app (middleware around the Flask app, which is ``._wsgi_app``).
    Building it loads every plugin of the test ini."""
    from ckan.config.middleware import make_app
    from ckan.common import config
    return make_app(config)


@pytest.fixture(scope="session")
def live_server(live_wsgi_app: Any) -> Iterator[str]:
    """The real CKAN WSGI app served over HTTP on 127.0.0.1; yields its base URL."""
    from ckan import model

    def app(environ: dict, start_response: Callable) -> Iterator[bytes]:
        # A new thread serves each request; CKAN removes the SQLAlchemy session in its
        # after_request, but the session cookie is saved after that and checks a connection
        # out again. Returned only when the dead thread is collected, those connections ran
        # the pool dry under concurrent requests: give them back when the answer is sent.
        try:
            yield from live_wsgi_app(environ, start_response)
        finally:
            model.Session.remove()

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
