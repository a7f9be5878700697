"""Chinese first, English too: every label, choice and message of ours in both languages;
facets on /dataset with translated titles and value labels."""
from __future__ import annotations

import glob
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
import yaml
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from gd_testing import dataset_dict, make_org, make_sysadmin

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "ckanext-guangdong" / "ckanext" / "guangdong"
LOCALES = ("zh_Hans_CN", "en")


def _texts(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every label / help text / placeholder / repeating label in a scheming YAML."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("label", "help_text", "repeating_label", "form_placeholder", "title"):
                yield f"{path}.{key}", value
            yield from _texts(value, f"{path}.{node.get('field_name', key)}")
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item, path)


@pytest.mark.parametrize("schema", ["dataset.yaml", "application.yaml", "organization.yaml"])
def test_every_schema_text_is_in_both_languages(schema: str) -> None:
    data = yaml.safe_load((ROOT / "schemas" / schema).read_text("utf-8"))
    texts = list(_texts(data))
    assert texts
    for where, text in texts:
        if isinstance(text, str) and not any("\u4e00" <= ch <= "\u9fff" for ch in text):
            continue  # language-neutral placeholders such as 29000/01300008 or https://
        assert isinstance(text, dict) and set(LOCALES) <= set(text), where
        assert all(text[lang].strip() for lang in LOCALES), where


def test_every_vocabulary_entry_has_both_labels() -> None:
    from ckanext.guangdong.metadata import vocab
    for name in vocab._SOURCES:
        for entry in vocab.entries(name):
            assert all(entry["label"][lang] for lang in LOCALES), (name, entry["value"])
            assert entry["label"]["zh_Hans_CN"] != entry["value"] or name in ("themes", "formats"), \
                (name, entry["value"])


# Modules shared by every feature keep their messages in one feature's translations.
SHARED_MODULES = {"harvest_ops": ["urlpolicy.py"], "theme": ["params.py"]}


@pytest.mark.parametrize("feature", ["metadata", "application", "security", "harvest_ops", "targets", "theme"])
def test_every_message_in_code_is_translated(feature: str) -> None:
    msgids = set()
    paths = glob.glob(str(PACKAGE / feature / "**" / "*.py"), recursive=True)
    for path in paths + [str(PACKAGE / name) for name in SHARED_MODULES.get(feature, [])]:
        msgids |= {msg for _, msg, _, _ in extract_from_file("python", path) if isinstance(msg, str)}
    assert msgids
    for locale in LOCALES:
        po = PACKAGE / feature / "i18n" / locale / "LC_MESSAGES" / f"ckanext-guangdong-{feature}.po"
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        missing = [m for m in msgids if not (catalog.get(m) and catalog.get(m).string)]
        assert not missing, (locale, missing)
        if locale == "zh_Hans_CN":  # translated, not copied
            assert all(any("\u4e00" <= ch <= "\u9fff" for ch in catalog.get(m).string)
                       for m in msgids)


@pytest.mark.search_engine_neutral
@pytest.mark.usefixtures("gd")
@pytest.mark.parametrize("prefix, titles, values", [
    ("", ["提供部门", "数据领域", "开放属性", "更新频率", "行政区划", "格式", "标签"],
     ["民生服务", "无条件开放", "每月", "广州市"]),
    ("/en", ["Publishing organization", "Themes", "Access rights", "Update frequency", "Region",
             "Formats", "Tags"],
     ["Livelihood services", "Open without conditions", "Monthly", "Guangzhou"]),
])
def test_dataset_search_facets(gd_app, prefix, titles, values) -> None:
    org = make_org()
    tk.get_action("package_create")({"user": make_sysadmin()["name"]}, dataset_dict(org["id"]))
    page = gd_app.get(f"{prefix}/dataset/?organization={org['name']}").body
    positions = [page.find(t) for t in titles]
    assert all(p >= 0 for p in positions), dict(zip(titles, positions, strict=False))
    assert positions == sorted(positions)  # in this order
    for value in values:  # facet values shown as labels, not stored codes
        assert value in page, value
    search = tk.get_action("package_search")({}, {"fq": f"owner_org:{org['id']}",
                                                   "facet.field": '["theme", "region_code"]'})
    assert search["facets"]["theme"] == {"道路交通": 1, "民生服务": 1}
    assert search["facets"]["region_code"] == {"440100": 1}


@pytest.mark.usefixtures("gd")
@pytest.mark.parametrize("prefix, texts", [
    ("", ["组织类型", "行政区划代码", "地级市", "河源市", "统一社会信用代码"]),
    ("/en", ["Organization type", "Region code", "Prefecture-level city", "Heyuan",
             "Unified social credit code"]),
])
def test_organization_form_and_page(gd_app, prefix, texts) -> None:
    from ckan.tests import factories
    admin = make_sysadmin()
    headers = {"Authorization": factories.APIToken(user=admin["name"])["token"]}
    page = gd_app.get(f"{prefix}/organization/new", headers=headers)
    assert page.status_code == 200
    for text in texts:
        assert text in page.body, text
    org = make_org(org_type="city", region_code="441600")
    tk.get_action("package_create")({"user": admin["name"]}, dataset_dict(org["id"]))
    org_page = gd_app.get(f"{prefix}/organization/{org['name']}").body
    for facet in (["数据领域", "更新频率"] if not prefix else ["Themes", "Update frequency"]):
        assert facet in org_page, facet
