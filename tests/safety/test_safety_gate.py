"""The gate: a dataset with a tabular file is held back (private) until the load job has
scanned the file; personal data keeps it held until the file is replaced or a reviewer clears
it with a written reason; a clean file lets it go public. Real worker, real uploads."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from safety_support import (
    anonymous_sees,
    as_user,
    clean_dataset,
    create,
    csv_bytes,
    make_org,
    make_sysadmin,
    make_user,
    scan_of,
    show,
    upload,
    wait_scan,
)

from ckanext.guangdong.safety import detectors as d

pytestmark = [pytest.mark.usefixtures("worker"),
              pytest.mark.ckan_config("ckanext.guangdong.safety.scan_before_public", "true")]


def people_csv() -> bytes:
    from safety_corpus import Makers
    m = Makers(8)
    # mobile numbers: raw ID numbers are on the negative list (its detectors) and cannot be
    # cleared (test_safety_negative_columns.py); a reviewer clears these findings
    return csv_bytes(["姓名", "联系电话", "办理事项"],
                     [[m.name(), v, "社保卡补办"] for v in mobiles(20)])


def mobiles(n: int) -> list[str]:
    from safety_corpus import Makers
    m = Makers(9)
    return [m.mobile() for _ in range(n)]


CLEAN_CSV = csv_bytes(["地区", "人口"], [["广州市", "1882"], ["深圳市", "1779"]])


def test_a_file_with_personal_data_never_goes_public_until_cleared() -> None:
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
    assert ("联系电话", d.MOBILE) in kinds and ("姓名", d.PERSON_NAME) in kinds
    sample = next(f for f in row["findings"] if f["detector"] == d.MOBILE)["samples"][0]
    assert "*" in sample and len(sample) == 11 and sample not in mobiles(20)
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
    pkg, res = clean_dataset()
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


def _anonymous_get(base: str, path: str) -> tuple[int, str, str]:
    import requests
    answer = requests.get(base + path, timeout=60)
    return answer.status_code, answer.headers.get("X-Guangdong-Cache", ""), answer.text


def test_the_caches_follow_the_hold_and_the_release(live_server: str) -> None:
    """The anonymous page cache and the count/facet cache (theme/page_cache.py,
    search/backend/cache.py) never hand out what a hold took away, nor keep hiding what a
    release (made by the worker, another process) gave back."""
    import json
    import uuid
    word = f"缓存扣留{uuid.uuid4().hex[:6]}"
    org = make_org("city")
    pkg = create(org["id"], title=f"{word} 人口", resources=[{
        "upload": upload("pop.csv", CLEAN_CSV), "url": "pop.csv", "name": "人口", "format": "CSV"}])
    res = pkg["resources"][0]
    wait_scan(pkg["id"], res["id"])
    page = f"/dataset/{pkg['name']}"
    query = f"name:{pkg['name']}"   # (the title's words also match other runs' datasets)
    search = ("/api/3/action/package_search?q=" + query
              + "&facet.field=" + json.dumps(["res_format", "organization"]))
    listing = f"/dataset/?q={query}"

    def counts() -> tuple[int, dict]:
        status, _, text = _anonymous_get(live_server, search)
        result = json.loads(text)["result"]
        return result["count"], {i["name"]: i["count"] for i in result["search_facets"]["res_format"]["items"]}

    def cached(path: str) -> None:
        """Until the answer comes from the cache (the worker may still be writing: the
        DataStore load, a second job of the same file; each write voids the cache)."""
        import time
        deadline = time.monotonic() + 90
        while _anonymous_get(live_server, path)[1] != "hit":
            assert time.monotonic() < deadline, f"{path} never served from the cache"
            time.sleep(0.5)

    for path in (page, listing, search):   # rendered, then served from the cache
        cached(path)
    assert counts() == (1, {"CSV": 1})
    assert f'/dataset/{pkg["name"]}"' in _anonymous_get(live_server, listing)[2]

    # a file with ID numbers: held at the write; the cached page, listing and counts are gone
    tk.get_action("resource_patch")(as_user(None), {"id": res["id"], "upload": upload("pop.csv", people_csv())})
    assert _anonymous_get(live_server, page)[0] == 404
    assert counts() == (0, {})
    assert f'/dataset/{pkg["name"]}"' not in _anonymous_get(live_server, listing)[2]
    assert wait_scan(pkg["id"], res["id"])["state"] == "findings"
    cached(listing)
    cached(search)   # and stay gone once the anonymous answers are cached again
    assert _anonymous_get(live_server, page)[0] == 404 and counts() == (0, {})
    assert f'/dataset/{pkg["name"]}"' not in _anonymous_get(live_server, listing)[2]

    # a clean file: the worker releases it; the cached "nothing found" answers are not served
    tk.get_action("resource_patch")(as_user(None), {"id": res["id"], "upload": upload("pop.csv", CLEAN_CSV)})
    assert wait_scan(pkg["id"], res["id"])["state"] == "clean"
    assert show(pkg["id"])["private"] is False
    assert _anonymous_get(live_server, page)[0] == 200
    assert counts() == (1, {"CSV": 1})
    assert f'/dataset/{pkg["name"]}"' in _anonymous_get(live_server, listing)[2]


@pytest.mark.parametrize("scan_first", ["true", "false"])
def test_editing_only_the_description_keeps_the_findings_and_approval_stays_refused(
        scan_first: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dataset form's edit page sends no resources (package_update keeps them): the scan of
    the unchanged file must stay, findings and all. Lost, the dataset waited for a scan nobody
    queued, the reviewer saw no findings and approved blind; with scans not first
    (``scan_before_public`` off) that approval made a file of ID numbers public."""
    editor, admin = make_user(), make_user()
    org = make_org("department", users=[{"name": editor["name"], "capacity": "editor"},
                                        {"name": admin["name"], "capacity": "admin"}])
    monkeypatch.setitem(tk.config, "ckanext.guangdong.safety.review_default", "department")
    pkg = create(org["id"], user=editor, resources=[{
        "upload": upload("people.csv", people_csv()), "url": "people.csv", "name": "名单", "format": "CSV"}])
    res = pkg["resources"][0]
    before = wait_scan(pkg["id"], res["id"])
    assert before["state"] == "findings"
    monkeypatch.setitem(tk.config, "ckanext.guangdong.safety.scan_before_public", scan_first)

    # as the edit page posts: no resources, which CKAN keeps (allow_partial_update)
    form = {k: v for k, v in show(pkg["id"]).items() if k != "resources"}
    form["notes"] = "办理情况（已更新说明）。"
    tk.get_action("package_update")(dict(as_user(editor), allow_partial_update=True), form)

    after = scan_of(pkg["id"], res["id"])
    assert after is not None and after["state"] == "findings"
    assert after["findings"] == before["findings"] and after["content_hash"] == before["content_hash"]
    state = tk.get_action("guangdong_safety_status")(as_user(admin), {"id": pkg["id"]})
    assert "findings" in state["holds"] and "pending_scan" not in state["holds"]
    assert [f["findings"] for f in state["files"]] == [before["findings"]]  # the reviewer sees them
    with pytest.raises(tk.ValidationError):
        tk.get_action("guangdong_safety_approve")(as_user(admin), {"id": pkg["id"]})
    assert show(pkg["id"])["private"] is True and not anonymous_sees(pkg["id"])


