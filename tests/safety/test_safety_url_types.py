"""Issue 14 (attack trial): a resource's url_type never lets its file skip the scan or drop its
findings, and a request waiting for review survives a move to an organisation without review.
Real worker, real uploads, CKAN's actions as an editor calls them."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from safety_support import (
    anonymous_sees,
    as_user,
    create,
    csv_bytes,
    in_language,
    make_org,
    make_user,
    show,
    upload,
    wait_scan,
)

from ckanext.guangdong.safety import gate

pytestmark = [pytest.mark.usefixtures("worker"),
              pytest.mark.ckan_config("ckanext.guangdong.safety.scan_before_public", "true"),
              pytest.mark.ckan_config("ckanext.guangdong.safety.review_default", "department")]


def _people_csv() -> bytes:
    from safety_corpus import Makers
    m = Makers(14)
    return csv_bytes(["姓名", "身份证号码"], [[m.name(), m.id18()] for _ in range(20)])


def _status(user: dict, pkg_id: str) -> dict:
    return tk.get_action("guangdong_safety_status")(as_user(user), {"id": pkg_id})


def _org(org_type: str, **users: dict) -> dict:
    return make_org(org_type, users=[{"name": u["name"], "capacity": cap} for cap, u in users.items()])


@pytest.mark.parametrize("url_type", ["datastore", "xloader", "datapusher", "anything"])
def test_a_url_type_change_never_drops_the_findings(url_type: str) -> None:
    editor, admin = make_user(), make_user()
    org = _org("city", editor=editor, admin=admin)  # no review: only the findings hold it
    pkg = create(org["id"], user=editor, resources=[{"upload": upload("people.csv", _people_csv()),
                                                    "url": "people.csv", "name": "名单", "format": "CSV"}])
    res = pkg["resources"][0]
    assert wait_scan(pkg["id"], res["id"])["state"] == "findings"
    for patch in ({"url_type": url_type}, {"url_type": url_type, "url": ""}):
        with pytest.raises(tk.ValidationError) as refused:
            tk.get_action("resource_patch")(as_user(editor), {"id": res["id"], **patch})
        assert "url_type" in refused.value.error_dict
    state = _status(editor, pkg["id"])
    assert "findings" in state["holds"]
    assert show(pkg["id"])["resources"][0]["url_type"] == "upload"
    # the organisation admin's publish keeps it held
    tk.get_action("package_patch")(as_user(admin), {"id": pkg["id"], "private": False})
    assert show(pkg["id"])["private"] is True and not anonymous_sees(pkg["id"])
    assert "findings" in _status(admin, pkg["id"])["holds"]


@pytest.mark.parametrize("url_type", ["xloader", "datapusher", "anything"])
def test_a_link_with_a_url_type_from_an_editor_is_refused_in_both_languages(gd_app: object, url_type: str) -> None:
    editor = make_user()
    org = _org("city", editor=editor)
    pkg = create(org["id"], user=editor)
    link = {"package_id": pkg["id"], "url": "https://example.com/people-with-ids.csv",
            "url_type": url_type, "format": "CSV", "name": "名单"}
    messages = {}
    for lang in ("zh_Hans_CN", "en"):
        with in_language(gd_app, lang), pytest.raises(tk.ValidationError) as refused:
            tk.get_action("resource_create")(as_user(editor), link)
        messages[lang] = refused.value.error_dict["url_type"][0]
    assert "数据存储" in messages["zh_Hans_CN"] and "DataStore" in messages["en"], messages
    assert show(pkg["id"])["resources"] == []
    # a DataStore url_type with somebody else's link is a file too
    with pytest.raises(tk.ValidationError):
        tk.get_action("resource_create")(as_user(editor), dict(link, url_type="datastore"))


def test_only_the_datastores_own_resources_skip_the_scan() -> None:
    link = {"id": "r1", "url": "https://example.com/people.csv", "format": "CSV"}
    for url_type in ("xloader", "datapusher", "anything", "datastore"):
        assert gate.is_scanned(dict(link, url_type=url_type)), url_type
    for url in ("", "_datastore_only_resource", "http://portal/datastore/dump/r1"):
        assert not gate.is_scanned(dict(link, url=url, url_type="datastore")), url
    assert gate.is_scanned(dict(link, url="http://portal/datastore/dump/other", url_type="datastore"))


def test_a_request_waiting_for_review_survives_a_move_to_an_organisation_without_review() -> None:
    editor, city_admin = make_user(), make_user()
    dept = _org("department", editor=editor)          # needs a review
    city = _org("city", editor=editor, admin=city_admin)  # does not
    pkg = create(dept["id"], user=editor)  # no file: only the review holds it
    assert _status(editor, pkg["id"])["holds"] == ["review"]
    tk.get_action("package_patch")(as_user(editor), {"id": pkg["id"], "owner_org": city["id"], "private": False})
    moved = show(pkg["id"])
    assert moved["owner_org"] == city["id"] and moved["private"] is True and not anonymous_sees(pkg["id"])
    state = _status(editor, pkg["id"])
    assert state["holds"] == ["review"] and state["publication"]["state"] == "requested"
    # a reviewer of its organisation now decides
    with pytest.raises(tk.NotAuthorized):
        tk.get_action("guangdong_safety_approve")(as_user(editor), {"id": pkg["id"]})
    state = tk.get_action("guangdong_safety_approve")(as_user(city_admin), {"id": pkg["id"], "comment": "同意"})
    assert state["private"] is False and anonymous_sees(pkg["id"])
    # withdrawn instead: the publisher may take it back, and it stays private
    other = create(dept["id"], user=editor)
    tk.get_action("package_patch")(as_user(editor), {"id": other["id"], "owner_org": city["id"], "private": False})
    state = tk.get_action("guangdong_safety_withdraw")(as_user(editor), {"id": other["id"]})
    assert state["private"] is True and state["publication"]["state"] == "withdrawn"
