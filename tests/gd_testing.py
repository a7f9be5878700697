"""Database, plugin and test-data helpers shared by every test folder (imported by
tests/conftest.py, by fixtures that need a fresh database for a whole module, and by the tests
that make provincial datasets: ``dataset_dict`` is the one factory of them)."""
from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
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


# --- test data: organizations and datasets of the provincial schema -------------------------

def unique_identifier(prefix: str = "29000") -> str:
    return f"{prefix}/{uuid.uuid4().int % 10**10:010d}"


def dataset_dict(org_id: str, full: bool = True, **overrides: Any) -> dict[str, Any]:
    """A valid dataset of the provincial schema, for package_create: the fields every dataset
    has and, unless ``full`` is False, every optional one too (tags, time span, record count,
    data items, the internal sharing fields); ``overrides`` replace or add fields."""
    data: dict[str, Any] = {
        "type": "dataset",
        "title": "广州市公交线路信息",
        "notes": "广州市公交线路、站点及运营时间。",
        "identifier": unique_identifier(),
        "owner_org": org_id,
        "private": False,
        "publisher_name": "广东省交通运输厅",
        "publisher_identifier": "11440000006940081X",
        "theme": ["道路交通", "民生服务"],
        "access_rights": "unconditional",
        "frequency": "monthly",
        "issued": "2018-06-01",
        "modified": "2018-07-01",
        "region_code": "440100",
        "contact_name": "数据管理科",
        "contact_email": "opendata@gd.gov.cn",
        "contact_phone": "020-12345678",
        "license_id": "cc-by",
        "resources": [{"url": "http://127.0.0.1/bus.csv", "name": "公交线路", "format": "csv",
                       "size": 2048, "issued": "2018-06-01", "modified": "2018-07-01"}],
    }
    if full:
        data.update({
            "tag_string": "交通,公交",
            "temporal_start": "2017-01-01",
            "temporal_end": "2017-12-31",
            "record_count": 1200,
            "data_items": [
                {"name": "线路名称", "type": "string", "description": "公交线路的名称"},
                {"name": "站点数", "type": "integer", "description": "线路经过的站点数"},
            ],
            "share_type": "conditional_share",
            "data_level": "level2",
            "deidentified": "true",
        })
    data.update(overrides)
    return data


def make_org(**kwargs: Any) -> dict[str, Any]:
    from ckan.tests import factories
    kwargs.setdefault("name", f"org-{uuid.uuid4().hex[:10]}")
    return factories.Organization(**kwargs)


@contextlib.contextmanager
def job_worker(ini_text: str, folder: Path) -> Iterator[None]:
    """``ckan jobs worker`` in its own process on ``ini_text`` (a test ini, edited by the
    caller), written with its log into ``folder``; the queue is emptied of jobs other test
    folders enqueued first. Stopped on exit."""
    import subprocess
    import sys

    from ckan.lib import jobs
    worker_ini = folder / "worker.ini"
    worker_ini.write_text(ini_text, encoding="utf-8")
    jobs.get_queue().empty()
    with open(worker_ini.with_suffix(".log"), "w") as log:
        proc = subprocess.Popen([str(Path(sys.executable).parent / "ckan"), "-c", str(worker_ini),
                                 "jobs", "worker"], stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            yield
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
