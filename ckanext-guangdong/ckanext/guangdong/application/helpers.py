"""Template helpers of the application feature."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.guangdong.application import links
from ckanext.guangdong.metadata import openness

# What @tk.blanket.helpers registers
__all__ = ["guangdong_applications_using", "guangdong_used_dataset_list", "guangdong_used_dataset_names",
           "humanize_entity_type"]


def _texts() -> dict[str, str]:
    """CKAN builds texts for other dataset types as "Add {object_type}" in English words
    ("Add Application"); ours are whole phrases, so they translate into Chinese properly."""
    _ = tk._
    return {
        "add link": _("Add application"),
        "breadcrumb": _("Applications"),
        "content tab": _("Applications"),
        "create label": _("Register application"),
        "create title": _("Register application"),
        "delete confirmation": _("Are you sure you want to delete this application?"),
        "description placeholder": _("What the application does and who it serves"),
        "edit label": _("Edit application"),
        "facet label": _("Applications"),
        "form label": _("Application form"),
        "main nav": _("Applications"),
        "view label": _("View application"),
        "my label": _("My applications"),
        "no any objects": _("No applications yet"),
        "page title": _("Applications"),
        "save label": _("Save application"),
        "search placeholder": _("Search applications..."),
        "update label": _("Update application"),
    }


@tk.chained_helper
def humanize_entity_type(next_helper: Callable[..., str | None], entity_type: str,
                         object_type: str, purpose: str) -> str | None:
    if entity_type == "package" and object_type == openness.APPLICATION_TYPE:
        text = _texts().get(purpose)
        if text:
            return text
    return next_helper(entity_type, object_type, purpose)


def guangdong_used_dataset_list(ids: Any) -> list[dict[str, Any]]:
    return links.visible_datasets(links.parse_refs(ids))


guangdong_applications_using = links.applications_using
guangdong_used_dataset_names = links.names
