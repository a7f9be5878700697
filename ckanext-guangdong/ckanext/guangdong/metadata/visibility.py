"""Traces of datasets outside the search index: tags and memberships.

CKAN lists tags and a group's members straight from its tables, so a tag that only a private,
draft, deleted or 不予开放 dataset carries, or the id of such a dataset in an organization,
reached everybody. These queries answer with what the public may see (``openness`` says what
that is); callers let sysadmins and the dataset's own readers through.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ckan.model as model
import sqlalchemy as sa

from ckanext.guangdong.metadata import openness


def publicly_visible(package_id_column: Any) -> Any:
    """SQL condition: the package is active, public and not 不予开放."""
    not_open = sa.exists().where(sa.and_(
        model.PackageExtra.package_id == package_id_column,
        model.PackageExtra.key == "access_rights",
        model.PackageExtra.value == openness.NOT_OPEN,
        model.PackageExtra.state == "active"))
    return sa.and_(model.Package.id == package_id_column, model.Package.state == "active",
                   model.Package.private.is_(False), sa.not_(not_open))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def public_tags(terms: Iterable[str] = (), vocabulary_id: str | None = None,
                limit: int | None = None, offset: int = 0) -> tuple[list[model.Tag], int]:
    """Tags on at least one publicly visible dataset (free tags, or a vocabulary's), whose name
    contains every term as CKAN's tag search does; and how many match in all."""
    q = (model.Session.query(model.Tag)
         .join(model.PackageTag, model.PackageTag.tag_id == model.Tag.id)
         .join(model.Package, publicly_visible(model.PackageTag.package_id))
         .filter(model.PackageTag.state == "active"))
    if vocabulary_id:
        vocab = model.Vocabulary.get(vocabulary_id)
        if vocab is None:
            return [], 0
        q = q.filter(model.Tag.vocabulary_id == vocab.id)
    else:
        q = q.filter(model.Tag.vocabulary_id.is_(None))
    for term in terms:
        q = q.filter(model.Tag.name.ilike(_like(term), escape="\\"))
    q = q.distinct().order_by(model.Tag.name)
    count = q.count()
    if offset:
        q = q.offset(offset)
    if limit is not None:
        q = q.limit(limit)
    return q.all(), count


def tag_is_public(tag_id: str) -> bool:
    """Whether a publicly visible dataset carries the tag."""
    q = (model.Session.query(model.PackageTag.id)
         .join(model.Package, publicly_visible(model.PackageTag.package_id))
         .filter(model.PackageTag.tag_id == tag_id, model.PackageTag.state == "active"))
    return q.first() is not None


def hidden_package_ids(ids: Iterable[str]) -> set[str]:
    """Those of ``ids`` that are not publicly visible packages."""
    ids = list(ids)
    if not ids:
        return set()
    visible = {pid for (pid,) in model.Session.query(model.Package.id)
               .filter(model.Package.id.in_(ids), publicly_visible(model.Package.id))}
    return set(ids) - visible
