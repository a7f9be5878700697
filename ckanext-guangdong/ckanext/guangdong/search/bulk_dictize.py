"""package_show for a batch of datasets with a handful of set-based queries.

CKAN's package_show (use_cache=False, validate=False, as `search.rebuild` calls
it) runs package_dictize, which costs about seven SQL round trips per dataset.
Here each related table is read once per batch (``… WHERE package_id IN (…)``)
and the dicts are assembled exactly as CKAN 2.11 assembles them: same keys in
the same order (the index stores ``json.dumps`` of the dict, so order matters),
same state filters and sorting, same plugin hooks afterwards (``read``,
``before_resource_show``, ``after_dataset_show``). Where the bulk path cannot
be sure to match (relationships, a plugin overriding package_show, any error
while assembling one dataset) the dataset is left to package_show itself.
"""
from __future__ import annotations

import copy
import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from ckan.types import Context

# Columns that CKAN's table_dictize leaves out.
_SKIPPED = frozenset(("current", "expired_timestamp", "expired_id", "continuity_id", "revision_id"))
_PKG = "_gd_package_id"  # the extra column naming the dataset a related row belongs to


def _value(value: Any) -> Any:
    """One column as CKAN's table_dictize renders it."""
    if value is None or isinstance(value, (dict, int, list)):
        return value  # bool is an int: kept as is, as CKAN does
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value)


def _row_dict(row: Any, names: Sequence[str]) -> dict[str, Any]:
    return {name: _value(getattr(row, name)) for name in names if name not in _SKIPPED}


def _names(row: Any) -> list[str]:
    return [n for n in row._fields if n != _PKG]


def bulk_supported() -> bool:
    """False if a plugin replaces package_show: then only package_show itself is faithful."""
    import ckan.plugins as p
    for plugin in p.PluginImplementations(p.IActions):
        if "package_show" in plugin.get_actions():
            return False
    return True


class Batch:
    """The related rows of a batch of datasets, grouped by dataset id."""

    def __init__(self, ids: Sequence[str]) -> None:
        import ckan.model as model
        session = model.Session
        ids = list(ids)
        # ORM objects: CKAN's package_dictize works on them (table_dictize, license,
        # isopen) and IPackageController.read receives one.
        self.packages: dict[str, Any] = {
            p.id: p for p in session.query(model.Package).filter(model.Package.id.in_(ids))}

        res = model.resource_table
        self.resources = self._grouped(session.execute(
            sa.select(res).where(res.c["package_id"].in_(ids))), "package_id")

        tag, pkg_tag = model.tag_table, model.package_tag_table
        self.tags = self._grouped(session.execute(
            sa.select(tag, pkg_tag.c["state"], pkg_tag.c["package_id"].label(_PKG))
            .join(pkg_tag, tag.c["id"] == pkg_tag.c["tag_id"])
            .where(pkg_tag.c["package_id"].in_(ids))), _PKG)

        extra = model.package_extra_table
        self.extras = self._grouped(session.execute(
            sa.select(extra).where(extra.c["package_id"].in_(ids))), "package_id")

        member, group = model.member_table, model.group_table
        self.groups = self._grouped(session.execute(
            sa.select(group, member.c["capacity"], member.c["table_id"].label(_PKG))
            .join(member, group.c["id"] == member.c["group_id"])
            .where(member.c["table_id"].in_(ids), member.c["state"] == "active",
                   group.c["is_organization"] == False)), _PKG)  # noqa: E712 (SQL)

        owners = {p.owner_org for p in self.packages.values() if p.owner_org}
        self.organizations: dict[str, dict[str, Any]] = {}
        if owners:
            for row in session.execute(sa.select(group).where(
                    group.c["id"].in_(owners), group.c["state"] == "active")):
                self.organizations[row.id] = _row_dict(row, row._fields)

        rel = model.package_relationship_table
        self.with_relationships: set[str] = {
            r[0] for r in session.execute(sa.select(rel.c["subject_package_id"]).where(
                rel.c["subject_package_id"].in_(ids)))}
        self.with_relationships |= {
            r[0] for r in session.execute(sa.select(rel.c["object_package_id"]).where(
                rel.c["object_package_id"].in_(ids)))}
        # A group's dict costs a member-count query: once per (group, capacity) per batch.
        self._group_dicts: dict[tuple[str, str], dict[str, Any]] = {}

    @staticmethod
    def _grouped(rows: Iterable[Any], key: str) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = defaultdict(list)
        for row in rows:
            out[getattr(row, key)].append(row)
        return out

    # -- one dataset, as package_dictize builds it ------------------------------------
    def dictize(self, pkg: Any, context: Context) -> dict[str, Any]:
        import ckan.lib.dictization as d
        from ckan.lib.dictization import model_dictize
        result = d.table_dictize(pkg, context)
        if result.get("title"):
            result["title"] = result["title"].strip()
        result.pop("plugin_data", None)  # include_plugin_data is False for the index

        result["resources"] = model_dictize.resource_list_dictize(
            self.resources.get(pkg.id, []), context)
        result["num_resources"] = len(result["resources"])

        tags = [_row_dict(r, _names(r)) for r in self.tags.get(pkg.id, [])
                if r.state == "active"]
        tags.sort(key=lambda t: t["name"])
        for tag in tags:
            tag["display_name"] = tag["name"]
        result["tags"] = tags
        result["num_tags"] = len(tags)

        result["extras"] = model_dictize.extras_list_dictize(
            self.extras.get(pkg.id, []), context)

        context["with_capacity"] = False
        result["groups"] = self._groups(pkg.id, context)

        org = self.organizations.get(pkg.owner_org) if pkg.owner_org else None
        result["organization"] = copy.deepcopy(org) if org is not None else None

        result["relationships_as_subject"] = []  # datasets with any go to package_show
        result["relationships_as_object"] = []

        result["isopen"] = pkg.isopen if isinstance(pkg.isopen, bool) else pkg.isopen()
        result["type"] = pkg.type or "dataset"
        if pkg.license and pkg.license.url:
            result["license_url"] = pkg.license.url
            result["license_title"] = pkg.license.title.split("::")[-1]
        elif pkg.license:
            result["license_title"] = pkg.license.title
        else:
            result["license_title"] = pkg.license_id
        result["metadata_modified"] = pkg.metadata_modified.isoformat()
        result["metadata_created"] = (pkg.metadata_created.isoformat()
                                      if pkg.metadata_created else None)
        return result

    def _groups(self, pkg_id: str, context: Context) -> list[dict[str, Any]]:
        import ckan.lib.helpers as h
        from ckan.lib.dictization import model_dictize
        out = []
        for row in self.groups.get(pkg_id, []):
            key = (row.id, row.capacity)
            if key not in self._group_dicts:
                # The options CKAN's group_list_dictize passes from package_dictize.
                group_context = context.copy()
                group = model_dictize.group_dictize(
                    row, group_context, include_groups=False, include_tags=False,
                    include_extras=False, include_users=False, include_member_count=True,
                    packages_field=None)
                group.pop(_PKG, None)
                self._group_dicts[key] = group
            out.append(copy.deepcopy(self._group_dicts[key]))
        return sorted(out, key=lambda g: h.strxfrm(g["display_name"]))


