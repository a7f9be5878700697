"""The review step (审核): a department editor's dataset waits for an organisation admin or a
provincial reviewer; returned with comments, resubmitted, approved; public only on approval,
counted from the approval (the events record it then); per-organisation settings; the queue."""
from __future__ import annotations

import datetime as dt
import time

import ckan.plugins.toolkit as tk
import pytest
from safety_support import anonymous_sees, as_user, create, make_org, make_sysadmin, make_user, show, site_context

# the production default (the test profile turns the review off for the other folders)
pytestmark = [pytest.mark.usefixtures("gd"),
              pytest.mark.ckan_config("ckanext.guangdong.safety.review_default", "department")]


def _org_with(org_type: str, **users: dict) -> dict:
    return make_org(org_type, users=[{"name": u["name"], "capacity": cap} for cap, u in users.items()])


def _events(package_id: str) -> list[tuple[str, dt.datetime]]:
    from ckan import model
    from sqlalchemy import text
    model.Session.remove()
    rows = model.Session.execute(text(
        "SELECT event, occurred_at FROM guangdong_publication_event WHERE package_id = :p "
        "ORDER BY occurred_at"), {"p": package_id}).fetchall()
    model.Session.remove()
    return [(r[0], r[1]) for r in rows]


def _queue(user: dict, limit: int = 200) -> list[str]:
    """Every request in the user's queue, page by page (the test DB may hold many more than
    one page of other tests' requests)."""
    ids: list[str] = []
    while True:
        page = tk.get_action("guangdong_safety_review_queue")(as_user(user), {"limit": limit, "offset": len(ids)})
        ids += [r["id"] for r in page["results"]]
        if not page["results"] or len(ids) >= page["count"]:
            assert len(ids) == page["count"] == len(set(ids)), "pages overlap or miss requests"
            return ids


def test_the_queue_pages_reach_every_request_even_submitted_at_the_same_time() -> None:
    """Pages of one (limit 1) reach every request exactly once, even when requests share a
    submission time (the order needs a tie-breaker, or pages repeat and skip requests)."""
    from ckan import model
    from sqlalchemy import text
    editor, admin = make_user(), make_user()
    org = _org_with("department", editor=editor, admin=admin)
    ids = {create(org["id"], user=editor)["id"] for _ in range(4)}
    model.Session.execute(text("UPDATE guangdong_safety_publication SET submitted_at = '2026-01-01' "
                               "WHERE package_id = ANY(:p)"), {"p": list(ids)})
    # and the physical order against the id order, so a missing tie-breaker shows
    model.Session.execute(text("UPDATE guangdong_safety_publication SET comment = comment "
                               "WHERE package_id = :p"), {"p": min(ids)})
    model.Session.commit()
    assert sorted(_queue(admin, limit=1)) == sorted(ids)  # the admin's queue: this org only


def test_department_editor_submits_admin_returns_then_approves() -> None:
    editor, admin, outsider = make_user(), make_user(), make_user()
    org = _org_with("department", editor=editor, admin=admin)
    _org_with("department", admin=outsider)  # an admin of another organisation
    # with a resource: only a dataset with one counts as published (docs/targets.md)
    pkg = create(org["id"], user=editor, resources=[{
        "name": "说明", "url": "https://www.gd.gov.cn/notes.html", "format": "HTML"}])
    assert pkg["private"] is True and not anonymous_sees(pkg["id"])
    state = tk.get_action("guangdong_safety_status")(as_user(editor), {"id": pkg["id"]})
    assert state["holds"] == ["review"] and state["publication"]["state"] == "requested"

    # the editor may not approve; nor may another organisation's admin
    for user in (editor, outsider):
        with pytest.raises(tk.NotAuthorized):
            tk.get_action("guangdong_safety_approve")(as_user(user), {"id": pkg["id"]})
    assert pkg["id"] in _queue(admin) and pkg["id"] not in _queue(outsider)
    assert pkg["id"] not in _queue(editor)

    # returned: a comment is required; the dataset stays private
    with pytest.raises(tk.ValidationError):
        tk.get_action("guangdong_safety_return")(as_user(admin), {"id": pkg["id"], "comment": ""})
    state = tk.get_action("guangdong_safety_return")(as_user(admin), {
        "id": pkg["id"], "comment": "请补充数据项说明"})
    assert state["publication"]["state"] == "returned" and state["publication"]["comment"] == "请补充数据项说明"
    assert pkg["id"] not in _queue(admin) and not anonymous_sees(pkg["id"])

    # resubmitted: queued again; approved: public from that moment
    state = tk.get_action("guangdong_safety_submit")(as_user(editor), {"id": pkg["id"]})
    assert state["publication"]["state"] == "requested" and state["private"] is True
    assert _events(pkg["id"]) == []  # never published yet
    time.sleep(0.05)
    before = dt.datetime.utcnow()
    state = tk.get_action("guangdong_safety_approve")(as_user(admin), {"id": pkg["id"], "comment": "同意"})
    assert state["private"] is False and anonymous_sees(pkg["id"])
    events = _events(pkg["id"])
    assert [e for e, _ in events] == ["published"] and events[0][1] >= before
    trail = [a["action"] for a in state["audit"]]
    assert {"submitted", "returned", "approved", "released"} <= set(trail)


