"""Internal fields (共享属性, 分类分级, 已脱敏): for people who may edit a dataset, nobody else.

They are removed from package_show for users without package_update, from every search result
(the index keeps one copy of a dataset for all readers), from the search index's searchable
fields (so nobody can filter on them), from the stored copies search returns (``fl=data_dict``),
from activity data shown to non-editors, and never written into DCAT (the profile only emits
public fields).
"""
from __future__ import annotations

import json
from collections.abc import Mapping, MutableMapping
from typing import Any, cast

import ckan.plugins.toolkit as tk
from ckan.types import Context

INTERNAL_FIELDS: tuple[str, ...] = ("share_type", "data_level", "deidentified")


def strip(pkg_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for field in INTERNAL_FIELDS:
        pkg_dict.pop(field, None)
    extras = pkg_dict.get("extras")
    if isinstance(extras, list):
        pkg_dict["extras"] = [e for e in extras
                              if not (isinstance(e, Mapping) and e.get("key") in INTERNAL_FIELDS)]
    return pkg_dict


def may_see(context: Mapping[str, Any], pkg_dict: Mapping[str, Any]) -> bool:
    """True if the caller of this action may edit the dataset (or the call is internal)."""
    if context.get("ignore_auth"):
        return True
    # Context types user as str; a missing user stays None (anonymous), as CKAN reads it
    auth_context = cast(Context, {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")})
    try:
        tk.check_access("package_update", auth_context, {"id": pkg_dict.get("id")})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def strip_index_fields(data_dict: MutableMapping[str, Any]) -> None:
    """Remove the searchable copies CKAN makes of extras (``extras_<key>`` and ``<key>``).
    The stored copies of the dataset (``data_dict``, ``validated_data_dict``) keep them:
    package_show reads its dataset from there and bulk_update_public re-indexes from it;
    package_search strips them on the way out (``strip_stored_copies``)."""
    for field in INTERNAL_FIELDS:
        data_dict.pop(field, None)
        data_dict.pop("extras_" + field, None)


def strip_stored_copies(document: MutableMapping[str, Any]) -> None:
    """Internal fields out of the JSON copies of a dataset in a search result (``fl=data_dict``,
    ``fl=validated_data_dict``, ``fl=*``; CKAN's data_dict holds the validated copy too)."""
    for key in ("data_dict", "validated_data_dict"):
        text = document.get(key)
        if isinstance(text, str) and any(f in text for f in INTERNAL_FIELDS):
            try:
                copy = json.loads(text)
            except ValueError:
                continue
            if isinstance(copy, dict):
                strip_stored_copies(copy)  # CKAN's data_dict holds the validated copy too
                document[key] = json.dumps(strip(copy))
