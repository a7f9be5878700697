"""Every validator of the dataset schema through the real package actions (good and bad input)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from gd_testing import dataset_dict, make_org, make_sysadmin, unique_identifier

pytestmark = pytest.mark.usefixtures("gd")


@pytest.fixture
def ctx() -> dict[str, Any]:
    return {"user": make_sysadmin()["name"]}


@pytest.fixture
def org() -> dict[str, Any]:
    return make_org()


def create(ctx: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return tk.get_action("package_create")(dict(ctx), data)


def errors_of(ctx: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(tk.ValidationError) as exc:
        create(ctx, data)
    return exc.value.error_dict


def test_complete_dataset_is_accepted_and_shown_with_our_fields(ctx, org) -> None:
    data = dataset_dict(org["id"])
    pkg = create(ctx, data)
    assert pkg["name"] == "gd-" + data["identifier"].replace("/", "-")
    assert pkg["theme"] == ["道路交通", "民生服务"]  # kept in vocabulary order
    assert pkg["record_count"] == 1200
    assert pkg["data_items"][1] == data["data_items"][1]
    assert pkg["resources"][0]["format"] == "CSV"  # normalised from "csv"
    assert pkg["resources"][0]["size"] == 2048
    for key in ("identifier", "publisher_name", "publisher_identifier", "access_rights", "frequency",
                "issued", "modified", "region_code", "temporal_start", "temporal_end",
                "contact_name", "contact_email", "contact_phone", "share_type", "data_level",
                "deidentified"):
        assert pkg[key] == data[key], key


@pytest.mark.parametrize("field, value, message", [
    ("identifier", "29000-01300008", "Identifier must be"),
    ("identifier", "", "This field is required"),
    ("publisher_identifier", "91350100M000100Y44", "check character"),
    ("publisher_identifier", "9135010OM000100Y43", "18 characters"),
    ("theme", ["不存在的领域"], "is not one of the allowed values"),
    ("theme", [], "Select at least one"),
    ("access_rights", "open", "is not one of the allowed values"),
    ("frequency", "hourly", "is not one of the allowed values"),
    ("region_code", "110000", "is not one of the allowed values"),
    ("modified", "2018-05-01", "earlier than the publication date"),
    ("temporal_end", "2016-12-31", "before its start"),
    ("contact_phone", "12345678", "landline"),
    ("contact_email", "opendata@", "valid email"),
    ("record_count", -1, "0 or greater"),
    ("record_count", "many", "whole number"),
    ("title", "", "This field is required"),
    ("publisher_name", "", "This field is required"),
    ("share_type", "everyone", "is not one of the allowed values"),
])
def test_bad_field_values_are_rejected_with_a_message(ctx, org, field, value, message) -> None:
    errors = errors_of(ctx, dataset_dict(org["id"], **{field: value}))
    assert any(message in m for m in errors[field]), errors


@pytest.mark.parametrize("field, value", [
    ("contact_phone", "13800138000"), ("contact_phone", "0755-1234567"),
    ("publisher_identifier", "91110000802100433B"), ("identifier", "A01-02-001/00012"),
    ("modified", "2018-06-01"), ("frequency", "irregular"), ("record_count", 0),
])
def test_good_field_values_are_accepted(ctx, org, field, value) -> None:
    data = dataset_dict(org["id"], **{field: value})
    if field == "identifier":
        data["identifier"] = value.replace("00012", unique_identifier().split("/")[1])
    pkg = create(ctx, data)
    assert str(pkg[field]) == str(data[field])


def test_identifier_is_unique_across_the_catalog(ctx, org) -> None:
    first = create(ctx, dataset_dict(org["id"]))
    other_org = make_org()
    errors = errors_of(ctx, dataset_dict(other_org["id"], identifier=first["identifier"]))
    assert any("already used" in m for m in errors["identifier"])
    # updating the dataset itself keeps its own identifier
    tk.get_action("package_patch")(dict(ctx), {"id": first["id"], "title": "新标题"})


def test_access_conditions_required_exactly_when_conditional(ctx, org) -> None:
    errors = errors_of(ctx, dataset_dict(org["id"], access_rights="conditional"))
    assert any("must state the conditions" in m for m in errors["access_conditions"])
    errors = errors_of(ctx, dataset_dict(org["id"], access_conditions="需申请"))
    assert any("only given for conditionally open" in m for m in errors["access_conditions"])
    pkg = create(ctx, dataset_dict(org["id"], access_rights="conditional",
                                   access_conditions="向省交通运输厅提交申请表"))
    assert pkg["access_conditions"] == "向省交通运输厅提交申请表"


def test_data_items_are_validated_one_by_one(ctx, org) -> None:
    errors = errors_of(ctx, dataset_dict(org["id"], data_items=[
        {"name": "线路名称", "type": "string"},
        {"name": "", "type": "integer"},
        {"name": "站点", "type": "varchar"},
    ]))
    items = errors["data_items"]
    assert items[0] == {}
    assert "This field is required" in items[1]["name"][0]
    assert "is not one of the allowed values" in items[2]["type"][0]


def test_resource_format_must_be_in_the_list(ctx, org) -> None:
    errors = errors_of(ctx, dataset_dict(org["id"], resources=[
        {"url": "http://127.0.0.1/x.exe", "name": "程序", "format": "EXE"}]))
    assert "allowed formats" in str(errors["resources"])


def test_not_open_can_never_be_public(ctx, org) -> None:
    errors = errors_of(ctx, dataset_dict(org["id"], access_rights="not_open", private=False))
    assert any("cannot be public" in m for m in errors["access_rights"])
    pkg = create(ctx, dataset_dict(org["id"], access_rights="not_open", private=True))
    assert pkg["private"] is True
    with pytest.raises(tk.ValidationError) as exc:  # patching it public fails too
        tk.get_action("package_patch")(dict(ctx), {"id": pkg["id"], "private": False})
    assert "cannot be public" in str(exc.value.error_dict)
    with pytest.raises(tk.ValidationError) as exc:  # and so does the organization bulk action
        tk.get_action("bulk_update_public")(dict(ctx), {"datasets": [pkg["id"]],
                                                         "org_id": org["id"]})
    assert pkg["name"] in str(exc.value.error_dict)
    assert tk.get_action("package_show")(dict(ctx), {"id": pkg["id"]})["private"] is True


def test_names_are_derived_unique_and_stable(ctx, org) -> None:
    ident = unique_identifier("A7")
    first = create(ctx, dataset_dict(org["id"], identifier=ident, name="typed-by-hand"))
    assert first["name"] == "gd-" + ident.lower().replace("/", "-")
    # another identifier that slugs the same way (case) gets a suffix, not an error
    second = create(ctx, dataset_dict(org["id"], identifier=ident.replace("A7", "a7")))
    assert second["name"] == first["name"] + "-2"
    updated = tk.get_action("package_patch")(dict(ctx), {"id": first["id"], "title": "完全不同的标题",
                                                         "name": "renamed"})
    assert updated["name"] == first["name"]


def test_organization_region_and_type_default_from_the_name() -> None:
    city = make_org(name=f"city-441600-{unique_identifier()[-4:]}")
    assert city["org_type"] == "department"  # only an exact city-<code> name is a city
    heyuan_name = "city-441600"
    existing = tk.get_action("organization_list")({}, {})
    if heyuan_name not in existing:
        heyuan = make_org(name=heyuan_name)
        assert (heyuan["org_type"], heyuan["region_code"]) == ("city", "441600")
    dept = make_org(org_type="department", region_code="440000")
    assert dept["region_code"] == "440000"
    with pytest.raises(tk.ValidationError):
        make_org(region_code="110000")
