"""Permission checks of templates (theme/helpers.py check_access): CKAN's answers, asked once
per GET request, user, action and data."""
from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("gd")


def test_dataset_page_asks_its_permissions_once(gd_app: Any, monkeypatch: Any) -> None:
    import ckan.logic as logic
    import ckan.plugins.toolkit as tk
    from gd_testing import dataset_dict, make_org, make_sysadmin, make_user

    from ckanext.guangdong.theme import page_cache
    editor = make_user()
    org = make_org(users=[{"name": editor["name"], "capacity": "editor"}])
    pkg = tk.get_action("package_create")({"user": make_sysadmin()["name"]},
                                          dataset_dict(org["id"], title="权限检查测试数据集"))
    asked: list[tuple[str, str]] = []
    real = logic.check_access

    def counting(action: str, context: Any, data_dict: Any = None) -> Any:
        if action == "package_update":
            asked.append((context.get("user") or "", (data_dict or {}).get("id")))
        return real(action, context, data_dict)

    monkeypatch.setattr(logic, "check_access", counting)
    edit = f"/dataset/edit/{pkg['name']}"
    page_cache.bump_version()  # rendered, not the anonymous page cache's copy
    anonymous = gd_app.get(f"/dataset/{pkg['name']}").body
    assert asked == [("", pkg["id"])]  # four times before
    assert edit not in anonymous
    asked.clear()
    from ckan.tests import factories
    token = factories.APIToken(user=editor["name"])["token"]
    mine = gd_app.get(f"/dataset/{pkg['name']}", headers={"Authorization": token})
    assert mine.status_code == 200
    assert edit in mine.body  # the editor's 管理 button: the answer is still the user's
    assert [who for who, _ in asked] == [editor["name"]]


def test_not_kept_outside_get(gd_app: Any) -> None:
    import ckan.plugins.toolkit as tk

    from ckanext.guangdong.theme import helpers
    calls = []

    def answer(action: str, data_dict: Any = None) -> bool:
        calls.append(action)
        return True

    with gd_app.flask_app.test_request_context("/", method="POST"):
        helpers.check_access(answer, "package_update", {"id": "x"})
        helpers.check_access(answer, "package_update", {"id": "x"})
    with gd_app.flask_app.test_request_context("/"):
        helpers.check_access(answer, "package_update", {"id": "x"})
        helpers.check_access(answer, "package_update", {"id": "x"})
        helpers.check_access(answer, "package_update", {"id": "y"})
        helpers.check_access(answer, "package_update", {"id": "x", "tags": ["unhashable"]})
        helpers.check_access(answer, "package_update", {"id": "x", "tags": ["unhashable"]})
    assert len(calls) == 2 + 1 + 1 + 2
    assert tk.h.check_access  # the templates' helper
