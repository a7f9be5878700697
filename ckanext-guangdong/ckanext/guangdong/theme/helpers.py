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
        # the day in the portal's time zone (Beijing), as every other date of the page: the
        # stored time is UTC, whose day was the day before until 08:00 (trial 8, item 6)
        "modified": pkg.get("modified") or guangdong_local_day(pkg.get("metadata_modified")),
        "views": int((pkg.get("tracking_summary") or {}).get("total") or 0),
        "downloads": downloads,
    }


def guangdong_local_day(value: Any) -> str:
    """A stored time (UTC) as its day in the display time zone (Beijing), YYYY-MM-DD: CKAN's
    own conversion (render_datetime), as the page's other dates."""
    return tk.h.render_datetime(value, date_format="%Y-%m-%d") if value else ""


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
    h.get_organization for those fields; {} when it cannot be shown, as there. Asked once per
    request and organization (the page renders its sidebar block twice)."""
    kept = flask.g.setdefault("_guangdong_organization_summaries", {}) \
        if flask.has_request_context() else {}
    if org_id not in kept:
        kept[org_id] = _organization_summary(org_id)
    return kept[org_id]


def _organization_summary(org_id: str) -> dict[str, Any]:
    try:
        return tk.get_action("organization_show")({}, {
            "id": org_id, "include_datasets": False, "include_dataset_count": False,
            "include_users": False, "include_groups": False, "include_tags": False,
            "include_followers": False})
    except (tk.ObjectNotFound, tk.ValidationError, tk.NotAuthorized):
        return {}


def _page_url(extras: dict[str, Any] | None) -> str | None:
    """The current page's URL without its query, as CKAN's add_url_param and remove_url_param
    build it (``url_for`` of the request's endpoint), made once per request: a search page asks
    for it once per facet value (10 facets × up to 50 values). None when ``extras`` cannot be
    a key (then CKAN builds it, as before)."""
    from ckan.lib import helpers as ckan_helpers
    try:
        key = frozenset((extras or {}).items())
    except TypeError:
        return None
    urls = flask.g.setdefault("_guangdong_page_urls", {})
    if key not in urls:
        urls[key] = ckan_helpers._create_url_with_params(params=None, extras=extras)
    return urls[key]


@tk.chained_helper
def add_url_param(next_helper: Any, alternative_url: str | None = None,
                  controller: str | None = None, action: str | None = None,
                  extras: dict[str, Any] | None = None,
                  new_params: dict[str, Any] | None = None) -> str:
    """CKAN's, with the page's own URL made once per request (facet links)."""
    if not (alternative_url or controller or action):
        alternative_url = _page_url(extras)
    return next_helper(alternative_url=alternative_url, controller=controller, action=action,
                       extras=extras, new_params=new_params)


@tk.chained_helper
def remove_url_param(next_helper: Any, key: list[str] | str, value: str | None = None,
                     replace: str | None = None, controller: str | None = None,
                     action: str | None = None, extras: dict[str, Any] | None = None,
                     alternative_url: str | None = None) -> str:
    """CKAN's, with the page's own URL made once per request (facet links)."""
    if not (alternative_url or controller or action):
        alternative_url = _page_url(extras)
    return next_helper(key, value=value, replace=replace, controller=controller, action=action,
                       extras=extras, alternative_url=alternative_url)


def _facet_items(facet: str, search_facets: dict[str, Any], exclude_active: bool) -> list[dict[str, Any]]:
    """One facet's values as CKAN's get_facet_items_dict lists them before its limit (blank
    names dropped, ``active`` when the request filters by it, most frequent first), made once
    per request and facet: CKAN's facet list asks for them twice and has_more_facets once
    more, and CKAN re-reads the request's parameters for every value (10 facets × up to 50
    values on a search page)."""
    made = flask.g.setdefault("_guangdong_facet_items", {})
    found = made.get((facet, exclude_active))
    if found is not None and found[0] is search_facets:
        return found[1]
    chosen = set(flask.request.args.items(multi=True))
    items = []
    for item in search_facets[facet]["items"]:
        if not len(item["name"].strip()):
            continue
        if (facet, item["name"]) not in chosen:
            items.append(dict(active=False, **item))
        elif not exclude_active:
            items.append(dict(active=True, **item))
    items.sort(key=lambda it: (-it["count"], it["display_name"].lower()))  # CKAN's order
    made[(facet, exclude_active)] = (search_facets, items)
    return items


def _facet_limit(facet: str, limit: int | None) -> int | None:
    if limit is None:
        limit = (getattr(flask.g, "search_facets_limits", None) or {}).get(facet)
    return limit


@tk.chained_helper
def get_facet_items_dict(next_helper: Any, facet: str, search_facets: Any = None,
                         limit: int | None = None, exclude_active: bool = False) -> list[dict[str, Any]]:
    """CKAN's answer (same items, order and limit), from the values made once per request."""
    if (not search_facets or not isinstance(search_facets, dict)
            or not search_facets.get(facet, {}).get("items")):
        return []
    items = _facet_items(facet, search_facets, exclude_active)
    limit = _facet_limit(facet, limit)
    # zero means all, as in CKAN
    return items[:limit] if limit is not None and limit > 0 else list(items)


