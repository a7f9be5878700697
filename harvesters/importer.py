"""Writing harvested datasets: organization, de-duplication by identifier, create or
update through CKAN's package actions (so the schema validators run exactly as for a
publisher's form), stable resource ids, provenance and withdrawals."""
from __future__ import annotations

# The pyright ignores in this file: ckanext-harvest's model declares plain Column attributes,
# so a type checker reads a row's values (ids, dates, content) as Column objects.
import datetime
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.types import Context

from ckanext.guangdong.metadata import naming, openness

from . import schema_fit
from .crosswalk import Crosswalk
from .errors import DuplicateInSource, RecordRejected
from .mapping import Mapped, RemoteRecord
from .sanitize import name_from_identifier

log = logging.getLogger(__name__)

PROVENANCE = ("harvest_source_id", "harvest_remote_id", "harvest_remote_url", "harvested_at")
WITHDRAWN_AT = "harvest_withdrawn_at"


_site_user: list[str] = []


def site_context() -> Context:
    """Context of the site user (the harvest runs as the site, like ckanext-harvest)."""
    if not _site_user or not model.Session.query(model.User.id).filter(
            model.User.name == _site_user[0]).first():
        # (get_site_user creates the user when missing, e.g. after a database reset)
        _site_user[:] = [tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]]
    return {"user": _site_user[0], "ignore_auth": True, "model": model, "session": model.Session}


# --- organizations -------------------------------------------------------------------

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
    import time
    if time.monotonic() - _departments["at"] < _DEPARTMENT_TTL:
        return _departments
    ge = model.GroupExtra
    rows = (model.Session.query(model.Group.id, model.Group.title)
            .join(ge, sa.and_(ge.group_id == model.Group.id, ge.key == "org_type",
                              ge.value == "department", ge.state == "active"))
            .filter(model.Group.is_organization.is_(True), model.Group.state == "active").all())
    ids = [r[0] for r in rows]
    codes = dict(model.Session.query(model.GroupExtra.value, model.GroupExtra.group_id)
                 .filter(model.GroupExtra.group_id.in_(ids), model.GroupExtra.key == "publisher_id")
                 .all()) if ids else {}
    _departments.update(at=time.monotonic(), by_title={t: i for i, t in rows}, by_code=codes)
    return _departments


def department_org(publisher_name: str | None, publisher_id: str | None,
                   mapping: dict[str, str]) -> str | None:
    """A provincial department the record names: by the source's explicit mapping, else an
    organization with org_type=department whose title equals the publisher name (or whose
    publisher_id equals the record's 统一社会信用代码)."""
    if publisher_name and publisher_name in mapping:
        group = model.Group.get(mapping[publisher_name])
        if group and group.state == "active":
            return group.id
    if not publisher_name and not publisher_id:
        return None
    index = _department_index()
    return index["by_title"].get(publisher_name or "") or index["by_code"].get(publisher_id or "")


# --- finding the existing dataset ---------------------------------------------------

@dataclass
class Existing:
    id: str
    name: str
    state: str
    source_id: str | None


def find_by_identifier(identifier: str) -> Existing | None:
    """The dataset holding this identifier (read-only lookup; the active one first).
    Scheming stores dataset fields as package extras, so one indexed table read answers
    it without the search index (which may lag behind within a job)."""
    pe = model.PackageExtra
    rows = (model.Session.query(model.Package.id, model.Package.name, model.Package.state)
            .join(pe, pe.package_id == model.Package.id)
            .filter(pe.key == "identifier", pe.value == identifier)
            .filter(model.Package.type == "dataset")
            .order_by(sa.case((model.Package.state == "active", 0), else_=1))
            .all())
    if not rows:
        return None
    pid, name, state = rows[0]
    return Existing(pid, name, state, _source_of(pid))


def find_by_package_id(package_id: str | None) -> Existing | None:
    if not package_id:
        return None
    pkg = model.Package.get(package_id)
    if not pkg:
        return None
    return Existing(pkg.id, pkg.name, pkg.state, _source_of(pkg.id))


