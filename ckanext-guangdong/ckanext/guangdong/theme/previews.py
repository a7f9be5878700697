"""Which files get a preview: CKAN's image, text and web-page views (plugins image_view,
text_view, webpage_view; created by default through ``ckan.views.default_views``) show only
files on this portal: an uploaded file, or a link to this site. A view of a link elsewhere
would make every visitor's browser fetch another host (a privacy leak, and often unreachable
from mainland China); tabular previews come with the DataStore."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ckan.common import config

# the views that load the resource's file (or a URL given in the view) into the page
LOADING_VIEWS = {"image_view": "image_url", "webpage_view": "page_url", "text_view": None,
                 "pdf_view": "pdf_url"}


def on_this_portal(url: Any) -> bool:
    """A relative URL (an upload's file name) or one on the site's own scheme and host."""
    if not url:
        return False
    parts = urlsplit(str(url).strip())
    if not parts.scheme and not parts.netloc:
        return True
    site = urlsplit(config.get("ckan.site_url") or "")
    return (parts.scheme.lower(), parts.netloc.lower()) == (site.scheme.lower(), site.netloc.lower())


def resource_is_ours(resource: dict[str, Any]) -> bool:
    return resource.get("url_type") == "upload" or on_this_portal(resource.get("url"))


def view_loads_elsewhere(view: dict[str, Any], resource: dict[str, Any]) -> bool:
    if view.get("view_type") not in LOADING_VIEWS:
        return False
    own_url_field = LOADING_VIEWS[view["view_type"]]
    if own_url_field and view.get(own_url_field):
        return not on_this_portal(view[own_url_field])
    return not resource_is_ours(resource)
