"""Parallel rebuild of the search index.

N forked processes take batches of dataset ids from the parent. For each batch the
package_show dicts are built with a few set-based queries (``bulk_dictize``; with
``bulk=False`` by package_show itself) and handed to CKAN's own indexing
(``PackageSearchIndex.update_dict``: validation, permission labels, the plugins'
``before_dataset_index``), so the documents are CKAN's. One transaction per batch;
the index rows are written as multi-row upserts when it commits.

Failures: a dataset whose dict or document cannot be built is reported and the
batch goes on. A database error spoils the batch's transaction: the batch is then
redone one dataset per transaction, so only the broken dataset is left out.
"""
from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ckan.types import Context

log = logging.getLogger(__name__)

BATCH = 250  # = the writer's upsert batch: one multi-row INSERT per batch
# What search.rebuild passes to package_show.
SHOW_CONTEXT: Context = {"ignore_auth": True, "validate": False, "use_cache": False}


@dataclass
class Result:
    total: int = 0
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    fallbacks: int = 0  # datasets the bulk path left to package_show

    @property
    def rate(self) -> float:
        return self.total / self.seconds if self.seconds else 0.0


Progress = Callable[[int, int, int, float], None]  # done, total, failed, seconds


def dataset_ids() -> list[str]:
    """The datasets CKAN's `search-index rebuild` indexes."""
    import ckan.model as model
    from ckan.common import config
    query = model.Session.query(model.Package.id)
    if config.get("ckan.search.remove_deleted_packages"):
        query = query.filter(model.Package.state != "deleted")
    return [row[0] for row in query.order_by(model.Package.id).all()]


def _show(pkg_id: str) -> dict[str, Any]:
    import ckan.logic as logic
    return logic.get_action("package_show")(SHOW_CONTEXT.copy(), {"id": pkg_id})


def index_batch(ids: Sequence[str], bulk: bool = True) -> tuple[list[str], int]:
    """Index ``ids`` in one transaction; returns (failed ids, package_show fallbacks)."""
    import ckan.model as model
    import sqlalchemy.exc
    from ckan.lib.search import index_for

    from ckanext.guangdong.search import bulk_dictize
    index = index_for(model.Package)
    failed: list[str] = []
    try:
        if bulk and bulk_dictize.bulk_supported():
            # _kept_alive holds the Package objects while indexing (see show_batch)
            shown, fallback, _kept_alive = bulk_dictize.show_batch(ids, SHOW_CONTEXT)
        else:
            shown, fallback, _kept_alive = {}, list(ids), None
        for pkg_id in ids:
            try:
                pkg_dict = shown.get(pkg_id)
                index.update_dict(pkg_dict if pkg_dict is not None else _show(pkg_id),
                                  defer_commit=True)
            except sqlalchemy.exc.SQLAlchemyError:
                raise  # the transaction is unusable: redo the batch one by one
            except Exception:  # one bad dataset must not stop a full rebuild
                log.exception("could not index dataset %s", pkg_id)
                failed.append(pkg_id)
        model.Session.commit()
        return failed, len(fallback)
    except sqlalchemy.exc.SQLAlchemyError:
        log.warning("batch of %d failed in the database; indexing it one by one", len(ids))
        model.Session.rollback()
        return _one_by_one(ids), len(ids)
    finally:
        model.Session.expunge_all()  # a worker's identity map would otherwise keep growing


def _one_by_one(ids: Sequence[str]) -> list[str]:
    import ckan.model as model
    from ckan.lib.search import index_for
    index = index_for(model.Package)
    failed = []
    for pkg_id in ids:
        try:
            index.update_dict(_show(pkg_id), defer_commit=True)
            model.Session.commit()
        except Exception:
            log.exception("could not index dataset %s", pkg_id)
            model.Session.rollback()
            failed.append(pkg_id)
    return failed


