"""Shared fixtures: one CKAN app and one test database per test run.

CKAN's own pytest plugin (``--ckan-ini var/test.ini``, given by scripts/test.sh)
provides ``app``, ``clean_db``, ``with_plugins`` and ``ckan.tests.factories``.
"""
from __future__ import annotations

import os
import socket
import threading
from typing import Callable, Iterator

import pytest
from werkzeug.serving import make_server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _plugins_with_migrations() -> list[str]:
    """Enabled plugins that ship alembic migrations (activity, harvest, guangdong_*)."""
    from ckan.cli.db import _resolve_alembic_config
    import ckan.plugins as p
    from ckan.common import config
    found = []
    for name in config.get("ckan.plugins", []):
        if p.get_plugin(name) is None:
            continue
        if os.path.exists(_resolve_alembic_config(name)):
            found.append(name)
    return found


def reset_database() -> None:
    """CKAN's reset (its first use in a session drops every table and re-runs only the core
    migrations), then the migrations of every enabled plugin, so their tables exist again."""
    import sqlalchemy
    from ckan import model
    from ckan.cli.db import _run_migrations
    from ckan.common import config
    from ckan.tests import helpers
    helpers.reset_db()
    for plugin in _plugins_with_migrations():
        _run_migrations(plugin, "head", True)
    # The migration runs leave the session bound to a NullPool engine (a new password-hashed
    # connection per checkout); bind it to a pooled engine again.
    model.Session.remove()
    model.init_model(sqlalchemy.engine_from_config(dict(config), "sqlalchemy."))


@pytest.fixture(scope="session")
def reset_db() -> Callable[[], None]:
    """Replaces CKAN's fixture of the same name (used by ``clean_db``): plugin tables too."""
    from ckan.tests import factories
    factories.fake.unique.clear()
    return reset_database


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """The real CKAN WSGI app served over HTTP on 127.0.0.1; yields its base URL.
    Building the app loads every plugin of the test ini."""
    from ckan.config.middleware import make_app
    from ckan.common import config

    port = free_port()
    app = make_app(config)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