def _approved(**overrides: object) -> tuple[dict, dict, dict]:
    """A department editor's dataset with a link, approved by the organisation's admin: public."""
    editor, admin = make_user(), make_user()
    org = _org_with("department", editor=editor, admin=admin)
    pkg = create(org["id"], user=editor, resources=[{
        "name": "说明", "url": "https://www.gd.gov.cn/notes.html", "format": "HTML"}], **overrides)
    tk.get_action("guangdong_safety_approve")(as_user(admin), {"id": pkg["id"]})
    assert anonymous_sees(pkg["id"])
    return editor, admin, show(pkg["id"])


def _anonymous_finds(pkg: dict) -> int:
    from ckan import model
    model.Session.remove()
    return tk.get_action("package_search")({"user": ""}, {"q": f'name:"{pkg["name"]}"'})["count"]


def _held_for_a_new_review(editor: dict, admin: dict, pkg: dict) -> None:
    """Held at once (anonymous show and search see nothing), queued, said why; public again on
    approval."""
    assert not anonymous_sees(pkg["id"]) and _anonymous_finds(pkg) == 0
    state = tk.get_action("guangdong_safety_status")(as_user(editor), {"id": pkg["id"]})
    assert state["private"] is True and state["holds"] == ["review"] and state["reedited"] is True
    assert state["publication"]["state"] == "requested"
    held = next(a for a in state["audit"] if a["action"] == "held")
    assert held["details"]["reason_code"] == "edited_after_review" and held["actor"] == editor["name"]
    assert pkg["id"] in _queue(admin)
    tk.get_action("guangdong_safety_approve")(as_user(admin), {"id": pkg["id"]})
    assert anonymous_sees(pkg["id"]) and _anonymous_finds(pkg) == 1


def test_an_editors_change_of_an_approved_dataset_is_reviewed_again() -> None:
    """Review guarded only the first publication: a patch of the notes went live at once
    (attack trial a9, N4)."""
    editor, admin, pkg = _approved()
    tk.get_action("package_patch")(as_user(editor), {"id": pkg["id"], "notes": "更新了说明。"})
    _held_for_a_new_review(editor, admin, pkg)
    # its admin (who approves) changes it without a new review
    tk.get_action("package_patch")(as_user(admin), {"id": pkg["id"], "notes": "管理员改的说明。"})
    assert anonymous_sees(pkg["id"])
    # made private and public again: a new publication, reviewed again
    tk.get_action("package_patch")(as_user(editor), {"id": pkg["id"], "private": True})
    tk.get_action("package_patch")(as_user(editor), {"id": pkg["id"], "private": False})
    assert show(pkg["id"])["private"] is True
    assert pkg["id"] in _queue(admin)


def test_the_editor_reads_that_the_change_waits_for_review_in_each_language(gd_app) -> None:
    """The dataset form's 可见性 says that 公开 means after review (trial 8, item 5), for an
    organisation with review only; the safety page and the queue say why a reviewed dataset
    waits again."""
    editor, admin, pkg = _approved()
    city_editor = make_user()
    _org_with("city", editor=city_editor)
    tk.get_action("package_patch")(as_user(editor), {"id": pkg["id"], "title": "改过的标题"})

    def page(user: dict, path: str) -> str:
        token = tk.get_action("api_token_create")({"ignore_auth": True, "user": user["name"]},
                                                  {"user": user["name"], "name": "reedit"})["token"]
        return gd_app.get(path, headers={"Authorization": token}).get_data(as_text=True)
    for prefix, hint, why in (("", "“公开”即提交审核后公开", "内容修改后需重新审核"),
                              ("/en", "Public means public after review", "Changed after review: needs a new review")):
        assert hint in page(editor, f"{prefix}/dataset/new")
        assert hint not in page(city_editor, f"{prefix}/dataset/new")
        safety = page(editor, f"{prefix}/dataset/{pkg['name']}/safety")
        assert 'id="gd-safety-reedited"' in safety and why in safety
        assert why in page(editor, f"{prefix}/dataset/{pkg['name']}") and why in page(admin, f"{prefix}/review")