@pytest.mark.parametrize("action", ["resource_update", "resource_create"])
def test_an_upload_sent_without_a_link_holds_the_public_dataset_at_the_write(action: str) -> None:
    """``resource_update`` (the API and the resource edit form) and ``resource_create`` send a
    new file with an empty ``url``: CKAN's uploader names it only after the gate looked. Read
    as no file, the dataset stayed public and the file of ID numbers was downloadable by anyone
    until the worker scanned it."""
    from ckan import model

    from ckanext.guangdong.safety import tables as safety_tables
    pkg, res = clean_dataset()
    assert show(pkg["id"])["private"] is False
    sent = {"package_id": pkg["id"], "name": "名单", "format": "CSV",
            "upload": upload("race_pii.csv", people_csv())}  # no url, as the API's multipart form
    if action == "resource_update":
        sent["id"] = res["id"]
    done = tk.get_action(action)(as_user(None), sent)
    assert show(pkg["id"])["private"] is True and not anonymous_sees(pkg["id"])  # before any job
    if action == "resource_update":
        model.Session.remove()
        held = [a for a in safety_tables.audit_trail(pkg["id"]) if a["action"] == "held"]
        assert held and held[0]["details"].get("reason_code") == "file_replaced", held
    row = wait_scan(pkg["id"], done["id"])
    assert row["state"] == "findings"
    assert show(pkg["id"])["private"] is True and not anonymous_sees(pkg["id"])