@tk.chained_helper
def has_more_facets(next_helper: Any, facet: str, search_facets: dict[str, Any],
                    limit: int | None = None, exclude_active: bool = False) -> bool:
    """CKAN's answer, from the values made once per request."""
    limit = _facet_limit(facet, limit)
    return limit is not None and len(_facet_items(facet, search_facets, exclude_active)) > limit


@tk.chained_helper
def follow_count(next_helper: Any, obj_type: str, obj_id: str) -> int:
    """CKAN's count of an object's followers, asked once per request and object: a dataset
    page's sidebar shows it twice (an action call, its validation and a count each time)."""
    counts = flask.g.setdefault("_guangdong_follow_counts", {})
    key = (obj_type.lower(), obj_id)
    if key not in counts:
        counts[key] = next_helper(obj_type, obj_id)
    return counts[key]


@tk.chained_helper
def check_access(next_helper: Any, action: str, data_dict: dict[str, Any] | None = None) -> bool:
    """CKAN's answer, asked once per GET request, user, action and data: a dataset page asks
    ``package_update`` of its dataset four or five times (CKAN's, scheming's, our templates), each
    a chain of rules reading the database. A GET writes nothing, so the answer cannot change
    within it; other requests (a form that saved, a login) ask every time, as before."""
    if not flask.has_request_context() or flask.request.method != "GET":
        return next_helper(action, data_dict)
    try:
        key = (tk.current_user.name, action, frozenset((data_dict or {}).items()))
    except TypeError:  # data that cannot be a key: asked every time
        return next_helper(action, data_dict)
    answers = flask.g.setdefault("_guangdong_access", {})
    if key not in answers:
        answers[key] = next_helper(action, data_dict)
    return answers[key]


@tk.chained_helper
def render_datetime(next_helper: Any, datetime_: Any, date_format: str | None = None,
                    with_hours: bool = False, with_seconds: bool = False) -> str:
    """CKAN writes a date with its time in an English pattern whatever the language
    ("十二月 1, 2026, 22:31 (+0800)"); the date alone in the language's own long form
    (2026年12月1日). With hours: that same date and the time (2026年12月1日 22:31), in the
    portal's display time zone."""
    if date_format or not with_hours:
        return next_helper(datetime_, date_format, with_hours, with_seconds)
    import datetime as dt

    from babel.dates import get_date_format
    from ckan.lib.formatters import format_datetime
    from ckan.lib.helpers import _datestamp_to_datetime  # CKAN's own reading of the value
    value = _datestamp_to_datetime(datetime_)
    if not value:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    date_pattern = get_date_format("long", locale=tk.h.lang() or "zh_Hans_CN").pattern
    return format_datetime(value, f"{date_pattern} HH:mm{':ss' if with_seconds else ''}")
