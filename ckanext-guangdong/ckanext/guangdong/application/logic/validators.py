"""Validators of the application type."""
from __future__ import annotations

import json

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import missing
from ckan.types import Context

from ckanext.guangdong.application import links

_ = tk._


def guangdong_used_datasets(key: tuple, data: dict, errors: dict, context: Context) -> None:
    """used_datasets: at least one; each exists, is public, active and of type dataset.
    Stored as a JSON list of package ids. Links the application already had are kept even if
    that dataset has since been made private (the page hides it); new links must be public."""
    value = data.get(key)
    refs = links.parse_refs(None if value is missing else value)
    if not refs:
        errors[key].append(_("List at least one dataset that the application uses"))
        return
    package = context.get("package")
    before = set(links.parse_refs(package.extras.get("used_datasets"))) if package else set()
    ids: list[str] = []
    for ref in refs:
        pkg = links.resolve(ref)
        if pkg is None or pkg.state == "deleted":
            errors[key].append(_('Dataset "%s" does not exist') % ref)
            continue
        if pkg.id not in before:
            if pkg.type != "dataset":
                errors[key].append(_('"%s" is not a dataset') % ref)
                continue
            if pkg.private or pkg.state != "active":
                errors[key].append(_('Dataset "%s" is not public') % ref)
                continue
        if pkg.id not in ids:
            ids.append(pkg.id)
    if not errors[key]:
        data[key] = json.dumps(ids)
