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


@pytest.mark.parametrize(("pkg", "field", "kind"), [
    ({"identifier": "29000/440106199003071231"}, "identifier", "resident_id"),   # a10 M2
    ({"identifier": "29000/13800138000"}, "identifier", "mobile"),
    ({"record_count": "013800138000"}, "record_count", "mobile"),                # a10 L5
    ({"record_count": 13800138000}, "record_count", "mobile"),
    ({"title": "联系电话 13800138000e0"}, "title", "mobile"),                     # a10 H2
    ({"title": "电话 0.13800138e11"}, "title", "mobile"),
])
def test_the_identifier_and_record_count_are_scanned_as_metadata(pkg: dict, field: str, kind: str) -> None:
    from ckanext.guangdong.safety import gate
    findings, _digest = gate.metadata_scan({"title": "各区人口", "type": "dataset", **pkg})
    assert (field, kind) in {(f["column"], f["detector"]) for f in findings}, findings


def test_an_identifier_with_personal_data_gives_no_url_name() -> None:
    """a10 M2: 29000/440106199003071231 was public as gd-29000-440106199003071231."""
    from ckanext.guangdong.metadata import naming
    assert naming.name_stem("dataset", "29000/01300008") == "gd-29000-01300008"
    for identifier in ("29000/440106199003071231", "29000/13800138000"):
        stem = naming.name_stem("dataset", identifier, "各区人口")
        assert identifier.split("/")[1] not in stem and not naming.holds_personal_data(stem), stem
    assert gate_findings_of_a_clean_identifier() == []


def test_a_harvested_identifiers_digits_are_not_a_bank_card() -> None:
    """A city's catalogue code runs its digits together; one in ten passes the card's Luhn
    check (4416000700000003): no finding, and the name is made from it (CI precheck: 9 of 100
    harvested datasets were held and named by pinyin)."""
    from ckanext.guangdong.metadata import naming
    from ckanext.guangdong.safety import detectors as d
    from ckanext.guangdong.safety import gate
    code = "44160007/00000003"
    assert d.classify("4416000700000003") == d.BANK_CARD  # the case: Luhn holds
    findings, _digest = gate.metadata_scan({"title": "各区人口", "type": "dataset", "identifier": code})
    assert findings == []
    assert naming.name_stem("dataset", code) == "gd-44160007-00000003"


def gate_findings_of_a_clean_identifier() -> list:
    from ckanext.guangdong.safety import gate
    return gate.metadata_scan({"title": "各区人口", "type": "dataset", "identifier": "29000/01300008",
                               "name": "gd-29000-01300008", "record_count": 1200})[0]
