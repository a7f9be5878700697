"""Database and plugin helpers shared by every test folder (imported by tests/conftest.py and
by fixtures that need a fresh database for a whole module)."""
from __future__ import annotations

import os
import uuid
from typing import Any


def plugins_with_migrations() -> list[str]:
    """Enabled plugins that ship alembic migrations (activity, harvest, guangdong_*)."""
    import ckan.plugins as p
    from ckan.cli.db import _resolve_alembic_config
    from ckan.common import config
    return [name for name in config.get("ckan.plugins", [])
            if p.get_plugin(name) is not None and os.path.exists(_resolve_alembic_config(name))]


def apply_plugin_migrations() -> None:
    """alembic "upgrade head" for every enabled plugin (a no-op where already there), then bind
    the session to a pooled engine again: migration runs leave it on a NullPool engine (a new
    password-hashed connection per checkout, ~25 ms each)."""
    import sqlalchemy
    from ckan import model
    from ckan.cli.db import _run_migrations
    from ckan.common import config
    for plugin in plugins_with_migrations():
        _run_migrations(plugin, "head", True)
    model.Session.remove()
    model.init_model(sqlalchemy.engine_from_config(dict(config), "sqlalchemy."))


def reset_database() -> None:
    """CKAN's reset (its first use in a session drops every table and re-runs only the core
    migrations), the plugins' migrations, and an empty search index: an index left from another
    database state would list datasets that no longer exist."""
    from ckan.lib import search
    from ckan.tests import helpers
    helpers.reset_db()
    apply_plugin_migrations()
    search.clear_all()


# The tests share a database across runs (no clean_db), and CKAN's factories draw names and
# email addresses from a seeded Faker, so they repeat between runs: give every user fresh ones.
# No Faker image URL either (another host): pages must not load anything from elsewhere.
def make_user(**kwargs: Any) -> dict[str, Any]:
    from ckan.tests import factories
    kwargs.setdefault("image_url", "")
    name = f"user-{uuid.uuid4().hex[:10]}"
    return factories.User(name=name, email=f"{name}@example.com", **kwargs)


def make_sysadmin(**kwargs: Any) -> dict[str, Any]:
    from ckan.tests import factories
    kwargs.setdefault("image_url", "")
    name = f"admin-{uuid.uuid4().hex[:10]}"
    return factories.Sysadmin(name=name, email=f"{name}@example.com", **kwargs)
