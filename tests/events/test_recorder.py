"""The publication record: which changes publish or withdraw a dataset or application."""
from __future__ import annotations

import datetime as dt

import ckan.model as model
import pytest
from ckan.tests import helpers
from sqlalchemy import text

D = dt.date

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "guangdong_events guangdong_targets"),
    pytest.mark.ckan_config("ckan.search.automatic_indexing", "false"),
    pytest.mark.usefixtures("with_plugins"),
]


def test_lifecycle_of_a_dataset(catalog):
    org = catalog.org("dept-a", "440000", "department")
    with catalog.at("2018-03-01"):
        pid = catalog.dataset(org)
    with catalog.at("2018-03-05"):
        catalog.patch(pid, title="改名不影响开放状态")
    with catalog.at("2018-04-01"):
        catalog.patch(pid, private=True)
    with catalog.at("2018-05-01"):
        catalog.patch(pid, private=False)
    with catalog.at("2018-06-01"):
        catalog.set_extra(pid, "access_rights", "not_open")
    with catalog.at("2018-07-01"):
        catalog.set_extra(pid, "access_rights", "conditional")
    with catalog.at("2018-08-01"):
        catalog.patch(pid, resources=[])
    with catalog.at("2018-09-01"):
        catalog.patch(pid, resources=[{"url": "http://example.org/x.json", "format": "JSON"}])
    with catalog.at("2018-10-01"):
        catalog.delete(pid)
    assert catalog.events_of(pid) == [
        ("published", "created", D(2018, 3, 1)),
        ("withdrawn", "made_private", D(2018, 4, 1)),
        ("published", "updated", D(2018, 5, 1)),
        ("withdrawn", "not_open", D(2018, 6, 1)),
        ("published", "updated", D(2018, 7, 1)),
        ("withdrawn", "no_resources", D(2018, 8, 1)),
        ("published", "updated", D(2018, 9, 1)),
        ("withdrawn", "deleted", D(2018, 10, 1)),
    ]


def test_never_open_packages_have_no_events(catalog):
    org = catalog.org("dept-b", "440000", "department")
    ids = [catalog.dataset(org, private=True), catalog.dataset(org, access="not_open"),
           catalog.dataset(org, resources=0), catalog.dataset(org, state="draft")]
    for pid in ids:
        assert catalog.events_of(pid) == []


def test_application_published_while_public(catalog):
    org = catalog.org("dept-c", "440000", "department")
    ds = catalog.dataset(org)
    with catalog.at("2019-01-10"):
        app = catalog.application(org, [ds], private=True)
    with catalog.at("2019-02-10"):
        catalog.patch(app, private=False)
    assert catalog.events_of(app) == [("published", "updated", D(2019, 2, 10))]


def test_bulk_update_private_is_recorded(catalog):
    """Organization bulk actions bypass the package hooks; the chained actions record them."""
    org = catalog.org("dept-d", "440000", "department")
    ids = [catalog.dataset(org), catalog.dataset(org)]
    helpers.call_action("bulk_update_private", datasets=ids, org_id=org)
    for pid in ids:
        assert [e[:2] for e in catalog.events_of(pid)] == [("published", "created"), ("withdrawn", "made_private")]


def _uninstall_events() -> None:
    """Undo the events feature's migrations (its tables go): as if it were installed only now."""
    from ckan.cli.db import _run_migrations
    model.Session.commit()
    _run_migrations("guangdong_events", "base", False)


def test_backfill_dates_open_packages_on_install(catalog, ckan_config, monkeypatch):
    from gd_testing import apply_plugin_migrations
    org = catalog.org("dept-e", "440000", "department")
    with catalog.at("2017-05-02"):
        open_id = catalog.dataset(org)
        catalog.dataset(org, private=True)
    catalog.set_extra(open_id, "issued", "2016-01-15")
    _uninstall_events()
    monkeypatch.setitem(ckan_config, "ckanext.guangdong.events.backfill_date", "issued")
    apply_plugin_migrations()  # the install: `ckan db upgrade` backfills
    assert catalog.events_of(open_id) == [("published", "backfill", D(2016, 1, 15))]
    total = model.Session.execute(text("SELECT count(*) FROM guangdong_publication_event")).scalar()
    assert total == 1  # the private one was never open


def test_reconcile_catches_changes_that_bypass_hooks(catalog):
    """Direct SQL (or a purge) is not seen by the hooks; the daily snapshot reconciles it."""
    org = catalog.org("dept-f", "440000", "department")
    kept, gone = catalog.dataset(org), catalog.dataset(org)
    model.Session.execute(text("UPDATE package SET private = true WHERE id = :id"), {"id": kept})
    for table in ("resource", "package_extra", "member", "package"):  # a purge without hooks
        column = "table_id" if table == "member" else ("id" if table == "package" else "package_id")
        model.Session.execute(text(f"DELETE FROM {table} WHERE {column} = :id"), {"id": gone})
    model.Session.commit()
    assert [e[0] for e in catalog.events_of(kept)] == ["published"]
    helpers.call_action("guangdong_targets_snapshot", context={"ignore_auth": True, "user": catalog.sysadmin_name()})
    assert [e[:2] for e in catalog.events_of(kept)] == [("published", "created"), ("withdrawn", "made_private")]
    assert [e[:2] for e in catalog.events_of(gone)] == [("published", "created"), ("withdrawn", "deleted")]


def test_tables_are_made_by_the_migration_only(catalog):
    """Without the events migrations, request-time code says which command to run and makes
    no table itself (alembic is the only path: a table made at request time would be one the
    migrations do not know about)."""
    from gd_testing import apply_plugin_migrations

    from ckanext.guangdong import migrated
    from ckanext.guangdong.events import service
    from ckanext.guangdong.targets import db
    _uninstall_events()
    migrated.forget()
    try:
        for connect in (service.connection, db.connection):
            with pytest.raises(migrated.NotMigrated, match=r"ckan -c .* db upgrade -p guangdong_events"):
                connect()
            model.Session.rollback()
            missing = model.Session.execute(text("SELECT to_regclass('guangdong_publication_event')")).scalar()
            assert missing is None
    finally:
        model.Session.rollback()
        apply_plugin_migrations()
    assert service.connection() is not None
    model.Session.rollback()


def test_the_targets_migration_leaves_the_events_tables_alone(catalog):
    """The events migrations own the events tables (and the counters' indexes on them): the
    targets migrations run on a database without them and make none of them."""
    from ckan.cli.db import _run_migrations
    from gd_testing import apply_plugin_migrations
    _uninstall_events()
    try:
        _run_migrations("guangdong_targets", "base", False)
        _run_migrations("guangdong_targets", "head", True)
        found = model.Session.execute(text(
            "SELECT to_regclass('guangdong_publication_event'), to_regclass('guangdong_open_period'), "
            "to_regclass('guangdong_open_cube')")).one()
        assert found[0] is None and found[1] is None and found[2] is not None
    finally:
        model.Session.rollback()
        apply_plugin_migrations()
    indexes = {row[0] for row in model.Session.execute(text(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'guangdong_open_period'"))}
    assert {"guangdong_open_period_closed_idx", "guangdong_open_period_org_idx"} <= indexes
    model.Session.rollback()
