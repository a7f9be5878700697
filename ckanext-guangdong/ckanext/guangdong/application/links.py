"""Links between applications and the datasets they use (``used_datasets``: package ids)."""
from __future__ import annotations

from typing import Any

import ckan.model as model

from ckanext.guangdong.metadata import openness
from ckanext.guangdong.metadata.lists import as_list


def parse_refs(value: Any) -> list[str]:
    """List, JSON list or comma/line-separated text (the form) -> distinct references."""
    return list(dict.fromkeys(as_list(value)))


def resolve(ref: str) -> model.Package | None:
    """A package by id or URL name."""
    return model.Package.get(ref)


def is_linkable(pkg: model.Package) -> bool:
    return (pkg.type == openness.DATASET_TYPE and pkg.state == "active" and not pkg.private)


def applications_using(dataset_id: str, limit: int = 50) -> list[dict[str, Any]]:
    """Public applications that list this dataset. Plain SQL, not search: the link must show
    whatever search backend runs, and ids are UUIDs so the JSON text match is exact enough."""
    rows = using_query(dataset_id, limit).all()
    return [{"id": p.id, "name": p.name, "title": p.title,
             "application_kind": p.extras.get("application_kind"),
             "image_url": p.extras.get("image_url")} for p in rows]


def using_query(dataset_id: str, limit: int) -> Any:
    """The applications' ``used_datasets`` extras that name the dataset. Their partial index
    (migration guangdong_application) makes this read the applications' rows only, not
    every dataset's extras."""
    return (
        model.Session.query(model.Package)
        .join(model.PackageExtra, model.PackageExtra.package_id == model.Package.id)
        .filter(model.Package.type == openness.APPLICATION_TYPE,
                model.Package.state == "active",
                model.Package.private.is_(False),
                model.PackageExtra.key == "used_datasets",
                model.PackageExtra.value.like(f'%"{dataset_id}"%'))
        .order_by(model.Package.metadata_created.desc())
        .limit(limit)
    )


def visible_datasets(ids: list[str]) -> list[dict[str, Any]]:
    """The used datasets that are still public (a withdrawn one simply drops off the page)."""
    out = []
    for ref in ids:
        pkg = resolve(ref)
        if pkg is not None and is_linkable(pkg):
            out.append({"id": pkg.id, "name": pkg.name, "title": pkg.title})
    return out


def names(ids: Any) -> list[str]:
    """URL names for the edit form (ids are what is stored, names what people recognise)."""
    out = []
    for ref in parse_refs(ids):
        pkg = resolve(ref)
        out.append(pkg.name if pkg is not None else ref)
    return out
