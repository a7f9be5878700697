"""The gate: a dataset with a tabular file is held back (private) until the load job has
scanned the file; personal data keeps it held until the file is replaced or a reviewer clears
it with a written reason; a clean file lets it go public. Real worker, real uploads."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk

from ckanext.guangdong.safety import detectors as d
from safety_support import (anonymous_sees, as_user, create, csv_bytes, make_org, make_sysadmin,
                            make_user, show, upload, wait_scan)

pytestmark = [pytest.mark.usefixtures("worker"),
              pytest.mark.ckan_config("ckanext.guangdong.safety.scan_before_public", "true")]


def ids(n: int) -> list[str]:
    from safety_corpus import Makers
    m = Makers(7)
    return [m.id18() for _ in range(n)]


def people_csv() -> bytes:
    from safety_corpus import Makers
    m = Makers(8)
    return csv_bytes(["姓名", "身份证号码", "办理事项"],
                     [[m.name(), v, "社保卡补办"] for v in ids(20)])


CLEAN_CSV = csv_bytes(["地区", "人口"], [["广州市", "1882"], ["深圳市", "1779"]])


def test_a_file_with_id_numbers_never_goes_public_until_cleared() -> None:
    org = make_org("city")  # no review for cities: only the scan holds it
    pkg = create(org["id"], resources=[{"upload": upload("people.csv", people_csv()),
                                        "url": "people.csv", "name": "名单", "format": "CSV"}])
    # held at once, before the job ran: stored private, nobody outside sees it
    assert pkg["private"] is True
    assert not anonymous_sees(pkg["id"])
    res = pkg["resources"][0]
    row = wait_scan(pkg["id"], res["id"])
    assert row["state"] == "findings"
    kinds = {(f["column"], f["detector"]) for f in row["findings"]}
    assert ("身份证号码", d.RESIDENT_ID) in kinds and ("姓名", d.PERSON_NAME) in kinds
    sample = next(f for f in row["findings"] if f["detector"] == d.RESIDENT_ID)["samples"][0]
    assert "*" in sample and len(sample) == 18 and sample not in ids(20)
    assert show(pkg["id"])["private"] is True and not anonymous_sees(pkg["id"])

    # a reviewer clears it with a reason: then it goes public
    admin = make_sysadmin()
    with pytest.raises(tk.ValidationError):
        tk.get_action("guangdong_safety_clear")(as_user(admin), {"id": pkg["id"], "reason": "  "})
    state = tk.get_action("guangdong_safety_clear")(as_user(admin), {
        "id": pkg["id"], "reason": "经本人书面同意公开（测试）"})
    assert state["private"] is False and anonymous_sees(pkg["id"])
    trail = [a["action"] for a in state["audit"]]
    assert "cleared" in trail and "released" in trail


def test_a_clean_file_is_released_after_its_scan() -> None:
    org = make_org("city")
    pkg = create(org["id"], resources=[{"upload": upload("pop.csv", CLEAN_CSV), "url": "pop.csv",
                                        "name": "人口", "format": "CSV"}])
    assert pkg["private"] is True  # waiting for the scan
    row = wait_scan(pkg["id"], pkg["resources"][0]["id"])
    assert row["state"] == "clean" and row["rows"] == 2
    assert show(pkg["id"])["private"] is False and anonymous_sees(pkg["id"])


def test_replacing_the_file_of_a_public_dataset_holds_it_again() -> None:
    org = make_org("city")
    pkg = create(org["id"], resources=[{"upload": upload("pop.csv", CLEAN_CSV), "url": "pop.csv",
                                        "name": "人口", "format": "CSV"}])
    res = pkg["resources"][0]
    wait_scan(pkg["id"], res["id"])
    assert show(pkg["id"])["private"] is False
    tk.get_action("resource_patch")(as_user(None), {"id": res["id"], "upload": upload("pop.csv", people_csv())})
    assert show(pkg["id"])["private"] is True  # held at the write, before any job
    row = wait_scan(pkg["id"], res["id"])
    assert row["state"] == "findings"
    assert not anonymous_sees(pkg["id"])
    # replaced by a clean file again: released without anybody's clearance
    tk.get_action("resource_patch")(as_user(None), {"id": res["id"], "upload": upload("pop.csv", CLEAN_CSV)})
    row = wait_scan(pkg["id"], res["id"])
    assert row["state"] == "clean"
    assert show(pkg["id"])["private"] is False
