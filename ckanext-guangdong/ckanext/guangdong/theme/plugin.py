"""Site-wide look and language: templates, Chinese-first translations, ``ckan guangdong demo``."""
from __future__ import annotations

import os
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.guangdong import registration
from ckanext.guangdong.demo import cli as demo_cli
from ckanext.guangdong.translation import FeatureTranslation

_HERE = os.path.dirname(__file__)


@tk.blanket.config_declarations
@tk.blanket.helpers
@tk.blanket.actions
@tk.blanket.blueprints(registration.blueprints("ckanext.guangdong.theme.views"))
@tk.blanket.cli(demo_cli)  # the site's commands: `ckan guangdong demo ...`
class GuangdongThemePlugin(p.SingletonPlugin, FeatureTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.IConfigurable)
    p.implements(p.IFeed, inherit=True)

    def configure(self, config: Any) -> None:
        # Search results' view counts in two statements instead of ~50 (theme/tracking_batch.py).
        from ckanext.guangdong.theme import tracking_batch
        tracking_batch.install()
        # Every process that writes (web, harvest consumers, job worker, CLI) raises the
        # site version after its commits, so the web workers' page caches see the writes.
        if tk.asbool(config.get("ckanext.guangdong.page_cache")):
            from ckanext.guangdong.theme.page_cache import install_write_listeners
            install_write_listeners()

    def get_feed_class(self) -> Any:
        from ckanext.guangdong.theme.feed import GuangdongFeed
        return GuangdongFeed

    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, os.path.join(_HERE, "templates"))
        tk.add_resource(os.path.join(_HERE, "assets"), "guangdong_theme")

    # IMiddleware: runs once per web app (gunicorn worker, test app), not for CLI commands
    def make_middleware(self, app: Any, config: Any) -> Any:
        from ckanext.guangdong.theme.api_language import ApiAcceptLanguage
        from ckanext.guangdong.theme.asset_bundles import build_once
        from ckanext.guangdong.theme.js_i18n import ensure_built
        ensure_built()
        build_once(config)  # after every plugin's update_config has registered its bundles
        # Flask's way to add WSGI middleware: the app stays the Flask app (other plugins, e.g.
        # CKAN's tracking, call its methods), and CKAN's I18nMiddleware outside has read the URL.
        from ckanext.guangdong.theme.views import home_index
        app.view_functions["home.index"] = home_index  # CKAN's endpoint, without its search
        # Atom feeds' links with the request's parameters (theme/feed.py)
        from ckanext.guangdong.theme import feed
        feed.install(app)
        app.wsgi_app = ApiAcceptLanguage(app.wsgi_app)
        # Outermost of the app's own middleware: a hit costs a dictionary look-up.
        from ckanext.guangdong.theme import page_cache
        app.wsgi_app = page_cache.make(app.wsgi_app, config, app)
        return app
