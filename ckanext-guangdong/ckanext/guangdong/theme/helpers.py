"""Template helpers of the site theme."""
from __future__ import annotations

from typing import Any

import flask

import ckan.plugins.toolkit as tk

# (endpoint, label, highlight-controllers). Labels are msgids of ckanext-guangdong-theme.
_NAV = (
    ("dataset.search", "Datasets", ["dataset", "resource"]),
    ("application.search", "Open-data applications", ["application"]),
    ("organization.index", "Publishers", ["organization"]),
    ("guangdong_targets.dashboard", "Open-data progress", ["guangdong_targets"]),
    ("home.about", "About", []),
)


def guangdong_nav_items() -> list[tuple[Any, ...]]:
    """Main navigation: only the entries whose pages exist (features are separate plugins)."""
    views = flask.current_app.view_functions
    return [(endpoint, tk._(label), highlight) for endpoint, label, highlight in _NAV
            if endpoint in views]


def guangdong_home_overview() -> dict[str, Any]:
    """Counts and lists of the home page, as an anonymous visitor sees them (theme/portal.py)."""
    from . import portal
    return portal.overview()


def guangdong_label(labels: Any) -> str:
    """The current language's text of a {zh_Hans_CN: ..., en: ...} label (Chinese first)."""
    if not isinstance(labels, dict):
        return str(labels or "")
    lang = tk.h.lang() or "zh_Hans_CN"
    return labels.get(lang) or labels.get("zh_Hans_CN") or next(iter(labels.values()), "")


def guangdong_dataset_facts(pkg: dict[str, Any]) -> dict[str, Any]:
    """What the top of a dataset page shows: formats, licence, update frequency, last update,
    views and downloads (CKAN's tracking counts, added to the dict by the tracking plugin)."""
    resources = pkg.get("resources") or []
    formats = sorted({(r.get("format") or "").upper() for r in resources if r.get("format")})
    downloads = sum(int((r.get("tracking_summary") or {}).get("total") or 0) for r in resources)
    return {
        "formats": formats,
        "license_title": pkg.get("license_title") if pkg.get("license_id") else None,
        "license_url": pkg.get("license_url"),
        "frequency": pkg.get("frequency"),
        "modified": pkg.get("modified") or (pkg.get("metadata_modified") or "")[:10],
        "views": int((pkg.get("tracking_summary") or {}).get("total") or 0),
        "downloads": downloads,
    }


def guangdong_api_examples(pkg: dict[str, Any]) -> dict[str, str]:
    """Ready-to-run calls of the CKAN Action API for this dataset (curl and Python)."""
    base = tk.config.get("ckan.site_url", "").rstrip("/")
    name = pkg.get("name") or pkg.get("id")
    show = f"{base}/api/3/action/package_show?id={name}"
    curl = f'curl "{show}"'
    python = (
        "import json\n"
        "from urllib.request import urlopen\n\n"
        f'with urlopen("{show}") as answer:\n'
        '    dataset = json.load(answer)["result"]\n'
        'for resource in dataset["resources"]:\n'
        '    print(resource["name"], resource["format"], resource["url"])\n'
    )
    return {"curl": curl, "python": python, "url": show,
            "dcat": f"{base}/dataset/{name}.ttl"}


def guangdong_has_endpoint(endpoint: str) -> bool:
    """Whether a page exists (its feature's plugin is enabled)."""
    return endpoint in flask.current_app.view_functions
