"""A category added to the negative list takes a matching PUBLIC dataset out of public view at
once (issue 14, trial 8 item 1): held as the gate holds (stored private, its publication request
kept, an audit entry naming the category and the list version), listed in the save's answer and
on the admin page, and public again once the category is removed."""
from __future__ import annotations

import uuid
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from safety_support import anonymous_sees, api_token, as_user, create, make_org, make_sysadmin, make_user, show

pytestmark = pytest.mark.usefixtures("gd")

ADDED = """
  - id: test-sweep-{tag}
    name: {{zh_Hans_CN: 低收入家庭名单{tag}, en: Low-income households {tag}}}
    reason: {{zh_Hans_CN: 涉及低收入家庭个人信息。, en: Personal data of low-income households.}}
    rule: {{zh_Hans_CN: 测试依据, en: Test rule}}
    keywords: [低收入家庭{tag}]
    themes: []
    data_items: []
    identifier_prefixes: []
"""


def _hidden(gd_app: Any, pkg: dict[str, Any]) -> None:
    assert not anonymous_sees(pkg["id"])
    assert gd_app.get("/api/3/action/package_show", params={"id": pkg["id"]}, status=None).status_code in (403, 404)
    found = gd_app.get("/api/3/action/package_search", params={"q": f'name:"{pkg["name"]}"'}).json
    assert found["result"]["count"] == 0, found
    assert gd_app.get(f"/dataset/{pkg['name']}", status=None).status_code == 404
    assert pkg["name"] not in gd_app.get("/catalog.ttl", status=None).get_data(as_text=True)


def test_a_new_category_holds_matching_public_datasets_and_removing_it_releases_them(gd_app) -> None:
    from ckanext.guangdong.safety import tables
    admin = make_sysadmin()
    tag = uuid.uuid4().hex[:4]
    org = make_org("city")
    pkg = create(org["id"], title=f"2024年城镇低收入家庭{tag}抽样调查名单")
    other = create(org["id"], title="各区人口")
    assert anonymous_sees(pkg["id"]) and not show(pkg["id"])["private"]
    original = tk.get_action("guangdong_safety_negative_list_show")(as_user(admin), {})["content"]
    try:
        answer = tk.get_action("guangdong_safety_negative_list_update")(as_user(admin), {
            "content": original.rstrip() + "\n" + ADDED.format(tag=tag), "comment": "新增低收入家庭名单"})
        held = {h["id"]: h for h in answer["held"]}
        assert pkg["id"] in held and other["id"] not in held
        assert held[pkg["id"]]["title"] == pkg["title"] and held[pkg["id"]]["organization"] == org["display_name"]
        assert held[pkg["id"]]["categories"] == [f"低收入家庭名单{tag}"]
        assert show(pkg["id"])["private"] and anonymous_sees(other["id"])
        _hidden(gd_app, pkg)
        assert tables.publication(pkg["id"])["state"] == "requested"  # kept: it returns when the list does
        entry = tables.audit_trail(pkg["id"], actions=("held",), limit=1)[0]
        assert entry["details"]["negative_list_version"] == answer["version"]
        assert entry["details"]["holds"] == ["negative_list"]
        assert entry["details"]["matches"][0]["category"] == f"test-sweep-{tag}"
        # the admin page lists it (title, organisation, category); the safety page says why
        token = api_token(admin)
        page = gd_app.get("/ckan-admin/negative-list", headers={"Authorization": token}).get_data(as_text=True)
        listed = page.split("gd-negative-held", 1)[1].split("</li>", 1)[0] if "gd-negative-held" in page else ""
        assert pkg["title"] in listed and org["display_name"] in listed and f"低收入家庭名单{tag}" in listed
        safety = gd_app.get(f"/dataset/{pkg['name']}/safety", headers={"Authorization": token}).get_data(as_text=True)
        assert f"低收入家庭名单{tag}" in safety and "涉及低收入家庭个人信息" in safety
        # the category removed again: public again
        answer = tk.get_action("guangdong_safety_negative_list_update")(as_user(admin), {
            "content": original, "comment": "撤回"})
        assert pkg["id"] in answer["released"]
        assert anonymous_sees(pkg["id"]) and not show(pkg["id"])["private"]
    finally:
        tk.get_action("guangdong_safety_negative_list_update")(as_user(admin), {
            "content": original, "comment": "恢复"})


def test_the_refusal_names_what_matched(gd_app) -> None:
    """Trial 8 item 15: a data item named 身份证号 matches 敏感个人信息; the message says so."""
    from safety_support import in_language
    org = make_org("city")
    for lang, expected in (("zh_Hans_CN", "信息项“身份证号”"), ("en", 'the data item "身份证号"')):
        with in_language(gd_app, lang), pytest.raises(tk.ValidationError) as e:
            create(org["id"], data_items=[{"name": "身份证号", "type": "string"}])
        assert expected in " ".join(e.value.error_dict["access_rights"])


def test_the_reason_box_is_required(gd_app) -> None:
    """Trial 8 item 11: marked required in the form; the server still refuses an empty one."""
    token = api_token(make_sysadmin())
    page = gd_app.get("/ckan-admin/negative-list", headers={"Authorization": token}).get_data(as_text=True)
    box = page.split('id="gd-negative-list-comment"', 1)[1].split(">", 1)[0]
    assert " required" in box
    label = page.split('for="gd-negative-list-comment"', 1)[1].split("</label>", 1)[0]
    assert "control-required" in label


