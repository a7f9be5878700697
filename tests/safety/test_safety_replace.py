"""Replacing the file of a public dataset: the hold is committed before the new file is
written to storage, so an anonymous download never gets the new, unscanned file — not while
the write runs, not after it; a write that fails takes the hold back. Downloads go to the live
app over HTTP (another thread, its own database session: it sees only what is committed)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest
import requests
from safety_support import (
    CLEAN_CSV,
    anonymous_sees,
    as_user,
    clean_dataset,
    csv_bytes,
    show,
    upload,
    wait_scan,
    wait_until,
)

pytestmark = [pytest.mark.usefixtures("worker"),
              pytest.mark.ckan_config("ckanext.guangdong.safety.scan_before_public", "true")]


def people_csv() -> bytes:
    from safety_corpus import Makers
    m = Makers(31)
    return csv_bytes(["姓名", "身份证号码"], [[m.name(), m.id18()] for _ in range(20)])


def public_dataset() -> tuple[dict[str, Any], dict[str, Any]]:
    pkg, res = clean_dataset()
    wait_until(lambda: show(pkg["id"])["private"] is False, "public")
    return pkg, res


def download(base: str, pkg: dict[str, Any], res: dict[str, Any]) -> tuple[int, bytes]:
    answer = requests.get(f"{base}/dataset/{pkg['id']}/resource/{res['id']}/download/pop.csv", timeout=60)
    return answer.status_code, answer.content


def test_anonymous_downloads_never_get_the_replacing_file(live_server: str, monkeypatch: Any) -> None:
    from ckan.lib import uploader
    pkg, res = public_dataset()
    assert download(live_server, pkg, res) == (200, CLEAN_CSV)
    seen: list[tuple[int, bytes]] = []
    original = uploader.ResourceUpload.upload

    def upload_then_look(self: Any, id: str, max_size: int = 10) -> None:
        original(self, id, max_size)
        if id == res["id"] and self.filename:  # the new file is in storage, not committed yet
            seen.append(download(live_server, pkg, res))
    monkeypatch.setattr(uploader.ResourceUpload, "upload", upload_then_look)
    tk.get_action("resource_patch")(as_user(None), {"id": res["id"], "upload": upload("pop.csv", people_csv())})
    assert seen, "the upload was not written"
    status, body = seen[0]
    assert status in (403, 404) and b"\xe8\xba\xab\xe4\xbb\xbd" not in body, (status, body[:200])
    after = download(live_server, pkg, res)
    assert after[0] in (403, 404) and not anonymous_sees(pkg["id"])
    row = wait_scan(pkg["id"], res["id"])
    assert row["state"] == "findings"
    assert download(live_server, pkg, res)[0] in (403, 404)


def test_a_replacement_that_fails_takes_the_hold_back(live_server: str, monkeypatch: Any) -> None:
    from ckan.lib import uploader
    pkg, res = public_dataset()

    original = uploader.ResourceUpload.upload

    def broken(self: Any, id: str, max_size: int = 10) -> None:
        if self.filename:  # the new file; the hold's own write stores none
            raise OSError("No space left on device")
        original(self, id, max_size)
    monkeypatch.setattr(uploader.ResourceUpload, "upload", broken)
    with pytest.raises(OSError):
        tk.get_action("resource_patch")(as_user(None), {"id": res["id"], "upload": upload("pop.csv", people_csv())})
    monkeypatch.undo()
    assert show(pkg["id"])["private"] is False and anonymous_sees(pkg["id"])
    assert download(live_server, pkg, res) == (200, CLEAN_CSV)
    trail = [a["action"] for a in tk.get_action("guangdong_safety_audit_list")(as_user(None), {"package_id": pkg["id"]})]
    assert trail.index("hold_undone") < trail.index("held"), trail  # newest first