def test_a_file_added_to_an_approved_dataset_is_reviewed_again() -> None:
    editor, admin, pkg = _approved()
    tk.get_action("resource_create")(as_user(editor), {
        "package_id": pkg["id"], "name": "附件", "url": "https://www.gd.gov.cn/more.html", "format": "HTML"})
    _held_for_a_new_review(editor, admin, pkg)


def test_a_link_changed_in_an_approved_dataset_is_reviewed_again() -> None:
    editor, admin, pkg = _approved()
    res = pkg["resources"][0]
    tk.get_action("resource_update")(as_user(editor), dict(res, url="https://www.gd.gov.cn/other.html"))
    _held_for_a_new_review(editor, admin, pkg)


def test_saving_an_approved_dataset_unchanged_keeps_it_public() -> None:
    editor, _admin, pkg = _approved(tags=[{"name": "人口"}])
    tk.get_action("package_update")(as_user(editor), show(pkg["id"]))
    tk.get_action("package_patch")(as_user(editor), {"id": pkg["id"], "notes": pkg["notes"] + "\r\n"})
    tk.get_action("resource_patch")(as_user(editor), {"id": pkg["resources"][0]["id"], "name": "说明"})
    assert anonymous_sees(pkg["id"]) and _anonymous_finds(pkg) == 1
    assert tk.get_action("guangdong_safety_status")(as_user(editor), {"id": pkg["id"]})["holds"] == []


def test_an_editors_new_contact_point_is_reviewed_again_and_a_personal_mailbox_is_a_finding() -> None:
    """The contact phone and e-mail are shown to everyone as they are: an editor's new mobile
    there went live unread, and an address off ``contact_domains`` passed (attack trial a10, L3)."""
    editor, admin, pkg = _approved()
    tk.get_action("package_patch")(as_user(editor), {"id": pkg["id"], "contact_phone": "13800138000"})
    _held_for_a_new_review(editor, admin, pkg)
    tk.get_action("package_patch")(as_user(editor), {"id": pkg["id"], "contact_email": "zhangwei1985@qq.com"})
    state = tk.get_action("guangdong_safety_status")(as_user(editor), {"id": pkg["id"]})
    assert state["holds"] == ["metadata", "review"] and not anonymous_sees(pkg["id"])
    assert [(f["column"], f["detector"]) for f in state["metadata"]["findings"]] == [("contact_email", "email")]
    # the publisher's office address on gov.cn is the contact point it is: approved, public
    tk.get_action("package_patch")(as_user(admin), {"id": pkg["id"], "contact_email": "bgs@gz.gov.cn"})
    tk.get_action("guangdong_safety_approve")(as_user(admin), {"id": pkg["id"]})
    assert anonymous_sees(pkg["id"])


def _loaded_table(pkg: dict) -> str:
    """The load job's table of the dataset's file (the site's write: no new review)."""
    rid = pkg["resources"][0]["id"]
    tk.get_action("datastore_create")(site_context(), {
        "resource_id": rid, "force": True, "primary_key": ["序号"],
        "fields": [{"id": "序号", "type": "int"}, {"id": "名称", "type": "text"}],
        "records": [{"序号": 1, "名称": "审核过的行"}, {"序号": 2, "名称": "第二行"}]})
    assert anonymous_sees(pkg["id"])
    return rid


def _rows(rid: str) -> list[int]:
    found = tk.get_action("datastore_search")(site_context(), {"resource_id": rid, "sort": "序号"})
    return [r["序号"] for r in found["records"]]


