"""Flattening remote CKAN/DCAT dataset dicts into the label -> value form the crosswalk reads."""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote, urlsplit

# CKAN bookkeeping that is never content.
_SKIP = {"resources", "extras", "organization", "groups", "relationships_as_object",
         "relationships_as_subject", "num_resources", "num_tags", "tracking_summary",
         "owner_org", "creator_user_id", "revision_id", "state", "private", "type", "name",
         "isopen", "license_title", "license_url", "id", "url", "version"}


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def uri_label(value: Any) -> Any:
    """Theme and similar concept URIs -> their last path segment (our SKOS scheme and
    most portals end concept URIs with the label or code)."""
    if isinstance(value, str) and value.startswith(("http://", "https://")) and "/authority/" not in value:
        path = urlsplit(value).path.rstrip("/")
        frag = urlsplit(value).fragment
        return unquote(frag or path.rsplit("/", 1)[-1]) or value
    return value


def flatten_dataset(pkg: dict[str, Any]) -> dict[str, Any]:
    """Top-level fields, extras (JSON-decoded when they hold lists), tags as names,
    nested objects (publisher, contact) as ``<key>_<sub>`` and the organization's title."""
    fields: dict[str, Any] = {}
    for key, value in pkg.items():
        if key in _SKIP:
            continue
        if value is None or value == "" or value == [] or value == {}:
            continue  # an empty top-level field must not hide an extra of the same name
        if key == "tags" and isinstance(value, list):
            fields["tags"] = [t.get("name") if isinstance(t, dict) else t for t in value]
            continue
        value = _maybe_json(value)
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            value = value[0]
        if isinstance(value, dict):
            for sub, subvalue in value.items():
                fields.setdefault(f"{key}_{sub}", subvalue)
            continue
        fields[key] = value
    for extra in pkg.get("extras") or []:
        if isinstance(extra, dict) and "key" in extra:
            fields.setdefault(str(extra["key"]), _maybe_json(extra.get("value")))
    org = pkg.get("organization")
    if isinstance(org, dict) and org.get("title"):
        fields["organization_title"] = org["title"]
    if "theme" in fields:
        theme = fields["theme"]
        fields["theme"] = [uri_label(t) for t in theme] if isinstance(theme, list) else uri_label(theme)
    return fields


def dataset_resources(pkg: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for res in pkg.get("resources") or []:
        if not isinstance(res, dict):
            out.append(res)
            continue
        res = dict(res)
        if not res.get("url"):
            res["url"] = res.get("download_url") or res.get("access_url")
        out.append({k: v for k, v in res.items() if k in
                    ("id", "url", "name", "description", "format", "size", "mimetype")})
    return out
