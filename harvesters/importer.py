"""Writing a harvested dataset: create or update through CKAN's package actions (so the schema
validators run exactly as for a publisher's form), stable names and resource ids, provenance.

Its steps have modules of their own: ``existing`` (the dataset a record already has, and whether
this source may write it), ``organizations`` (where the record goes), ``objects`` (harvest-object
bookkeeping), ``withdrawal`` (what the city removed), ``site`` (the site user)."""
from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.types import Context

from ckanext.guangdong.metadata import naming, openness

from . import objects, schema_fit
from .crosswalk import Crosswalk
from .existing import Existing, check_may_write, find_existing
from .mapping import Mapped, RemoteRecord
from .organizations import owner_org
from .sanitize import name_from_identifier
from .site import site_context
from .withdrawal import WITHDRAWN_AT

PROVENANCE = ("harvest_source_id", "harvest_remote_id", "harvest_remote_url", "harvested_at")


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
    """Create or update the dataset for a mapped record and make ``harvest_object`` current
    (committed by the caller). Raises RecordRejected or tk.ValidationError; on error nothing of
    the dataset is written (one package action)."""
    source_id = harvest_object.harvest_source_id or harvest_object.source.id
    values = build_values(mapped, record, cfg, source_id)
    identifier = values["identifier"]
    # Until this import commits, no other consumer writes this identifier (the lookup below
    # and the create or update are one step for everyone else).
    naming.lock_identifier(identifier)
    existing = find_existing(identifier, harvest_object, source_id)
    check_may_write(existing, identifier, harvest_object, source_id, cfg["precedence"])
    fields = schema_fit.schema_fields()
    pkg = _package(values, cfg, crosswalk, fields)
    ctx = site_context()
    if existing is None:
        name = unique_name(identifier, cfg.get("dataset_name_prefix") or "gd")
        return _create(harvest_object, pkg, mapped, name, ctx)
    return _update(harvest_object, existing, pkg, mapped, values, fields, ctx)


def _package(values: dict[str, Any], cfg: dict[str, Any], crosswalk: Crosswalk,
             fields: dict[str, Any]) -> dict[str, Any]:
    """The package dict of the record's values, placed as the schema wants them."""
    pkg: dict[str, Any] = {"type": "dataset", "owner_org": owner_org(values, cfg, crosswalk),
                           # 不予开放 may exist only as a private catalog entry.
                           "private": not openness.may_be_public(values.get("access_rights"))}
    pkg["tags"] = [{"name": t} for t in values.pop("tags", [])]
    schema_fit.place(pkg, values, fields)
    return pkg


def _create(harvest_object: Any, pkg: dict[str, Any], mapped: Mapped, name: str,
            ctx: Context) -> Outcome:
    pkg["id"] = str(uuid.uuid4())
    pkg["name"] = name
    pkg["resources"] = [{k: v for k, v in r.items() if k != "remote_id"} for r in mapped.resources]
    # Link the harvest object first (constraint deferred) so the dataset is indexed
    # with its harvest info, as ckanext-harvest's own base class does.
    objects.make_current(harvest_object, pkg["id"])
    model.Session.execute(sa.text("SET CONSTRAINTS harvest_object_package_id_fkey DEFERRED"))
    model.Session.flush()
    # return_id_only: we do not need the package_show that package_create ends with.
    tk.get_action("package_create")({**ctx, "return_id_only": True}, pkg)
    return Outcome(pkg["id"], "created")


def _update(harvest_object: Any, existing: Existing, pkg: dict[str, Any], mapped: Mapped,
            values: dict[str, Any], fields: dict[str, Any], ctx: Context) -> Outcome:
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
    status = "unchanged"
    if existing.state != "active" or _differs(old, merged):
        tk.get_action("package_update")({**ctx, "return_id_only": True}, merged)
        status = "updated"
    objects.make_current(harvest_object, existing.id)
    return Outcome(existing.id, status)


def _res_core(res: dict[str, Any]) -> tuple:
    return (res.get("id"), res.get("url"), res.get("name"), res.get("format"), res.get("description"))


def _extra(pkg: dict[str, Any], key: str) -> str | None:
    for e in pkg.get("extras", []) or []:
        if e.get("key") == key:
            return e.get("value")
    return None
