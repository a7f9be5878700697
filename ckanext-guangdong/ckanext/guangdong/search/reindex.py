"""Parallel rebuild of the search index: N processes, each indexing a share of the
datasets through CKAN's own path (package_show → PackageSearchIndex), committing
in batches instead of once per dataset."""
from __future__ import annotations

import logging
import multiprocessing
import time
from typing import Any

log = logging.getLogger(__name__)


def dataset_ids() -> list[str]:
    import ckan.model as model
    from ckan.common import config
    query = model.Session.query(model.Package.id)
    if config.get("ckan.search.remove_deleted_packages"):
        query = query.filter(model.Package.state != "deleted")
    return [row[0] for row in query.order_by(model.Package.id).all()]


def index_ids(ids: list[str], batch: int = 200) -> int:
    """Index these datasets in the current process; returns how many failed."""
    import ckan.logic as logic
    import ckan.model as model
    from ckan.lib.search import index_for
    index = index_for(model.Package)
    context: dict[str, Any] = {"ignore_auth": True, "validate": False, "use_cache": False}
    failed = 0
    for n, pkg_id in enumerate(ids, 1):
        try:
            pkg = logic.get_action("package_show")(dict(context), {"id": pkg_id})
            index.update_dict(pkg, defer_commit=True)
        except Exception:  # one bad dataset must not stop a full rebuild
            log.exception("could not index %s", pkg_id)
            model.Session.rollback()
            failed += 1
        if n % batch == 0:
            model.Session.commit()
    model.Session.commit()
    return failed


def _worker(ids: list[str]) -> int:
    import ckan.model as model
    # A forked child must not share the parent's database connections.
    model.Session.remove()
    model.meta.engine.dispose(close=False)
    return index_ids(ids)


def reindex(workers: int = 2, clear: bool = False) -> tuple[int, int, float]:
    """Returns (datasets, failures, seconds)."""
    import ckan.model as model
    from ckan.lib.search import clear_all
    started = time.perf_counter()
    if clear:
        clear_all()
    ids = dataset_ids()
    model.Session.commit()
    model.Session.remove()
    if workers <= 1 or len(ids) < 2 * workers:
        failed = index_ids(ids)
    else:
        chunks = [ids[i::workers] for i in range(workers)]
        model.meta.engine.dispose()
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            failed = sum(pool.map(_worker, chunks))
    # Fresh statistics: the planner's choice between the word index and the
    # keyword index depends on them.
    import sqlalchemy as sa
    from ckanext.guangdong.search.backend import ddl
    model.Session.execute(sa.text(f"ANALYZE {ddl.TABLE}"))
    model.Session.commit()
    return len(ids), failed, time.perf_counter() - started
