"""DataStore rows do not outlive their file: when a resource's file or declared format changes,
its old DataStore table is dropped with the write (datastore_active false) and the new file is
scanned again (the old findings no longer speak for it). Real worker, real DataStore."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from safety_support import (
    as_user,
    clean_dataset,
    scan_of,
    show,
    site_context,
    upload,
    wait_scan,
    wait_until,
)

pytestmark = [pytest.mark.usefixtures("worker"),
              pytest.mark.ckan_config("ckanext.guangdong.safety.scan_before_public", "true")]


def loaded_dataset() -> tuple[dict[str, Any], dict[str, Any]]:
    pkg, res = clean_dataset()
    wait_until(lambda: show(pkg["id"])["resources"][0].get("datastore_active"), "loaded")
    assert rows_of(res["id"]) == 2
    return pkg, res


def rows_of(resource_id: str) -> int | None:
    from ckan import model
    model.Session.remove()
    try:
        return tk.get_action("datastore_search")(site_context(), {"resource_id": resource_id, "limit": 0})["total"]
    except tk.ObjectNotFound:
        return None


def test_a_new_file_of_another_format_drops_the_old_rows() -> None:
    pkg, res = loaded_dataset()
    tk.get_action("resource_patch")(as_user(None), {"id": res["id"], "format": "TXT",
                                                    "upload": upload("notes.txt", "说明文字。\n".encode())})
    assert rows_of(res["id"]) is None  # gone with the write, before any job
    assert show(pkg["id"])["resources"][0].get("datastore_active") is False
    row = wait_scan(pkg["id"], res["id"], loaded=False)
    assert row["state"] == "clean" and row["file_key"] == "notes.txt"
    assert rows_of(res["id"]) is None


def test_a_format_change_alone_drops_the_rows_and_scans_again() -> None:
    pkg, res = loaded_dataset()
    before = scan_of(pkg["id"], res["id"])
    assert before is not None and before["state"] == "clean"
    tk.get_action("resource_patch")(as_user(None), {"id": res["id"], "format": "JSON"})
    assert rows_of(res["id"]) is None
    assert show(pkg["id"])["private"] is True  # scanned again before it is public again
    row = wait_scan(pkg["id"], res["id"], loaded=False)
    assert row["state"] == "clean" and row["scanned_at"] != before["scanned_at"]