def _batches(ids: Sequence[str], size: int) -> list[list[str]]:
    return [list(ids[i:i + size]) for i in range(0, len(ids), size)]


_BULK = True  # set in the parent before forking; the children inherit it


def _worker_init() -> None:
    import ckan.model as model
    # A forked child must not share the parent's database connections.
    model.Session.remove()
    assert model.meta.engine is not None  # CKAN's environment is loaded before reindexing
    # sqlalchemy2-stubs predate Engine.dispose(close=...) (SQLAlchemy 1.4.33)
    model.meta.engine.dispose(close=False)  # pyright: ignore[reportCallIssue]


def _worker_task(ids: list[str]) -> tuple[int, list[str], int]:
    failed, fallbacks = index_batch(ids, bulk=_BULK)
    return len(ids), failed, fallbacks


def _run(batches: list[list[str]], workers: int) -> Iterator[tuple[int, list[str], int]]:
    if workers <= 1 or len(batches) < 2:
        for batch in batches:
            yield _worker_task(batch)
        return
    import ckan.model as model
    import ckan.plugins as p
    model.Session.remove()
    assert model.meta.engine is not None  # CKAN's environment is loaded before reindexing
    model.meta.engine.dispose()
    # CKAN's own hook before a fork (its job worker calls it): the DataStore disposes its
    # engines, whose pooled connections the children would otherwise share with this process
    for observer in p.PluginImplementations(p.IForkObserver):
        observer.before_fork()
    with multiprocessing.get_context("fork").Pool(workers, initializer=_worker_init) as pool:
        yield from pool.imap_unordered(_worker_task, batches)


def _clear() -> None:
    """Empty the index. When it holds only this site's rows, TRUNCATE: CKAN's clear is a
    DELETE that leaves 100k dead rows and their index entries for the load to wade
    through (and autovacuum to compete with it)."""
    import ckan.model as model
    import sqlalchemy as sa
    from ckan.common import config
    from ckan.lib.search import clear_all

    from ckanext.guangdong.search import seam
    from ckanext.guangdong.search.backend import ddl, generation
    session = model.Session
    if seam.current() == "postgres" and ddl.exists(session):
        other_site = session.execute(sa.text(
            f"SELECT 1 FROM {ddl.TABLE} WHERE site_id IS DISTINCT FROM :site LIMIT 1"),
            {"site": config.get("ckan.site_id")}).first()
        if other_site is None:
            session.execute(sa.text(f"TRUNCATE {ddl.TABLE}"))
            generation.mark_written(session)  # cached counts of the old contents are void
            session.commit()
            return
        session.commit()
    clear_all()


def rebuild(workers: int = 2, clear: bool = False, bulk: bool = True,
            ids: Sequence[str] | None = None, batch: int = BATCH,
            progress: Progress | None = None) -> Result:
    """Index ``ids`` (default: every dataset) in ``workers`` processes."""
    global _BULK
    import ckan.model as model
    import sqlalchemy as sa

    from ckanext.guangdong.search.backend import ddl
    started = time.perf_counter()
    if clear:
        _clear()
    ids = list(ids) if ids is not None else dataset_ids()
    model.Session.commit()
    result = Result(total=len(ids))
    _BULK = bulk
    done = 0
    for count, failed, fallbacks in _run(_batches(ids, batch), workers):
        done += count
        result.failed.extend(failed)
        result.fallbacks += fallbacks
        if progress:
            progress(done, len(ids), len(result.failed), time.perf_counter() - started)
    from ckanext.guangdong.search import seam
    if seam.current() == "postgres":
        # Fresh statistics: the planner's choice between the word index and the
        # keyword index depends on them.
        model.Session.execute(sa.text(f"ANALYZE {ddl.TABLE}"))
        model.Session.commit()
    else:  # Solr: the documents were sent without commits; one commit makes them visible
        from ckan.lib.search import common
        common.make_connection().commit(waitSearcher=True)
    result.seconds = time.perf_counter() - started
    return result

