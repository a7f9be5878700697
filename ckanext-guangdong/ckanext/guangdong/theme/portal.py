"""What the home page shows: live counts, themes, cities, latest and most-viewed datasets,
applications.

Everything is read through ``package_search`` as an anonymous visitor (no user, no private or
draft datasets; 不予开放 datasets are private by the schema's rule), so the home page never
shows more than the public may see, whoever is logged in. Counts come from ``rows=0`` searches
with facets (no scan of the catalog per request), and the result is kept for a minute per
process: the same for every visitor, so it is safe to share.
"""
from __future__ import annotations

import json
import threading
from typing import Any

import ckan.plugins.toolkit as tk
from cachetools import TTLCache
from ckan.types import Context, DataDict

from ckanext.guangdong.metadata import openness, vocab

CACHE_SECONDS = 60
_cache: TTLCache = TTLCache(maxsize=4, ttl=CACHE_SECONDS)
_lock = threading.Lock()


def _anonymous() -> Context:
    # ignore_auth stays off: package_search applies the anonymous visitor's permission labels.
    return Context(user="", ignore_auth=False)


def search(**params: Any) -> DataDict:
    """package_search as an anonymous visitor (public, active datasets only)."""
    params.setdefault("include_private", False)
    params.setdefault("include_drafts", False)
    return tk.get_action("package_search")(_anonymous(), params)


def _organizations() -> dict[str, dict[str, Any]]:
    """name -> {title, org_type, region_code} of every organization (a few hundred at most).

    CKAN returns at most ``ckan.group_and_organization_list_all_fields_max`` (25) organizations
    with all fields per call, whatever ``limit`` asks, so read them page by page: the province
    has 21 cities and dozens of departments."""
    page = tk.config.get("ckan.group_and_organization_list_all_fields_max") or 25
    orgs: list[dict[str, Any]] = []
    while True:
        batch = tk.get_action("organization_list")(_anonymous(), {
            "all_fields": True, "include_extras": True, "limit": page, "offset": len(orgs)})
        orgs.extend(batch)
        if len(batch) < page:
            break
    return {o["name"]: {"title": o.get("title") or o["name"], "org_type": o.get("org_type"),
                        "region_code": o.get("region_code")} for o in orgs}


def formats_of(pkg: dict[str, Any]) -> list[str]:
    """The formats of a dataset's resources, upper case, each once (its format badges)."""
    return sorted({(r.get("format") or "").upper() for r in pkg.get("resources") or [] if r.get("format")})


def _brief(pkg: dict[str, Any]) -> dict[str, Any]:
    """The few fields a list on the home page shows (never internal fields)."""
    return {"name": pkg["name"], "title": pkg.get("title") or pkg["name"],
            "organization": (pkg.get("organization") or {}).get("title"),
            "formats": formats_of(pkg), "metadata_created": pkg.get("metadata_created"),
            "modified": pkg.get("modified") or pkg.get("metadata_modified"),
            "views": (pkg.get("tracking_summary") or {}).get("total", 0),
            "notes": pkg.get("notes") or ""}


def _compute() -> dict[str, Any]:
    facets = search(rows=0, **{"facet.field": json.dumps(["organization", "theme"]), "facet.limit": -1})
    by_org = facets["facets"].get("organization", {})
    by_theme = facets["facets"].get("theme", {})
    orgs = _organizations()
    publishing = {name: n for name, n in by_org.items() if n > 0}
    cities_with_data = [n for n in publishing if (orgs.get(n) or {}).get("org_type") == "city"]
    departments = [n for n in publishing if (orgs.get(n) or {}).get("org_type") != "city"]
    applications = search(fq=f"dataset_type:{openness.APPLICATION_TYPE}", rows=4,
                          sort="metadata_modified desc")
    latest = search(rows=6, sort="metadata_created desc")
    viewed = search(rows=6, sort="views_recent desc, views_total desc")
    city_entries = [e for e in vocab.entries("regions") if e.get("level") == "city"]
    cities = []
    for e in city_entries:
        name = f"city-{e['value']}"
        cities.append({"code": e["value"], "name": name, "label": e["label"],
                       "exists": name in orgs, "datasets": by_org.get(name, 0)})
    themes = [{"value": e["value"], "label": e["label"], "slug": e.get("slug"),
               "datasets": by_theme.get(e["value"], 0)} for e in vocab.entries("themes")]
    return {
        "datasets": facets["count"],
        "departments": len(departments),
        "cities": len(cities_with_data),
        "applications": applications["count"],
        "themes": themes,
        "cities_nav": cities,
        "latest": [_brief(p) for p in latest["results"]],
        "most_viewed": [_brief(p) for p in viewed["results"] if _brief(p)["views"] > 0],
        "featured_applications": [
            {**_brief(p), "kind": p.get("application_kind")} for p in applications["results"]],
    }


def overview() -> dict[str, Any]:
    """The home page's figures, computed at most once a minute per process."""
    with _lock:
        cached = _cache.get("overview")
    if cached is not None:
        return cached
    result = _compute()
    with _lock:
        _cache["overview"] = result
    return result


def clear() -> None:
    with _lock:
        _cache.clear()
