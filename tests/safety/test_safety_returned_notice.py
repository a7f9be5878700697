"""An editor whose dataset a reviewer returned (退回) is told on the dashboard, with the comment
and a link to the safety page, and the dataset is marked in the list; the review queue's header
link has a visible label and count, and the queue names the requester by display name (issue 14,
user trial 8 items 3 and 10)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from safety_support import as_user, create, make_org, make_user

pytestmark = [pytest.mark.usefixtures("gd"),
              pytest.mark.ckan_config("ckanext.guangdong.safety.review_default", "department")]


def _headers(user: dict) -> dict[str, str]:
    token = tk.get_action("api_token_create")({"ignore_auth": True, "user": user["name"]},
                                              {"user": user["name"], "name": "notice"})["token"]
    return {"Authorization": token}


def test_the_editor_is_told_of_a_return_and_the_reviewer_sees_label_count_and_name(gd_app) -> None:
    editor, admin = make_user(fullname="退回通知编辑"), make_user(fullname="退回通知管理员")
    org = make_org("department", users=[{"name": editor["name"], "capacity": "editor"},
                                        {"name": admin["name"], "capacity": "admin"}])
    asked = create(org["id"], user=editor, private=False, title="将被退回的数据集")
    other = create(org["id"], user=editor, title="未被退回的数据集")

    page = gd_app.get("/dashboard/datasets", headers=_headers(admin)).get_data(as_text=True)
    assert 'class="gd-review-label"' in page and 'id="gd-review-header-count"' in page
    queue = gd_app.get("/review", headers=_headers(admin)).get_data(as_text=True)
    assert "退回通知编辑" in queue and f">{editor['name']}<" not in queue

    comment = "请删除身份证号列"
    tk.get_action("guangdong_safety_return")(as_user(admin), {"id": asked["id"], "comment": comment})
    page = gd_app.get("/dashboard/datasets", headers=_headers(editor)).get_data(as_text=True)
    assert "gd-returned-notice" in page and comment in page
    notice = page.split("gd-returned-notice", 1)[1].split("</div>", 1)[0]
    assert f"/dataset/{asked['name']}/safety" in notice and other["title"] not in notice
    assert page.count("gd-returned-badge") == 1
    # the reviewer, who asked for nothing, is not told
    page = gd_app.get("/dashboard/datasets", headers=_headers(admin)).get_data(as_text=True)
    assert "gd-returned-notice" not in page