def test_an_editors_datastore_writes_to_an_approved_dataset_are_reviewed_again() -> None:
    """Rows upserted into or deleted from a reviewed public table were public at once (attack
    trial a10, M4): the dataset is held before the write, as for a new file."""
    editor, admin, pkg = _approved()
    rid = _loaded_table(pkg)
    row = {"resource_id": rid, "force": True, "method": "insert", "records": [{"序号": 3, "名称": "未经审核新增行"}]}
    with pytest.raises(tk.NotAuthorized):  # nobody else's call holds it
        tk.get_action("datastore_upsert")(as_user(make_user()), dict(row))
    tk.get_action("datastore_upsert")(as_user(editor), dict(row, dry_run=True))
    with pytest.raises(tk.ValidationError):  # a file's table without force: CKAN refuses, nothing held
        tk.get_action("datastore_upsert")(as_user(editor), dict(row, force=False))
    audit = tk.get_action("guangdong_safety_status")(as_user(editor), {"id": pkg["id"]})["audit"]
    assert not [a for a in audit if a["action"] in ("held", "hold_undone")]
    with pytest.raises(tk.ValidationError):  # a write that fails: the hold is taken back
        tk.get_action("datastore_upsert")(as_user(editor), dict(row, records=[{"序号": 1, "名称": "重复"}]))
    assert anonymous_sees(pkg["id"]) and _rows(rid) == [1, 2]
    for action, data in (("datastore_upsert", row),
                         ("datastore_delete", {"resource_id": rid, "force": True, "filters": {"序号": 1}}),
                         ("datastore_create", {"resource_id": rid, "force": True, "records": [{"序号": 4}]})):
        answer = tk.get_action(action)(as_user(editor), dict(data))
        assert "not public until a reviewer approves" in answer["guangdong_safety_notice"]
        _held_for_a_new_review(editor, admin, pkg)
    assert _rows(rid) == [2, 3, 4]
    tk.get_action("datastore_upsert")(as_user(admin), dict(row, records=[{"序号": 5}]))
    assert anonymous_sees(pkg["id"])


def test_a_datastore_write_that_cannot_be_held_first_is_refused(monkeypatch) -> None:
    from ckanext.guangdong.safety import gate
    editor, _admin, pkg = _approved()
    rid = _loaded_table(pkg)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the hold failed")
    monkeypatch.setattr(gate, "hold", broken)
    with pytest.raises(tk.ValidationError) as refused:
        tk.get_action("datastore_delete")(as_user(editor), {"resource_id": rid, "force": True, "filters": {"序号": 1}})
    assert "replace the file" in str(refused.value.error_dict["resource_id"])
    assert _rows(rid) == [1, 2] and anonymous_sees(pkg["id"])


def test_admins_cities_and_organisation_settings() -> None:
    editor, admin = make_user(), make_user()
    dept = _org_with("department", editor=editor, admin=admin)
    assert create(dept["id"], user=admin)["private"] is False  # the approver publishes directly
    city_editor = make_user()
    city = _org_with("city", editor=city_editor)
    assert create(city["id"], user=city_editor)["private"] is False  # cities: no review by default

    sysadmin = make_sysadmin()
    with pytest.raises(tk.NotAuthorized):
        tk.get_action("guangdong_safety_org_review_set")(as_user(admin), {"id": dept["id"], "review": "false"})
    tk.get_action("guangdong_safety_org_review_set")(as_user(sysadmin), {"id": dept["id"], "review": "false"})
    assert create(dept["id"], user=editor)["private"] is False
    tk.get_action("guangdong_safety_org_review_set")(as_user(sysadmin), {"id": city["id"], "review": "true"})
    assert create(city["id"], user=city_editor)["private"] is True
    tk.get_action("guangdong_safety_org_review_set")(as_user(sysadmin), {"id": dept["id"], "review": "default"})
    assert create(dept["id"], user=editor)["private"] is True
    with pytest.raises(tk.ValidationError):
        tk.get_action("guangdong_safety_org_review_set")(as_user(sysadmin), {"id": dept["id"], "review": "maybe"})


def test_review_default_all(monkeypatch) -> None:
    # (in the test: CKAN's ckan_config applies the module's mark after a test's own)
    monkeypatch.setitem(tk.config, "ckanext.guangdong.safety.review_default", "all")
    editor = make_user()
    city = _org_with("city", editor=editor)
    assert create(city["id"], user=editor)["private"] is True


def test_provincial_reviewer_sees_and_approves_other_organisations(monkeypatch) -> None:
    editor, reviewer = make_user(), make_user()
    org = _org_with("department", editor=editor)
    pkg = create(org["id"], user=editor)
    with pytest.raises(tk.NotAuthorized):  # not yet a reviewer: a private dataset of another org
        tk.get_action("package_show")(as_user(reviewer), {"id": pkg["id"]})
    from ckan.common import config
    monkeypatch.setitem(config, "ckanext.guangdong.safety.reviewers", reviewer["name"])
    assert pkg["id"] in _queue(reviewer)
    assert tk.get_action("package_show")(as_user(reviewer), {"id": pkg["id"]})["id"] == pkg["id"]
    tk.get_action("guangdong_safety_approve")(as_user(reviewer), {"id": pkg["id"]})
    assert anonymous_sees(pkg["id"])


