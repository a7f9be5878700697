"""Links are read again: a link's server that serves a clean file at the scan and personal data
the day after (the attack trial's link server) gets its dataset held at the next rescan
(rescan.py). Real worker, real HTTP server on 127.0.0.1 whose answer the test changes."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from safety_support import (
    anonymous_sees,
    as_user,
    create,
    csv_bytes,
    file_server,
    make_org,
    make_sysadmin,
    make_user,
    scan_of,
    valid_id,
    wait_scan,
    wait_until,
)
from sqlalchemy import text

from ckanext.guangdong.safety import rescan, tables

pytestmark = [pytest.mark.usefixtures("worker"),
              pytest.mark.ckan_config("ckanext.guangdong.safety.scan_before_public", "true")]

CLEAN_TXT = "办理情况说明：本月共受理申请 120 件，办结 118 件。\n".encode()
DIRTY_TXT = f"经办人 张伟，证件 {valid_id()}，电话 13800138000。\n".encode()
CLEAN_CSV = csv_bytes(["地区", "人口"], [["广州市", "1882"], ["深圳市", "1779"]])
DIRTY_CSV = csv_bytes(["姓名", "身份证号码"], [["张伟", valid_id()], ["李娜", valid_id("44010619900101002")]])
FILES: dict[str, bytes] = {}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with file_server(FILES) as url:
        yield url


def _public_link(server: str, path: str, body: bytes, fmt: str) -> tuple[str, str]:
    FILES[path] = body
    pkg = create(make_org("city")["id"], resources=[{"url": server + path, "name": "说明", "format": fmt}])
    rid = pkg["resources"][0]["id"]
    assert wait_scan(pkg["id"], rid, loaded=fmt == "CSV")["state"] == "clean"
    wait_until(lambda: anonymous_sees(pkg["id"]), "the clean dataset made public")
    return pkg["id"], rid


def _scanned_long_ago(package_id: str, resource_id: str) -> None:
    """As if its last scan were older than any other in the test database (``limit`` 1 picks
    it; the database outlives a run) and than 2002."""
    from ckan import model
    tables.conn().execute(text(
        f"UPDATE {tables.SCAN} SET scanned_at = LEAST(TIMESTAMP '2001-01-01', "
        f"(SELECT min(scanned_at) FROM {tables.SCAN}) - INTERVAL '1 day') "
        "WHERE package_id = :p AND subject = :s"), {"p": package_id, "s": resource_id})
    model.Session.commit()


def _rescan_oldest() -> dict[str, Any]:
    return tk.get_action("guangdong_safety_rescan_links")(as_user(make_sysadmin()), {"limit": 1})


@pytest.mark.parametrize(("fmt", "clean", "dirty"), [("TXT", CLEAN_TXT, DIRTY_TXT), ("CSV", CLEAN_CSV, DIRTY_CSV)],
                         ids=["text-link", "table-link"])
def test_a_link_that_serves_personal_data_later_is_held_at_its_rescan(
        server: str, fmt: str, clean: bytes, dirty: bytes) -> None:
    path = f"/later.{fmt.lower()}"
    pid, rid = _public_link(server, path, clean, fmt)
    assert rid not in rescan.due_links(24, 100000), "a scan of today is not due"
    FILES[path] = dirty
    _scanned_long_ago(pid, rid)
    assert rid in rescan.due_links(24, 100000)
    assert _rescan_oldest() == {"queued": 1}
    wait_until(lambda: (scan_of(pid, rid) or {}).get("state") == "findings", "the changed link's findings")
    wait_until(lambda: not anonymous_sees(pid), "the dataset held")


def test_an_unchanged_link_keeps_its_scan_and_stays_public(server: str) -> None:
    pid, rid = _public_link(server, "/same.txt", CLEAN_TXT, "TXT")
    before = scan_of(pid, rid)
    assert before is not None
    _scanned_long_ago(pid, rid)
    assert _rescan_oldest() == {"queued": 1}
    wait_until(lambda: str((scan_of(pid, rid) or {}).get("scanned_at")) > "2002", "the rescan")
    after = scan_of(pid, rid)
    assert after is not None and after["state"] == "clean" and after["content_hash"] == before["content_hash"]
    assert anonymous_sees(pid)


def test_a_link_that_cannot_be_fetched_now_keeps_its_last_scan(server: str) -> None:
    pid, rid = _public_link(server, "/gone.txt", CLEAN_TXT, "TXT")
    del FILES["/gone.txt"]  # the city server answers 404 today
    _scanned_long_ago(pid, rid)
    rescan.rescan_link(rid)  # the job, in this process
    row = scan_of(pid, rid)
    assert row is not None and row["state"] == "clean"
    assert str(row["scanned_at"]) > "2002", "tried now: the next rescan takes other links first"
    assert anonymous_sees(pid)


def test_only_sysadmins_queue_rescans() -> None:
    with pytest.raises(tk.NotAuthorized):
        tk.get_action("guangdong_safety_rescan_links")(as_user(make_user()), {})


@pytest.mark.ckan_config("ckanext.guangdong.safety.link_rescan_hours", "0")
def test_rescans_can_be_turned_off() -> None:
    assert tk.get_action("guangdong_safety_rescan_links")(as_user(make_sysadmin()), {}) == {"queued": 0}