def _source_of(package_id: str) -> str | None:
    row = (model.Session.query(model.PackageExtra.value)
           .filter(model.PackageExtra.package_id == package_id,
                   model.PackageExtra.key == "harvest_source_id").first())
    return row[0] if row else None


def holding_record(source_id: str, package_id: str, harvest_object: Any) -> str | None:
    """The guid of *another* remote record of this source that currently holds the dataset
    (its current harvest object), or None when the dataset is this record's or nobody's (e.g.
    its record was withdrawn: then the next record with the identifier takes it over)."""
    from ckanext.harvest.model import HarvestObject
    row = (model.Session.query(HarvestObject.guid)
           .filter(HarvestObject.harvest_source_id == source_id,
                   HarvestObject.package_id == package_id,
                   HarvestObject.current.is_(True),
                   HarvestObject.guid != harvest_object.guid,
                   HarvestObject.id != harvest_object.id)
           .order_by(HarvestObject.guid).first())
    return row[0] if row else None


def source_precedence(source_id: str) -> int:
    from ckanext.harvest.model import HarvestSource
    src = HarvestSource.get(source_id)
    if not src or not src.active:
        return 10**6  # a removed source never wins
    try:
        return int(json.loads(src.config or "{}").get("precedence", 100))
    except (ValueError, TypeError, AttributeError):
        return 100


# --- names ------------------------------------------------------------------------------

def unique_name(identifier: str, prefix: str) -> str:
    base = name_from_identifier(identifier, prefix)
    name, n = base, 1
    while model.Session.query(model.Package.id).filter(model.Package.name == name).first():
        n += 1
        name = f"{base[:95]}-{n}"
    return name


# --- resources --------------------------------------------------------------------------

