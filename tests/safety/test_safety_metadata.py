"""The contact's and the publisher's names are scanned like the other metadata text: a mobile or
an ID number written there holds the dataset (the contact e-mail and phone are contact points,
published on purpose)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from safety_support import as_user, create, make_org, show

pytestmark = pytest.mark.usefixtures("gd")


@pytest.mark.parametrize(("field", "value", "kind"), [
    ("contact_name", "张先生 13800138000", "mobile"),
    ("publisher_name", "广州市测试局（经办人 44010319900101123X）", "resident_id"),
])
def test_personal_data_in_contact_or_publisher_name_holds_the_dataset(field: str, value: str, kind: str) -> None:
    from ckanext.guangdong.safety import detectors as d
    if kind == "resident_id":  # a valid check character
        value = value.replace("44010319900101123X", "44010319900101123" + d.id_check_character("44010319900101123"))
    org = make_org("city")
    pkg = create(org["id"], **{field: value})
    assert show(pkg["id"])["private"] is True
    state = tk.get_action("guangdong_safety_status")(as_user(None), {"id": pkg["id"]})
    assert "metadata" in state["holds"]
    assert (field, kind) in {(f["column"], f["detector"]) for f in state["metadata"]["findings"]}
    # the contact point fields themselves are not findings
    clean = create(org["id"], contact_name="数据科", contact_phone="020-83456789")
    assert show(clean["id"])["private"] is False


def test_a_mobile_in_a_data_item_as_the_form_posts_it_holds_the_dataset() -> None:
    """The dataset form posts data items as ``data_items-0-description`` ... (ckanext-scheming
    folds them into the list only while validating): the gate reads them at the write too, so
    the dataset is held, not saved public with a mobile number in its metadata."""
    org = make_org("city")
    pkg = create(org["id"], **{"data_items-0-name": "联系人", "data_items-0-type": "string",
                               "data_items-0-description": "经办人 13800138000"})
    assert show(pkg["id"])["data_items"][0]["description"] == "经办人 13800138000"
    assert show(pkg["id"])["private"] is True
    state = tk.get_action("guangdong_safety_status")(as_user(None), {"id": pkg["id"]})
    assert state["holds"] == ["metadata"]