def _events(package_id: str) -> list[str]:
    from ckan import model
    from sqlalchemy import text
    model.Session.remove()
    rows = model.Session.execute(text(
        "SELECT event FROM guangdong_publication_event WHERE package_id = :p ORDER BY id"), {"p": package_id})
    events = [r[0] for r in rows]
    model.Session.remove()
    return events


@pytest.mark.ckan_config("ckanext.guangdong.safety.review_default", "department")
def test_a_list_withdrawal_is_a_withdrawal_and_its_approval_waits_for_the_publishers_change(gd_app) -> None:
    """Trial 9 items 2, 3, 6 and 8: the list's hold goes through package_patch (not "held
    directly"), so the events (the counters) record the withdrawal; the request keeps its
    requester; the audit entry carries the save's reason; the reviewer's approval is refused
    with the category and what to change (and not offered on the page); the editor is told on
    the dashboard; the editor's fix, saved private as the edit page does, waits for review."""
    from safety_support import in_language

    from ckanext.guangdong.safety import tables
    admin, editor, reviewer = make_sysadmin(), make_user(), make_user()
    org = make_org("department", users=[{"name": editor["name"], "capacity": "editor"},
                                        {"name": reviewer["name"], "capacity": "admin"}])
    tag = uuid.uuid4().hex[:4]
    pkg = create(org["id"], user=editor, title=f"城镇低收入家庭{tag}名单", resources=[
        {"name": "说明", "url": "https://www.gd.gov.cn/notes.html", "format": "HTML"}])
    tk.get_action("guangdong_safety_approve")(as_user(reviewer), {"id": pkg["id"]})
    assert not show(pkg["id"])["private"] and _events(pkg["id"]) == ["published"]
    original = tk.get_action("guangdong_safety_negative_list_show")(as_user(admin), {})["content"]
    try:
        answer = tk.get_action("guangdong_safety_negative_list_update")(as_user(admin), {
            "content": original.rstrip() + "\n" + ADDED.format(tag=tag), "comment": "依据新规定撤下"})
        assert pkg["id"] in [h["id"] for h in answer["held"]] and show(pkg["id"])["private"]
        entry = tables.audit_trail(pkg["id"], actions=("held",), limit=1)[0]
        assert "direct" not in entry["details"]  # package_patch held it, the normal path
        assert entry["reason"] == "依据新规定撤下"  # item 8: the audit's 理由
        assert _events(pkg["id"]) == ["published", "withdrawn"]  # item 3: counted at once
        assert tables.publication(pkg["id"])["submitted_by"] == editor["name"]  # item 6
        state = tk.get_action("guangdong_safety_status")(as_user(reviewer), {"id": pkg["id"]})
        assert state["holds"] == ["negative_list"] and state["list_withdrawal"]["actor"] == admin["name"]

        # item 2: the approval names the category and what to change, in zh and en
        for lang, expected in (("zh_Hans_CN", f"命中负面清单类别“低收入家庭名单{tag}”"),
                               ("en", f'negative list category "Low-income households {tag}"')):
            with in_language(gd_app, lang), pytest.raises(tk.ValidationError) as e:
                tk.get_action("guangdong_safety_approve")(as_user(reviewer), {"id": pkg["id"]})
            text = " ".join(e.value.error_dict["id"])
            assert expected in text and ("不予开放" in text or "not open" in text), text
        page = gd_app.get(f"/dataset/{pkg['name']}/safety",
                          headers={"Authorization": api_token(reviewer)}).get_data(as_text=True)
        assert 'id="gd-approve-negative"' in page and 'id="gd-approve"' not in page
        # item 8: the editor's dashboard says so, with the category and the reason
        dash = gd_app.get("/dashboard/datasets", headers={"Authorization": api_token(editor)}).get_data(as_text=True)
        notice = dash.split("gd-list-withdrawn-notice", 1)[1].split("</div>", 1)[0] if "gd-list-withdrawn-notice" in dash else ""
        assert pkg["title"] in notice and f"低收入家庭名单{tag}" in notice and "依据新规定撤下" in notice

        # item 6: the editor's fix, saved private (the edit page's 可见性 as stored): a review
        tk.get_action("package_patch")(as_user(editor), {"id": pkg["id"], "title": "城镇家庭调查", "private": True})
        state = tk.get_action("guangdong_safety_status")(as_user(reviewer), {"id": pkg["id"]})
        assert state["holds"] == ["review"] and state["reedited"] and state["private"]
        tk.get_action("guangdong_safety_approve")(as_user(reviewer), {"id": pkg["id"]})
        assert not show(pkg["id"])["private"] and _events(pkg["id"]) == ["published", "withdrawn", "published"]
    finally:
        tk.get_action("guangdong_safety_negative_list_update")(as_user(admin), {
            "content": original, "comment": "恢复"})


def test_a_hold_made_directly_is_counted_too(monkeypatch) -> None:
    """Trial 9 item 3: when package_patch cannot hold a dataset (held directly, on the stored
    dataset), the events still record the withdrawal, or the counters keep it as open."""
    from ckanext.guangdong.safety import gate
    pkg = create(make_org("city")["id"], resources=[
        {"name": "说明", "url": "https://www.gd.gov.cn/notes.html", "format": "HTML"}])
    assert _events(pkg["id"]) == ["published"]

    def refused() -> dict:
        raise tk.ValidationError({"id": ["refused"]})
    monkeypatch.setattr(gate, "_site_context", refused)
    gate.hold(pkg["id"], None, [gate.NEGATIVE])
    assert show(pkg["id"])["private"] and _events(pkg["id"]) == ["published", "withdrawn"]