def merge_resources(new: list[dict[str, Any]], old: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep resource ids stable: a file with the same URL (or else the same name) as an
    existing resource updates that resource instead of replacing it."""
    by_url = {r.get("url"): r for r in old}
    by_name = {r.get("name"): r for r in old if r.get("name")}
    used: set[str] = set()
    out = []
    for res in new:
        res = {k: v for k, v in res.items() if k != "remote_id"}
        match = by_url.get(res["url"]) or by_name.get(res.get("name"))
        if match and match["id"] not in used:
            used.add(match["id"])
            res["id"] = match["id"]
        out.append(res)
    return out


# --- the write --------------------------------------------------------------------------

@dataclass
class Outcome:
    package_id: str | None
    status: str  # created | updated | unchanged | skipped


def build_values(mapped: Mapped, record: RemoteRecord, cfg: dict[str, Any],
                 source_id: str) -> dict[str, Any]:
    values: dict[str, Any] = dict(cfg.get("defaults") or {})
    values.update(mapped.fields)
    values.update(cfg.get("force") or {})
    for enum_name in ("frequency", "access_rights"):
        if values.get(enum_name):
            values[enum_name] = schema_fit.fit_choice(enum_name, values[enum_name])
    values.setdefault("region_code", cfg["region_code"])
    values.update({
        "harvest_source_id": source_id,
        "harvest_remote_id": record.remote_id,
        "harvest_remote_url": record.remote_url,
        "harvested_at": datetime.datetime.utcnow().replace(microsecond=0).isoformat(),
        WITHDRAWN_AT: None,
    })
    return values


_VOLATILE = {"harvested_at", "metadata_modified", "metadata_created", "revision_id"}


def _differs(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether an update would change anything we map (so an unchanged record is not
    re-written, which would bump metadata_modified and re-index for nothing)."""
    for key, value in new.items():
        if key in _VOLATILE or key in ("resources", "extras", "tags"):
            continue
        if (old.get(key) in (None, "", [])) and (value in (None, "", [])):
            continue
        if old.get(key) != value:
            return True
    if sorted(t["name"] for t in old.get("tags", [])) != sorted(t["name"] for t in new.get("tags", [])):
        return True
    old_extras = {e["key"]: e["value"] for e in old.get("extras", []) if e["key"] not in _VOLATILE}
    new_extras = {e["key"]: e["value"] for e in new.get("extras", []) if e["key"] not in _VOLATILE}
    if old_extras != new_extras:
        return True
    return [_res_core(r) for r in old.get("resources", [])] != \
        [_res_core(r) for r in new.get("resources", [])]


def write_dataset(harvest_object: Any, record: RemoteRecord, mapped: Mapped, cfg: dict[str, Any],
                  crosswalk: Crosswalk) -> Outcome:
    """Create or update the dataset for a mapped record. Raises RecordRejected or
    tk.ValidationError; on error nothing of the dataset is written (one package action)."""
    source_id = harvest_object.harvest_source_id or harvest_object.source.id
    values = build_values(mapped, record, cfg, source_id)
    identifier = values["identifier"]

    # Until this import commits, no other consumer writes this identifier (the lookup below
    # and the create or update are one step for everyone else).
    naming.lock_identifier(identifier)
    existing = find_by_identifier(identifier)
    from . import store
    if existing is None and store.object_extra(harvest_object, store.STATUS) != "new":
        # Same remote record, identifier changed remotely: follow our own link.
        for prev in store.current_objects_for(source_id, harvest_object.guid):
            existing = find_by_package_id(prev.package_id) or existing  # pyright: ignore[reportArgumentType]
    if existing and existing.source_id == source_id:
        holder = holding_record(source_id, existing.id, harvest_object)
        if holder is not None:
            raise DuplicateInSource(
                f"identifier {identifier} is already used by record {holder} of this source "
                f"(dataset {existing.name}); this record was not imported")
    if existing and existing.source_id and existing.source_id != source_id:
        mine, theirs = cfg["precedence"], source_precedence(existing.source_id)
        if mine >= theirs:
            raise RecordRejected("duplicate_identifier",
                                 f"identifier {identifier} is already harvested from source "
                                 f"{existing.source_id} (precedence {theirs} vs ours {mine})")
    elif existing and not existing.source_id and existing.state == "active":
        raise RecordRejected("duplicate_identifier",
                             f"identifier {identifier} belongs to dataset {existing.name}, "
                             "published on this portal; harvested copies never overwrite it")

    owner = department_org(values.get("publisher_name"), values.get("publisher_identifier"),
                           cfg.get("departments") or {}) or city_org(cfg["region_code"], crosswalk)
    fields = schema_fit.schema_fields()
    pkg: dict[str, Any] = {"type": "dataset", "owner_org": owner,
                           # 不予开放 may exist only as a private catalog entry.
                           "private": not openness.may_be_public(values.get("access_rights"))}
    tags = values.pop("tags", [])
    pkg["tags"] = [{"name": t} for t in tags]
    schema_fit.place(pkg, values, fields)
    ctx = site_context()

    if existing is None:
        pkg["id"] = str(uuid.uuid4())
        pkg["name"] = unique_name(identifier, cfg.get("dataset_name_prefix") or "gd")
        pkg["resources"] = [{k: v for k, v in r.items() if k != "remote_id"} for r in mapped.resources]
        # Link the harvest object first (constraint deferred) so the dataset is indexed
        # with its harvest info, as ckanext-harvest's own base class does.
        harvest_object.package_id = pkg["id"]
        harvest_object.current = True
        harvest_object.add()
        _only_current(harvest_object)
        model.Session.execute(sa.text("SET CONSTRAINTS harvest_object_package_id_fkey DEFERRED"))
        model.Session.flush()
        # return_id_only: we do not need the package_show that package_create ends with.
        tk.get_action("package_create")({**ctx, "return_id_only": True}, pkg)
        return Outcome(pkg["id"], "created")

    old = tk.get_action("package_show")({**ctx, "use_cache": False}, {"id": existing.id})
    pkg["id"] = existing.id
    pkg["name"] = old["name"]
    pkg["resources"] = merge_resources(mapped.resources, old.get("resources", []))
    if existing.state != "active":
        pkg["state"] = "active"
    if not values.get(WITHDRAWN_AT) and (old.get(WITHDRAWN_AT) or _extra(old, WITHDRAWN_AT)):
        pkg[WITHDRAWN_AT] = "" if WITHDRAWN_AT in fields else None
    # Fields this source does not map stay as they were (e.g. a department's own edits to
    # fields the city does not publish): only keys we set are replaced.
    merged = {**old, **pkg}
    if WITHDRAWN_AT not in fields:
        merged["extras"] = [e for e in old.get("extras", []) if e["key"] not in
                            {x["key"] for x in pkg.get("extras", [])} | {WITHDRAWN_AT}] \
            + pkg.get("extras", [])
    if existing.state == "active" and not _differs(old, merged):
        _relink(harvest_object, existing.id)
        return Outcome(existing.id, "unchanged")
    tk.get_action("package_update")({**ctx, "return_id_only": True}, merged)
    _relink(harvest_object, existing.id)
    return Outcome(existing.id, "updated")


def _res_core(res: dict[str, Any]) -> tuple:
    return (res.get("id"), res.get("url"), res.get("name"), res.get("format"), res.get("description"))


def _extra(pkg: dict[str, Any], key: str) -> str | None:
    for e in pkg.get("extras", []) or []:
        if e.get("key") == key:
            return e.get("value")
    return None


def _relink(harvest_object: Any, package_id: str) -> None:
    """This object becomes the current one for the dataset (ckanext-harvest convention)."""
    from ckanext.harvest.model import HarvestObject
    model.Session.query(HarvestObject).filter(HarvestObject.package_id == package_id) \
        .filter(HarvestObject.id != harvest_object.id).update({"current": False})
    _only_current(harvest_object)
    harvest_object.package_id = package_id
    harvest_object.current = True
    harvest_object.save()


def _only_current(harvest_object: Any) -> None:
    """One current object per remote record (the next gather reads its fingerprint);
    committed together with the dataset."""
    from ckanext.harvest.model import HarvestObject
    model.Session.query(HarvestObject).filter(
        HarvestObject.harvest_source_id == harvest_object.harvest_source_id,
        HarvestObject.guid == harvest_object.guid,
        HarvestObject.id != harvest_object.id).update({"current": False}, synchronize_session=False)


def mark_duplicate(harvest_object: Any) -> None:
    """A record skipped for precedence stays 'current' without a dataset, so an unchanged
    re-harvest does not fetch it again (its fingerprint is remembered)."""
    from ckanext.harvest.model import HarvestObject
    model.Session.query(HarvestObject).filter(
        HarvestObject.harvest_source_id == harvest_object.harvest_source_id,
        HarvestObject.guid == harvest_object.guid,
        HarvestObject.id != harvest_object.id).update({"current": False})
    harvest_object.current = True
    harvest_object.package_id = None
    harvest_object.save()


def withdraw(package_id: str | None, source_id: str, mode: str) -> str:
    """Withdraw a dataset removed at its source. Returns what was done. Only the source
    that currently holds the dataset may withdraw it (another may have precedence)."""
    existing = find_by_package_id(package_id)
    if not existing or existing.state == "deleted":
        return "gone"
    if existing.source_id and existing.source_id != source_id:
        return "held by another source"
    ctx = site_context()
    if mode == "delete":
        tk.get_action("package_delete")(ctx, {"id": existing.id})
        return "deleted"
    fields = schema_fit.schema_fields()
    now = datetime.datetime.utcnow().replace(microsecond=0).isoformat()
    if WITHDRAWN_AT in fields:
        tk.get_action("package_patch")(ctx, {"id": existing.id, "private": True, WITHDRAWN_AT: now})
    else:
        old = tk.get_action("package_show")({**ctx, "use_cache": False}, {"id": existing.id})
        extras = [e for e in old.get("extras", []) if e["key"] != WITHDRAWN_AT]
        extras.append({"key": WITHDRAWN_AT, "value": now})
        tk.get_action("package_patch")(ctx, {"id": existing.id, "private": True, "extras": extras})
    return "withdrawn"
