"""The answer to CKAN's tracking beacon.

The tracking plugin's JavaScript posts every page view to ``/_tracking`` and its middleware
records it after the response, but CKAN 2.11 has no view there, so every page logs a 404/405
in the browser console (ckan/ckan#9272). This view answers 204 No Content; the recording stays
CKAN's (ckanext/tracking/middleware.py).

The beacon is exempt from CSRF checks (``ckan.csrf_protection.ignore_extensions = false``
covers our blueprints): CKAN's tracking.js posts it without a token from every page, for
anonymous visitors too, and it acts for nobody — it counts a page view, which anyone can post
from anywhere, token or not."""
from __future__ import annotations

from ckan.config.middleware.flask_app import csrf
from flask import Blueprint, Response

from ckanext.guangdong.theme.charset import charset
from ckanext.guangdong.theme.js_i18n import js_i18n

guangdong_theme = Blueprint("guangdong_theme", __name__)
# What the theme plugin registers (@tk.blanket.blueprints), in this order
__all__ = ["js_i18n", "charset", "guangdong_theme"]


@guangdong_theme.route("/_tracking", methods=["POST"])
@csrf.exempt
def tracking_beacon() -> Response:
    return Response(status=204)


def home_index() -> str:
    """The home page without CKAN's own search: CKAN's ``home.index`` runs a package_search
    with every facet sorted by ``view_recent`` (a field no document has) on every visit, which
    scans the whole index, for results our home page never shows; its figures come from
    h.guangdong_home_overview() (portal.py). CKAN's reminder to add an email stays."""
    import ckan.lib.base as base
    import ckan.lib.helpers as h
    import ckan.plugins.toolkit as tk
    from ckan.common import current_user
    if current_user.is_authenticated and not current_user.email:
        url = h.url_for("user.edit")
        h.flash_notice(tk._('Please <a href="%s">update your profile</a>'
                            ' and add your email address. ') % url
                       + tk._('%s uses your email address'
                              ' if you need to reset your password.')
                       % tk.config.get("ckan.site_title"), allow_html=True)
    return base.render("home/index.html", extra_vars={})
