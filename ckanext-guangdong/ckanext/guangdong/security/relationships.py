"""CKAN's dataset relationships (links_to, child_of, …): the portal has no use for them (no
page, form or field of ours shows them), yet any editor could create one with an unscanned
comment, and CKAN listed a public dataset's relationships with the names of private datasets to
anyone (attack trial a10, M3). So: only sysadmins create or change relationships (one clear
refusal, before any dataset is looked up, so names tell nothing; the relationship lists of a
package_create / package_update from others are dropped), and every list of them
(``package_relationships_list``, package_show's ``relationships_as_subject`` / ``_object``)
leaves out those whose other dataset the caller may not read; a hidden ``id2`` is "not found"
like a missing one. docs/security.md "Dataset relationships"."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan import authz
from ckan.types import Context

_WRITES = ("package_relationship_create", "package_relationship_update")
# package_show's lists and the key naming the other dataset of each entry
_SHOWN = (("relationships_as_subject", "object_package_id"),
          ("relationships_as_object", "subject_package_id"))


def _refusal() -> str:
    return tk._("Dataset relationships are not used on this portal: only a system administrator "
                "may create or change them")


def _readable(context: Any, package_id: Any, cache: dict[str, bool]) -> bool:
    if not isinstance(package_id, str):
        return False
    if package_id not in cache:
        ctx: Context = {"model": model, "session": model.Session, "user": context.get("user") or ""}
        try:
            tk.check_access("package_show", ctx, {"id": package_id})
            cache[package_id] = True
        except (tk.NotAuthorized, tk.ObjectNotFound):
            cache[package_id] = False
    return cache[package_id]


def _write(next_action: Callable[..., Any], context: Any, data_dict: Any) -> Any:
    if not context.get("ignore_auth") and not authz.is_sysadmin(context.get("user")):
        raise tk.NotAuthorized(_refusal())
    return next_action(context, data_dict)


def _package_write(next_action: Callable[..., Any], context: Any, data_dict: Any) -> Any:
    """package_create / package_update (and package_patch through it) save the relationship
    lists they are given: from anyone but a sysadmin they are dropped, so the relationships
    stay as they are (a form or a package_show round trip carries them; refusing those would
    refuse ordinary edits)."""
    if isinstance(data_dict, dict) and not context.get("ignore_auth") \
            and not authz.is_sysadmin(context.get("user")):
        data_dict = {k: v for k, v in data_dict.items() if k not in dict(_SHOWN)}
    return next_action(context, data_dict)


def _list(next_action: Callable[..., Any], context: Any, data_dict: Any) -> Any:
    cache: dict[str, bool] = {}
    id2 = data_dict.get("id2") if isinstance(data_dict, dict) else None
    if id2 and not context.get("ignore_auth"):
        other = model.Package.get(id2) if isinstance(id2, str) else None
        if other is None or not _readable(context, other.id, cache):
            raise tk.ObjectNotFound(tk._("Not found"))   # hidden.py's answer for a missing one
    result = next_action(context, data_dict)
    if context.get("ignore_auth"):
        return result
    return [r for r in result if _readable(context, r.get("subject"), cache)
            and _readable(context, r.get("object"), cache)]


def actions(existing: dict[str, Any]) -> dict[str, Any]:
    from ckanext.guangdong.security.guards import in_front
    out = {name: in_front(_write, name, existing) for name in _WRITES}
    out["package_relationships_list"] = in_front(_list, "package_relationships_list", existing)
    out["package_relationships_list"].side_effect_free = True  # a GET, as CKAN's
    for name in ("package_create", "package_update"):
        out[name] = in_front(_package_write, name, existing)
    return out


def filter_shown(context: Any, pkg_dict: dict[str, Any]) -> None:
    """package_show's relationship lists without entries naming a dataset the caller may not
    read (IPackageController.after_dataset_show / after_dataset_search)."""
    if context.get("ignore_auth") or authz.is_sysadmin(context.get("user")):
        return
    cache: dict[str, bool] = {}
    for key, other in _SHOWN:
        entries = pkg_dict.get(key)
        if isinstance(entries, list) and entries:
            pkg_dict[key] = [e for e in entries if isinstance(e, dict)
                             and _readable(context, _other_id(e, other), cache)]


def _other_id(entry: dict[str, Any], key: str) -> Any:
    # the dataset schema's show keeps the ids it does not declare in "__extras"
    extras = entry.get("__extras")
    return entry.get(key) or (extras.get(key) if isinstance(extras, dict) else None)


# the fields CKAN's indexer fills with the names of related datasets (a public dataset's
# document named a private one: package_search fq=links_to:<name> found it, fl returned it)
INDEX_FIELDS = ("depends_on", "dependency_of", "derives_from", "has_derivation", "links_to",
                "linked_from", "child_of", "parent_of")


def unindexed(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """IPackageController.before_dataset_index: relationships are not searchable."""
    for key in INDEX_FIELDS:
        pkg_dict.pop(key, None)
    return pkg_dict
