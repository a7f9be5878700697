"""The licence list (schemas/vocab/licenses.json, in CKAN's ``licenses_group_url`` format) and
its names in the page's language: the titles are English msgids that the schema's catalog
translates (CKAN's own ``license_options`` helper translates them the same way)."""
from __future__ import annotations

from importlib import resources
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

LICENSES_FILE_URL = "file://" + str(resources.files("ckanext.guangdong.schemas").joinpath("vocab", "licenses.json"))


def default_id() -> str:
    return tk.config.get("ckanext.guangdong.default_license") or ""


def title(license_id: str | None, fallback: str | None = None) -> str:
    """The licence's name in the request's language; an id not in the list as it is stored."""
    if not license_id:
        return ""
    license = model.Package.get_license_register().get(license_id)
    if license is None:
        return fallback or license_id
    return tk._(license.title)


def options() -> list[tuple[str, str]]:
    """(id, name) of every licence, in list order (the default first)."""
    register = model.Package.get_license_register()
    ids = list(register.keys())
    first = default_id()
    if first in ids:
        ids.remove(first)
        ids.insert(0, first)
    return [(i, tk._(register[i].title)) for i in ids]


def license_title_of(pkg_dict: dict[str, Any]) -> str:
    return title(pkg_dict.get("license_id"), pkg_dict.get("license_title"))