def package_show_context(base: Context) -> Context:
    """The context package_show's plugin hooks see: what get_action's wrapper and
    check_access (ignore_auth) add to it, then package_show itself."""
    import ckan.model as model
    from ckan.logic import _prepopulate_context
    context = _prepopulate_context(base.copy())
    context.setdefault("__auth_audit", [])
    context.setdefault("auth_user_obj", None)
    if not context.get("__auth_user_obj_checked"):
        if context["user"] and not context["auth_user_obj"]:
            context["auth_user_obj"] = model.User.get(context["user"])
        context["__auth_user_obj_checked"] = True
    context["session"] = model.Session
    return context


def show_batch(ids: Sequence[str], base_context: Context
               ) -> tuple[dict[str, dict[str, Any]], list[str], Batch]:
    """package_show's dicts for ``ids``: (dicts by id, ids to leave to package_show, the
    batch). Keep the batch while indexing: it holds the Package objects, and the session's
    identity map (weak references) serves CKAN's ``Package.get`` in index_package from
    them instead of another query per dataset."""
    import ckan.plugins as p
    from ckan.lib.signals import action_succeeded  # type: ignore[attr-defined]
    batch = Batch(ids)
    shown: dict[str, dict[str, Any]] = {}
    fallback: list[str] = []
    package_plugins = list(p.PluginImplementations(p.IPackageController))
    resource_plugins = list(p.PluginImplementations(p.IResourceController))
    for pkg_id in ids:
        pkg = batch.packages.get(pkg_id)
        if pkg is None or pkg_id in batch.with_relationships:
            fallback.append(pkg_id)
            continue
        try:
            context = package_show_context(base_context)
            context["package"] = pkg
            pkg_dict = batch.dictize(pkg, context)
            for plugin in package_plugins:
                plugin.read(pkg)
            for plugin in resource_plugins:
                for resource in pkg_dict["resources"]:
                    plugin.before_resource_show(resource)
            # validate=False (as search.rebuild asks): no show schema here.
            for plugin in package_plugins:
                plugin.after_dataset_show(context, pkg_dict)
            action_succeeded.send("package_show", context=context,
                                  data_dict={"id": pkg_id}, result=pkg_dict)
        except Exception:  # package_show decides (and reports) for this one
            fallback.append(pkg_id)
            continue
        shown[pkg_id] = pkg_dict
    return shown, fallback, batch
