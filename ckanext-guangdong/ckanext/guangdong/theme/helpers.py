"""Template helpers of the site theme."""
from __future__ import annotations

import os
from typing import Any

import ckan.plugins.toolkit as tk
import flask

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


_ABOUT = os.path.join(os.path.dirname(__file__), "about")


def guangdong_about_text() -> str:
    """The /about page's Markdown in the request's language (Chinese when there is none)."""
    folder = tk.config.get("ckanext.guangdong.about_folder") or _ABOUT
    for locale in (tk.h.lang(), "zh_Hans_CN"):
        path = os.path.join(folder, f"{locale}.md")
        if locale and os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                return f.read()
    return ""


def guangdong_url_if(endpoint: str, **kwargs: Any) -> str | None:
    """The URL of a page that exists (features are separate plugins), else None."""
    if endpoint not in flask.current_app.view_functions:
        return None
    return tk.h.url_for(endpoint, **kwargs)


def _status_texts() -> dict[int, tuple[str, str]]:
    """Status name and a plain explanation, for werkzeug's English defaults."""
    _ = tk._
    return {
        400: (_("Bad request"), _("The request could not be understood.")),
        401: (_("Not logged in"), _("Please log in to see this page.")),
        403: (_("Access denied"), _("You do not have permission to see this page.")),
        404: (_("Page not found"), _("The page you asked for does not exist or has moved.")),
        405: (_("Method not allowed"), _("This address does not accept this kind of request.")),
        409: (_("Conflict"), _("The request conflicts with the current state of the data.")),
        413: (_("Too large"), _("The file or request is too large.")),
        500: (_("Server error"), _("Something went wrong on our side. Please try again later.")),
    }


def guangdong_http_status_name(code: Any, name: str) -> str:
    texts = _status_texts().get(code if isinstance(code, int) else 500)
    return texts[0] if texts else name


def guangdong_error_description(code: Any, content: Any) -> Any:
    """werkzeug's default description of the status (English) -> ours; any other message as
    given (CKAN's and ours are translated already)."""
    import werkzeug.exceptions as wz
    status = code if isinstance(code, int) else 500
    default = getattr(wz.default_exceptions.get(status), "description", None)
    if content in (default, "Internal server error", None, "") and status in _status_texts():
        return _status_texts()[status][1]
    return content


def _activity_types() -> dict[str, str]:
    _ = tk._
    return {
        "new package": _("New dataset"), "changed package": _("Dataset changed"),
        "deleted package": _("Dataset deleted"), "follow dataset": _("Dataset followed"),
        "new resource view": _("New preview"), "changed resource view": _("Preview changed"),
        "deleted resource view": _("Preview deleted"),
        "new user": _("New user"), "changed user": _("User changed"), "follow user": _("User followed"),
        "new group": _("New group"), "changed group": _("Group changed"),
        "deleted group": _("Group deleted"), "follow group": _("Group followed"),
        "new organization": _("New publisher"), "changed organization": _("Publisher changed"),
        "deleted organization": _("Publisher deleted"),
    }


def guangdong_activity_type_label(activity_type: str) -> str:
    """An activity type (``changed package``) as people call it, in the page's language."""
    return _activity_types().get(activity_type, activity_type.replace("_", " ").capitalize())


def guangdong_local_image(url: str | None, placeholder: str) -> str:
    """An image of this portal (an upload, or on the site's host), else the placeholder: a
    picture linked from elsewhere would make every visitor's browser ask another host."""
    from ckanext.guangdong.theme.previews import on_this_portal
    return url if url and on_this_portal(url) else tk.h.url_for_static(placeholder)


@tk.chained_helper
def user_image(next_helper: Any, user_id: str, size: int = 100) -> Any:
    """CKAN's user picture, but never one from another host (gravatar is off in the ini)."""
    try:
        user = tk.get_action("user_show")({"ignore_auth": True}, {"id": user_id})
    except tk.ObjectNotFound:
        return ""
    from ckanext.guangdong.theme.previews import on_this_portal
    if user.get("image_display_url") and not on_this_portal(user["image_display_url"]):
        return tk.h.snippet("user/snippets/placeholder.html", size=size, user_name=user["display_name"])
    return next_helper(user_id, size)


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
    views and downloads (CKAN's tracking counts, added to the dict by the tracking plugin).
    The licence's name is in the page's language, as everywhere (metadata/licenses.py)."""
    from ckanext.guangdong.metadata import licenses

    from . import portal
    resources = pkg.get("resources") or []
    downloads = sum(int((r.get("tracking_summary") or {}).get("total") or 0) for r in resources)
    return {
        "formats": portal.formats_of(pkg),
        "license_title": licenses.license_title_of(pkg) or None,
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


_EXTRACTS: Any = None  # (text, length) -> CKAN's extract; made on first use
_EXTRACTS_LOCK = __import__("threading").Lock()


@tk.chained_helper
def markdown_extract(next_helper: Any, text: str, extract_length: int = 190) -> Any:
    """CKAN's note snippet of a dataset in a list (markdown rendered, then sanitised, then
    cut), kept per text: a list page renders 20 of them, about a fifth of its CPU, and
    the same notes come back on every page. The result depends on the text and the length
    only, so a kept one is the same answer."""
    global _EXTRACTS
    if not text or not isinstance(text, str):
        return next_helper(text, extract_length)
    key = (text, extract_length)
    with _EXTRACTS_LOCK:
        if _EXTRACTS is None:
            from cachetools import LRUCache
            _EXTRACTS = LRUCache(maxsize=4096)
        found = _EXTRACTS.get(key)
    if found is None:
        found = next_helper(text, extract_length)
        with _EXTRACTS_LOCK:
            _EXTRACTS[key] = found
    return found


def guangdong_organization_summary(org_id: str) -> dict[str, Any]:
    """What the dataset page's sidebar shows of its publisher (title, description, picture,
    extras): CKAN's organization_show without members, tags, groups, followers and dataset
    counts (the counts are a facet search of the whole catalog). Same answer as
    h.get_organization for those fields; {} when it cannot be shown, as there."""
    try:
        return tk.get_action("organization_show")({}, {
            "id": org_id, "include_datasets": False, "include_dataset_count": False,
            "include_users": False, "include_groups": False, "include_tags": False,
            "include_followers": False})
    except (tk.ObjectNotFound, tk.ValidationError, tk.NotAuthorized):
        return {}
