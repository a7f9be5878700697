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
