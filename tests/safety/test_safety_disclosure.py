"""A held dataset is not named to anyone who may not see it: its activity entries from its
public days follow its new labels (organisation, user and "recently changed" streams), and
``bulk_update_public`` on one organisation does not name another organisation's held dataset."""
from __future__ import annotations

import json
import uuid

import ckan.plugins.toolkit as tk
import pytest
from safety_support import as_user, create, make_org, make_user, show

pytestmark = pytest.mark.usefixtures("gd")


def _id_number() -> str:
    from ckanext.guangdong.safety import detectors as d
    return "44010319900101123" + d.id_check_character("44010319900101123")


def _streams(user: dict | None, pkg: dict, org: dict, editor: dict) -> str:
    """Every activity stream a visitor or another organisation's user can read, as text."""
    ctx = {"user": user["name"] if user else "", "ignore_auth": False}
    out = []
    for action, data in (("organization_activity_list", {"id": org["id"]}),
                         ("recently_changed_packages_activity_list", {}),
                         ("user_activity_list", {"id": editor["id"]})):
        out.append(json.dumps(tk.get_action(action)(dict(ctx), data), ensure_ascii=False, default=str))
    return "\n".join(out)


def test_old_activity_of_a_dataset_now_held_is_hidden() -> None:
    from ckan import model
    editor, stranger = make_user(), make_user()
    org = make_org("city", users=[{"name": editor["name"], "capacity": "editor"}])
    make_org("city", users=[{"name": stranger["name"], "capacity": "editor"}])
    title = f"公开后被暂停的名单{uuid.uuid4().hex[:8]}"  # unique: the test DB keeps other runs' datasets
    pkg = create(org["id"], user=editor, title=title)
    assert show(pkg["id"])["private"] is False
    model.Session.remove()
    assert pkg["name"] in _streams(None, pkg, org, editor)  # public: in the streams
    tk.get_action("package_patch")(as_user(editor), {"id": pkg["id"], "notes": f"经办人身份证号 {_id_number()}"})
    assert show(pkg["id"])["private"] is True  # held: personal data in its description
    model.Session.remove()
    for user in (None, stranger):
        text = _streams(user, pkg, org, editor)
        assert pkg["id"] not in text and pkg["name"] not in text and title not in text
    assert pkg["name"] in _streams(editor, pkg, org, editor)  # its publisher still reads them


def test_bulk_make_public_does_not_name_another_organisations_held_dataset() -> None:
    editor, other_admin = make_user(), make_user()
    org = make_org("department", users=[{"name": editor["name"], "capacity": "editor"}])
    other = make_org("department", users=[{"name": other_admin["name"], "capacity": "admin"}])
    held = create(org["id"], user=editor, notes=f"经办人身份证号 {_id_number()}")
    assert show(held["id"])["private"] is True
    try:
        tk.get_action("bulk_update_public")(as_user(other_admin), {"org_id": other["id"], "datasets": [held["id"]]})
    except tk.ValidationError as e:
        assert held["name"] not in str(e.error_dict), e.error_dict
    assert show(held["id"])["private"] is True  # CKAN changes only the organisation's own