def test_an_update_without_resources_of_a_held_dataset_is_refused_and_keeps_the_hold(gd_app: object) -> None:
    """The API's ``package_update`` without ``resources`` removes every file (only the edit page
    keeps them). Of a held dataset it took the files and their findings along, and the
    organisation's admin then approved the empty dataset: the hold went without a reviewer's
    reason, the editor's files gone unasked. Refused (409, zh/en), nothing changed; removing
    the file itself (resource_delete) stays possible and is in the audit trail."""
    from ckan import model
    from safety_support import in_language

    from ckanext.guangdong.safety import tables as safety_tables
    editor, admin = make_user(), make_user()
    org = make_org("department", users=[{"name": editor["name"], "capacity": "editor"},
                                        {"name": admin["name"], "capacity": "admin"}])
    pkg = create(org["id"], user=editor, resources=[{
        "upload": upload("people.csv", people_csv()), "url": "people.csv", "name": "名单", "format": "CSV"}])
    res = pkg["resources"][0]
    before = wait_scan(pkg["id"], res["id"])
    assert before["state"] == "findings"

    sent = {k: v for k, v in show(pkg["id"]).items() if k != "resources"}
    sent["notes"] = "办理情况（已更新说明）。"
    for lang, words in (("zh_Hans_CN", "不含资源（resources）的更新会删除它的全部文件"),
                        ("en", "an update without its resources would remove all its files")):
        with in_language(gd_app, lang), pytest.raises(tk.ValidationError) as refused:
            tk.get_action("package_update")(as_user(editor), dict(sent))
        assert words in refused.value.error_dict["resources"][0], refused.value.error_dict
    model.Session.remove()
    after = show(pkg["id"])
    assert [r["id"] for r in after["resources"]] == [res["id"]] and after["notes"] != sent["notes"]
    assert scan_of(pkg["id"], res["id"]) == before
    with pytest.raises(tk.ValidationError):  # the findings still stand
        tk.get_action("guangdong_safety_approve")(as_user(admin), {"id": pkg["id"]})
    assert after["private"] is True and not anonymous_sees(pkg["id"])

    # the same update with its resources goes through and keeps everything
    tk.get_action("package_update")(as_user(editor), dict(sent, resources=after["resources"]))
    assert show(pkg["id"])["notes"] == sent["notes"] and scan_of(pkg["id"], res["id"]) == before

    # removing the file on purpose: the findings go with it, recorded for the reviewer
    tk.get_action("resource_delete")(as_user(editor), {"id": res["id"]})
    model.Session.remove()
    removed = [a for a in safety_tables.audit_trail(pkg["id"]) if a["action"] == "file_removed"]
    assert removed and removed[0]["actor"] == editor["name"], removed
    assert removed[0]["details"]["findings"] == {res["id"]: before["findings"]}
