"""A held dataset is not named to anyone who may not see it: its activity entries from its
public days follow its new labels (organisation, user and "recently changed" streams), and
``bulk_update_public`` on one organisation does not name another organisation's held dataset."""
from __future__ import annotations

import json

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
    pkg = create(org["id"], user=editor, title="公开后被暂停的名单")
    assert show(pkg["id"])["private"] is False
    model.Session.remove()
    assert pkg["name"] in _streams(None, pkg, org, editor)  # public: in the streams
    tk.get_action("package_patch")(as_user(editor), {"id": pkg["id"], "notes": f"经办人身份证号 {_id_number()}"})
    assert show(pkg["id"])["private"] is True  # held: personal data in its description
    model.Session.remove()
    for user in (None, stranger):
        text = _streams(user, pkg, org, editor)
        assert pkg["id"] not in text and pkg["name"] not in text and "公开后被暂停的名单" not in text
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
