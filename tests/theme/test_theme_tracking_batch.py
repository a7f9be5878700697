"""View counts of search results (theme/tracking_batch.py): ckanext-tracking's counts, read
with two statements per search instead of one per dataset and file."""
from __future__ import annotations

import copy
import datetime
import uuid
from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("gd")


def test_search_results_carry_trackings_counts_in_two_statements(gd_app: Any) -> None:
    import ckan.plugins.toolkit as tk
    import sqlalchemy as sa
    from ckan import model
    from ckanext.tracking.model import TrackingSummary
    from gd_testing import dataset_dict, make_org, make_sysadmin

    word = f"trackbatch{uuid.uuid4().hex[:8]}"
    org = make_org()
    user = make_sysadmin()["name"]
    shared = f"http://127.0.0.1/{word}/shared.csv"
    resources = [
        [{"url": f"http://127.0.0.1/{word}/a.csv", "name": "a", "format": "csv"},
         {"url": shared, "name": "s", "format": "csv"}],
        [{"url": shared, "name": "s", "format": "csv"}],
        [{"url": f"http://127.0.0.1/{word}/never.csv", "name": "n", "format": "csv"}],
    ]
    pkgs = [tk.get_action("package_create")({"user": user}, dataset_dict(
        org["id"], title=f"{word} 数据集 {i}", name=f"{word}-{i}", resources=res))
        for i, res in enumerate(resources)]
    day = datetime.date(2026, 11, 1)
    rows = []  # several days per dataset and file: the newest counts
    for n, (url, pkg_id) in enumerate([(f"/dataset/{pkgs[0]['name']}", pkgs[0]["id"]),
                                       (f"/dataset/{pkgs[1]['name']}", pkgs[1]["id"]),
                                       (f"http://127.0.0.1/{word}/a.csv", None), (shared, None)]):
        for back in range(3):
            rows.append({"url": url, "package_id": pkg_id, "type": "page" if pkg_id else "resource",
                         "total": 100 * (n + 1) - back, "recent": 10 * (n + 1) - back,
                         "date": day - datetime.timedelta(days=back)})
    model.Session.execute(sa.text(
        "INSERT INTO tracking_summary (url, package_id, tracking_type, count, running_total, "
        "recent_views, tracking_date) VALUES (:url, :package_id, :type, 1, :total, :recent, :date)"),
        rows)
    model.Session.commit()

    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "tracking_summary" in statement:
            statements.append(statement)

    engine = model.meta.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        found = tk.get_action("package_search")({}, {"q": word, "rows": 10})
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert found["count"] == 3
    assert len(statements) == 2  # one per dataset and one per file before: 3 + 4

    # the same counts as ckanext-tracking's own look-ups
    for pkg in found["results"]:
        assert pkg["tracking_summary"] == TrackingSummary.get_for_package(pkg["id"])
        for res in pkg["resources"]:
            assert res["tracking_summary"] == TrackingSummary.get_for_resource(res["url"])
    by_name = {pkg["name"]: pkg for pkg in found["results"]}
    assert by_name[pkgs[0]["name"]]["tracking_summary"] == {"total": 100, "recent": 10}
    assert by_name[pkgs[2]["name"]]["tracking_summary"] == {"total": 0, "recent": 0}
    assert [r["tracking_summary"]["total"] for r in by_name[pkgs[0]["name"]]["resources"]] == [300, 400]

    # and the same dicts as the plugin's own method sets, on a copy of the results
    from ckanext.tracking.plugin import TrackingPlugin

    from ckanext.guangdong.theme import tracking_batch
    assert TrackingPlugin.after_dataset_search is tracking_batch.after_dataset_search
    theirs = copy.deepcopy(found)
    for pkg in theirs["results"]:
        pkg.pop("tracking_summary")
        for res in pkg["resources"]:
            res.pop("tracking_summary")
    tracking_batch.unbatched(None, theirs, {})
    assert theirs == found