def test_bulk_make_public_refuses_held_datasets() -> None:
    editor, admin = make_user(), make_user()
    org = _org_with("department", editor=editor, admin=admin)
    pkg = create(org["id"], user=editor)
    with pytest.raises(tk.ValidationError) as e:
        tk.get_action("bulk_update_public")(as_user(editor), {"org_id": org["id"], "datasets": [pkg["id"]]})
    assert pkg["name"] in str(e.value.error_dict)
    assert show(pkg["id"])["private"] is True


def test_findings_are_for_publishers_and_reviewers_only() -> None:
    editor, member, stranger = make_user(), make_user(), make_user()
    org = _org_with("department", editor=editor, member=member)
    pkg = create(org["id"], user=editor)
    tk.get_action("guangdong_safety_status")(as_user(editor), {"id": pkg["id"]})
    for user in (member, stranger):
        with pytest.raises(tk.NotAuthorized):
            tk.get_action("guangdong_safety_status")(as_user(user), {"id": pkg["id"]})
    with pytest.raises(tk.NotAuthorized):
        tk.get_action("guangdong_safety_status")({"user": "", "ignore_auth": False}, {"id": pkg["id"]})


def test_withdraw_and_bad_input() -> None:
    editor, admin = make_user(), make_user()
    org = _org_with("department", editor=editor, admin=admin)
    pkg = create(org["id"], user=editor)
    tk.get_action("guangdong_safety_withdraw")(as_user(editor), {"id": pkg["id"]})
    assert pkg["id"] not in _queue(admin)
    with pytest.raises(tk.ValidationError):  # nothing left to withdraw
        tk.get_action("guangdong_safety_withdraw")(as_user(editor), {"id": pkg["id"]})
    for bad in ({"id": ["x"]}, {"id": "\x00"}, {"id": "nope"}, {}):
        with pytest.raises((tk.ValidationError, tk.ObjectNotFound, tk.NotAuthorized)):
            tk.get_action("guangdong_safety_approve")(as_user(admin), bad)
    tk.get_action("guangdong_safety_submit")(as_user(editor), {"id": pkg["id"]})
    for comment in (["list"], "x" * 5000, "a\x00b"):
        with pytest.raises(tk.ValidationError):
            tk.get_action("guangdong_safety_return")(as_user(admin), {"id": pkg["id"], "comment": comment})


def test_a_reviewer_who_returns_a_dataset_lands_on_the_queue(monkeypatch, gd_app) -> None:
    # (trial 7: the provincial reviewer reads a returned dataset no more, and the page after
    # the return was a 404) through the page, as the reviewer's browser sends it
    import re

    from ckan.common import config
    editor, reviewer = make_user(), make_user()
    org = _org_with("department", editor=editor)
    pkg = create(org["id"], user=editor)
    monkeypatch.setitem(config, "ckanext.guangdong.safety.reviewers", reviewer["name"])
    token = tk.get_action("api_token_create")({"ignore_auth": True, "user": reviewer["name"]},
                                              {"user": reviewer["name"], "name": "review"})["token"]
    headers = {"Authorization": token}
    page = gd_app.get(f"/dataset/{pkg['name']}/safety", headers=headers)
    assert page.status_code == 200
    # 撤回申请 is the publisher's, not the reviewer's (trial 9, item 11)
    assert "/safety/withdraw" not in page.get_data(as_text=True)
    mine = tk.get_action("api_token_create")({"ignore_auth": True, "user": editor["name"]},
                                             {"user": editor["name"], "name": "publish"})["token"]
    assert "/safety/withdraw" in gd_app.get(f"/dataset/{pkg['name']}/safety",
                                            headers={"Authorization": mine}).get_data(as_text=True)
    csrf = re.search(r'name="_csrf_token"\s+value="([^"]+)"', page.get_data(as_text=True))
    data = {"comment": "请补充说明", **({"_csrf_token": csrf.group(1)} if csrf else {})}
    answer = gd_app.post(f"/dataset/{pkg['name']}/safety/return", data=data, headers=headers,
                         follow_redirects=False)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/review"), answer.headers
    assert pkg["id"] not in _queue(reviewer)