@pytest.mark.usefixtures("worker")
@pytest.mark.ckan_config("ckanext.guangdong.safety.scan_before_public", "true")
def test_a_held_datasets_data_is_for_its_publishers_and_reviewers_not_plain_members(gd_app: object) -> None:
    """Members read a held dataset's metadata (CKAN's rule), not its rows, files or previews;
    its editors and reviewers do; once released, everyone does."""
    from safety_support import csv_bytes, make_sysadmin, upload, wait_scan
    from test_safety_content import people
    header, rows = people()
    # mobile numbers, not ID numbers: the negative list names raw ID numbers (its detectors),
    # which no reviewer may clear; a reviewer clears these findings below
    from safety_corpus import Makers
    m = Makers(22)
    people_csv = lambda: csv_bytes(["姓名", "联系电话", "办理事项"],  # noqa: E731
                                   [[r[0], m.mobile(), r[2]] for r in rows])
    editor, member, admin = make_user(), make_user(), make_sysadmin()
    org = make_org("city", users=[{"name": editor["name"], "capacity": "editor"},
                                  {"name": member["name"], "capacity": "member"}])
    pkg = create(org["id"], user=editor, resources=[{"upload": upload("people.csv", people_csv()),
                                                     "url": "people.csv", "name": "名单", "format": "CSV"}])
    rid = pkg["resources"][0]["id"]
    assert wait_scan(pkg["id"], rid)["state"] == "findings"
    assert show(pkg["id"])["private"] is True
    reads = {
        "resource_show": ("resource_show", {"id": rid}),
        "datastore_search": ("datastore_search", {"resource_id": rid}),
        "datastore_search_sql": ("datastore_search_sql", {"sql": f'SELECT * FROM "{rid}"'}),
        "datastore_info": ("datastore_info", {"id": rid}),
        "resource_view_list": ("resource_view_list", {"id": rid}),
    }
    tk.get_action("package_show")(as_user(member), {"id": pkg["id"]})  # metadata: CKAN's member rule
    for label, (action, data) in reads.items():
        # (a SQL query naming a table its caller may not read answers as an unknown table: no oracle)
        with pytest.raises(tk.ValidationError if action == "datastore_search_sql" else tk.NotAuthorized):
            tk.get_action(action)(as_user(member), dict(data))
            pytest.fail(f"a plain member read the held dataset's data: {label}")
    for user in (editor, admin):
        rows = tk.get_action("datastore_search")(as_user(user), {"resource_id": rid})["records"]
        assert rows, "its publisher and reviewers read the rows"
    # downloads and previews over HTTP, as the member signed in
    client = gd_app.test_client()  # type: ignore[attr-defined]
    headers = {"Authorization": tk.get_action("api_token_create")(
        as_user(None), {"user": member["name"], "name": "t"})["token"]}
    for path in (f"/dataset/{pkg['id']}/resource/{rid}/download/people.csv",
                 f"/dataset/{pkg['id']}/resource/{rid}",
                 f"/api/3/action/datastore_search?resource_id={rid}"):
        resp = client.get(path, headers=headers)
        assert resp.status_code in (403, 404), (path, resp.status_code)
        assert "身份证" not in resp.get_data(as_text=True) or resp.status_code == 403
    # released (a reviewer clears the findings): the member reads it like everyone
    tk.get_action("guangdong_safety_clear")(as_user(admin), {"id": pkg["id"], "reason": "测试：已核对"})
    assert tk.get_action("datastore_search")(as_user(member), {"resource_id": rid})["records"]


def test_a_resource_view_made_while_the_dataset_is_held_is_in_no_stream() -> None:
    """CKAN narrows by permission labels only the entries whose type ends in "package": a
    "new resource view" entry (the load job makes views of a held dataset's files) reached
    every stream of everyone, naming the dataset, its file and the view."""
    editor, stranger = make_user(), make_user()
    org = make_org("city", users=[{"name": editor["name"], "capacity": "editor"}])
    make_org("city", users=[{"name": stranger["name"], "capacity": "editor"}])
    from safety_support import upload
    pkg = create(org["id"], user=editor, notes=f"经办人身份证号 {_id_number()}", resources=[
        {"upload": upload("notes.txt", "办理说明。".encode()), "url": "notes.txt", "name": "办理说明",
         "format": "TXT"}])
    assert show(pkg["id"])["private"] is True  # held: personal data in its description
    res = show(pkg["id"])["resources"][0]
    view = tk.get_action("resource_view_create")(as_user(editor), {
        "resource_id": res["id"], "view_type": "text_view", "title": "说明页"})
    for user in (None, stranger):
        text = _streams(user, pkg, org, editor)
        assert pkg["id"] not in text and res["id"] not in text and view["id"] not in text
