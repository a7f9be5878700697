"""The organization a harvested record goes to: the provincial department it names, else its
city's organization (``city-<code>``, created on first use)."""
from __future__ import annotations

import time
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from .crosswalk import Crosswalk
from .site import site_context


def _org_schema_fields() -> set[str]:
    try:
        from ckanext.scheming.helpers import scheming_get_organization_schema
        schema = scheming_get_organization_schema("organization") or {}
    except Exception:
        return set()
    return {f["field_name"] for f in schema.get("fields", [])}


def city_org(code: str, crosswalk: Crosswalk) -> str:
    """Id of organization city-<code>, created on first use."""
    name = f"city-{code}"
    row = model.Session.query(model.Group.id).filter(model.Group.name == name,
                                                     model.Group.state == "active").first()
    if row:
        return row[0]
    group = model.Group.get(name)
    title = crosswalk.region_title(code) or name
    data: dict[str, Any] = {"name": name, "title": title}
    org_fields = {"region_code": code, "org_type": "city"}
    if _org_schema_fields() >= set(org_fields):
        data.update(org_fields)   # the schema feature's organization fields
    else:
        data["extras"] = [{"key": k, "value": v} for k, v in org_fields.items()]
    ctx = site_context()
    if group:  # deleted earlier: bring it back rather than fail on the name
        data.update(id=group.id, state="active")
        return tk.get_action("organization_update")(ctx, data)["id"]
    return tk.get_action("organization_create")(ctx, data)["id"]


_departments: dict[str, Any] = {"at": 0.0, "by_title": {}, "by_code": {}}
_DEPARTMENT_TTL = 60.0


def _department_index() -> dict[str, Any]:
    """Provincial departments (org_type=department) by title and by 统一社会信用代码, read
    once a minute rather than once per record."""
    if time.monotonic() - _departments["at"] < _DEPARTMENT_TTL:
        return _departments
    ge = model.GroupExtra
    rows = (model.Session.query(model.Group.id, model.Group.title)
            .join(ge, sa.and_(ge.group_id == model.Group.id, ge.key == "org_type",
                              ge.value == "department", ge.state == "active"))
            .filter(model.Group.is_organization.is_(True), model.Group.state == "active").all())
    ids = [r[0] for r in rows]
    codes = dict(model.Session.query(model.GroupExtra.value, model.GroupExtra.group_id)
                 .filter(model.GroupExtra.group_id.in_(ids), model.GroupExtra.key == "identifier")
                 .all()) if ids else {}
    _departments.update(at=time.monotonic(), by_title={t: i for i, t in rows}, by_code=codes)
    return _departments


def department_org(publisher_name: str | None, publisher_identifier: str | None,
                   mapping: dict[str, str]) -> str | None:
    """A provincial department the record names: by the source's explicit mapping, else an
    organization with org_type=department whose title equals the publisher name (or whose
    ``identifier``, the organization schema's 统一社会信用代码, equals the record's
    ``publisher_identifier``)."""
    if publisher_name and publisher_name in mapping:
        group = model.Group.get(mapping[publisher_name])
        if group and group.state == "active":
            return group.id
    if not publisher_name and not publisher_identifier:
        return None
    index = _department_index()
    return index["by_title"].get(publisher_name or "") or index["by_code"].get(publisher_identifier or "")


def owner_org(values: dict[str, Any], cfg: dict[str, Any], crosswalk: Crosswalk) -> str:
    """Where a record's dataset belongs: the department it names, else its city."""
    return department_org(values.get("publisher_name"), values.get("publisher_identifier"),
                          cfg.get("departments") or {}) or city_org(cfg["region_code"], crosswalk)
