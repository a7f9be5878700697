"""Harvest-object bookkeeping (ckanext-harvest's convention): of a remote record's objects one
is current, the last imported; the next gather reads its fingerprint and its dataset link."""
from __future__ import annotations

# The pyright ignores in this file: ckanext-harvest's model declares plain Column attributes,
# so a type checker reads a row's values (ids, dates) as Column objects.
from ckan import model
from ckanext.harvest.model import HarvestObject
from sqlalchemy.orm import Query


def make_current(obj: HarvestObject, package_id: str | None) -> None:
    """``obj`` becomes the one current object of its remote record and, with a dataset, of that
    dataset; ``package_id`` None keeps a record without a dataset (one skipped for precedence
    stays current so an unchanged re-harvest does not fetch it again). Committed by the caller,
    together with the dataset."""
    if package_id is not None:
        model.Session.query(HarvestObject).filter(
            HarvestObject.package_id == package_id, HarvestObject.id != obj.id,
        ).update({"current": False}, synchronize_session=False)
    _of_record(obj).filter(HarvestObject.id != obj.id).update({"current": False}, synchronize_session=False)
    obj.package_id = package_id  # pyright: ignore[reportAttributeAccessIssue]
    obj.current = True  # pyright: ignore[reportAttributeAccessIssue]
    obj.add()


def unlink_failed(obj: HarvestObject) -> None:
    """After a failed create, the object must not point at a dataset that never was."""
    obj = model.Session.merge(obj)
    if obj.package_id and not model.Package.get(obj.package_id):  # pyright: ignore[reportArgumentType]
        obj.package_id = None  # pyright: ignore[reportAttributeAccessIssue]
        obj.current = False  # pyright: ignore[reportAttributeAccessIssue]
        obj.save()


def retire_record(obj: HarvestObject) -> None:
    """No object of this remote record is current any more: the record left the source."""
    _of_record(obj).update({"current": False})
    obj.current = False  # pyright: ignore[reportAttributeAccessIssue]
    obj.save()


def _of_record(obj: HarvestObject) -> Query[HarvestObject]:
    """The objects of ``obj``'s remote record (a guid within a source), ``obj`` among them."""
    return model.Session.query(HarvestObject).filter(
        HarvestObject.harvest_source_id == obj.harvest_source_id, HarvestObject.guid == obj.guid)
