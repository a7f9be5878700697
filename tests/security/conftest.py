"""Fixtures of the security tests: one fixture world per test session (tests/security/world.py),
the real app over HTTP (``live_server``) and its Flask url_map."""
from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def leak_world(live_server: str) -> Iterator[Any]:
    """Built once per session; the plugins of the test ini loaded and their tables in place
    (a session fixture runs before the module's ``gd_plugins``, so it loads them itself)."""
    import ckan.plugins as p
    import world as world_module
    from gd_testing import apply_plugin_migrations
    p.load_all()
    apply_plugin_migrations()
    started = time.monotonic()
    world = world_module.build()
    print(f"\nleak world {world.run} built in {time.monotonic() - started:.1f} s")
    yield world


@pytest.fixture(scope="session")
def url_map(live_wsgi_app: Any) -> Any:
    return live_wsgi_app._wsgi_app.url_map
