"""View counts of a page of search results in two statements, not one per dataset and file.

CKAN's tracking plugin adds each result's view counts (``tracking_summary``) after every
search with one ORM query per dataset and one per resource: about 50 statements for the
20 results of the landing page, 15-20 ms of a web worker's CPU and as many round trips to
PostgreSQL (docs/benchmarks.md, "Pages"). ``install()`` gives the plugin a method that
reads the same rows (the latest ``tracking_summary`` row per package id and per URL, as
``TrackingSummary.get_for_package``/``get_for_resource`` do) with one statement for the
datasets and one for their files, and sets the same dicts on the same places.
"""
from __future__ import annotations

from typing import Any

__all__ = ["install"]

_NONE = {"total": 0, "recent": 0}
unbatched: Any = None  # the plugin's own method, kept for the tests' comparison


def _latest(column: str, keys: list[str]) -> dict[str, dict[str, int]]:
    """{key: {'total', 'recent'}} of the newest tracking_summary row per package_id or url."""
    import sqlalchemy as sa
    from ckan.model import Session
    if not keys:
        return {}
    assert column in ("package_id", "url")
    rows = Session.execute(sa.text(
        f"SELECT DISTINCT ON ({column}) {column}, running_total, recent_views "
        f"FROM tracking_summary WHERE {column} = ANY(:keys) "
        f"ORDER BY {column}, tracking_date DESC"), {"keys": keys})
    return {key: {"total": total, "recent": recent} for key, total, recent in rows}


def after_dataset_search(self: Any, search_results: dict[str, Any],
                         search_params: dict[str, Any]) -> dict[str, Any]:
    """ckanext-tracking's TrackingPlugin.after_dataset_search, batched: same counts."""
    results = [pkg for pkg in search_results["results"] if "id" in pkg]
    urls = {res["url"] for pkg in results for res in pkg.get("resources", [])
            if "url" in res and isinstance(res["url"], str)}
    by_package = _latest("package_id", [pkg["id"] for pkg in results])
    by_url = _latest("url", sorted(urls))
    for pkg in results:
        pkg["tracking_summary"] = dict(by_package.get(pkg["id"], _NONE))
        for res in pkg.get("resources", []):
            if "url" in res:
                res["tracking_summary"] = dict(by_url.get(res["url"], _NONE))
    return search_results


def install() -> None:
    """Give ckanext-tracking's plugin the batched method (once per process; nothing without
    ckanext-tracking)."""
    try:
        from ckanext.tracking.plugin import TrackingPlugin
    except ImportError:
        return
    global unbatched
    if TrackingPlugin.after_dataset_search is not after_dataset_search:
        unbatched = TrackingPlugin.after_dataset_search
        TrackingPlugin.after_dataset_search = after_dataset_search  # type: ignore[method-assign]
