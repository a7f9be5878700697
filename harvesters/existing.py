"""Finding the dataset a harvested record already has (by its identifier, or by our own link
when the identifier changed remotely), and whether this source may write it."""
from __future__ import annotations

# The pyright ignores in this file: ckanext-harvest's model declares plain Column attributes,
# so a type checker reads a row's values (ids, dates, content) as Column objects.
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from ckan import model

from . import store
from .errors import DuplicateInSource, RecordRejected


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


def find_existing(identifier: str, harvest_object: Any, source_id: str) -> Existing | None:
    """The dataset this record writes: the one holding its identifier, else (the same remote
    record, its identifier changed remotely) the one our own link points at."""
    existing = find_by_identifier(identifier)
    if existing is None and store.object_extra(harvest_object, store.STATUS) != "new":
        for prev in store.current_objects_for(source_id, harvest_object.guid):
            existing = find_by_package_id(prev.package_id) or existing  # pyright: ignore[reportArgumentType]
    return existing


def check_may_write(existing: Existing | None, identifier: str, harvest_object: Any,
                    source_id: str, precedence: int) -> None:
    """Raise DuplicateInSource or RecordRejected('duplicate_identifier') unless this record
    may write the existing dataset (or there is none)."""
    if existing is None:
        return
    if existing.source_id == source_id:
        holder = holding_record(source_id, existing.id, harvest_object)
        if holder is not None:
            raise DuplicateInSource(
                f"identifier {identifier} is already used by record {holder} of this source "
                f"(dataset {existing.name}); this record was not imported")
    if existing.source_id and existing.source_id != source_id:
        theirs = source_precedence(existing.source_id)
        if precedence >= theirs:
            raise RecordRejected("duplicate_identifier",
                                 f"identifier {identifier} is already harvested from source "
                                 f"{existing.source_id} (precedence {theirs} vs ours {precedence})")
    elif not existing.source_id and existing.state == "active":
        raise RecordRejected("duplicate_identifier",
                             f"identifier {identifier} belongs to dataset {existing.name}, "
                             "published on this portal; harvested copies never overwrite it")


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
