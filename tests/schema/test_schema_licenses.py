"""The licence list (schemas/vocab/licenses.json): CKAN uses it, names are Chinese on Chinese
pages and English on English ones, and a dataset whose licence is left empty gets the configured
default (CC BY 4.0) on every path (form, API)."""
from __future__ import annotations

import json
from importlib import resources

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from gd_testing import dataset_dict, make_org, make_sysadmin, make_user

pytestmark = pytest.mark.usefixtures("gd")
CC_BY = {"zh_Hans_CN": "知识共享署名 4.0 国际许可协议（CC BY 4.0）",
         "en": "Creative Commons Attribution 4.0 International (CC BY 4.0)"}


@pytest.fixture(scope="module")
def org(gd_plugins: None) -> dict:
    return make_org(image_url="")


def test_ckan_uses_our_list():
    listed = json.loads(resources.files("ckanext.guangdong.schemas").joinpath("vocab", "licenses.json").read_text())
    assert model.Package.get_license_register().keys() == [entry["id"] for entry in listed]
    assert {"cc-by", "cc-by-sa", "cc-zero", "odc-by", "odc-odbl", "odc-pddl"} <= set(
        model.Package.get_license_register().keys())


@pytest.mark.parametrize("given", [None, "", "  "])
def test_empty_licence_is_the_default(org, given):
    data = dataset_dict(org["id"])
    data.pop("license_id")
    if given is not None:
        data["license_id"] = given
    pkg = tk.get_action("package_create")({"user": make_sysadmin()["name"]}, data)
    assert pkg["license_id"] == "cc-by"
    assert pkg["license_url"] == "https://creativecommons.org/licenses/by/4.0/"


@pytest.mark.ckan_config("ckanext.guangdong.default_license", "odc-by")
def test_the_default_is_configurable(org):
    data = dataset_dict(org["id"])
    data.pop("license_id")
    pkg = tk.get_action("package_create")({"user": make_sysadmin()["name"]}, data)
    assert pkg["license_id"] == "odc-by"


def test_a_chosen_licence_is_kept(org):
    pkg = tk.get_action("package_create")({"user": make_sysadmin()["name"]},
                                          dataset_dict(org["id"], license_id="cc-zero"))
    assert pkg["license_id"] == "cc-zero"


@pytest.mark.parametrize("locale,prefix", [("zh_Hans_CN", ""), ("en", "/en")])
def test_licence_names_in_the_page_language(gd_app, org, locale, prefix):
    pkg = tk.get_action("package_create")({"user": make_sysadmin()["name"]}, dataset_dict(org["id"]))
    page = gd_app.get(f"{prefix}/dataset/{pkg['name']}").body
    assert CC_BY[locale] in page
    other = CC_BY["en" if locale == "zh_Hans_CN" else "zh_Hans_CN"]
    assert other not in page
    resource_page = gd_app.get(f"{prefix}/dataset/{pkg['name']}/resource/{pkg['resources'][0]['id']}").body
    assert CC_BY[locale] in resource_page


@pytest.mark.parametrize("locale,prefix", [("zh_Hans_CN", ""), ("en", "/en")])
def test_form_offers_the_list_with_the_default_chosen(gd_app, locale, prefix):
    user = make_user()
    make_org(image_url="", users=[{"name": user["name"], "capacity": "editor"}])
    token = factories.APIToken(user=user["name"])["token"]
    page = gd_app.get(f"{prefix}/dataset/new", headers={"Authorization": token}).body
    select = page[page.index('id="field-license_id"'):]
    select = select[:select.index("</select>")]
    assert 'value="cc-by" selected' in select.replace('selected="selected"', "selected")
    assert CC_BY[locale] in select
    assert select.count("<option") == len(model.Package.get_license_register().keys())
