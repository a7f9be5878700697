"""Web hardening that spans features: login throttling, links from data, spreadsheet cells
(docs/security.md)."""
from __future__ import annotations

import math
import os
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.guangdong.translation import FeatureTranslation

_HERE = os.path.dirname(__file__)


# Actions, auth functions, blueprint and middleware: bad input is never a 500 (guards.py). The
# guards are made for what CKAN and the other plugins register, so they come from factories.
def _guarded_actions() -> dict[str, Any]:
    from ckanext.guangdong.security import guards, pictures, relationships
    out = guards.guarded_actions()
    out.update(relationships.actions(out))  # dataset relationships (relationships.py)
    out.update(pictures.actions(out))  # avatars and logos re-encoded (pictures.py)
    return out


def _guarded_auth_functions() -> dict[str, Any]:
    from ckanext.guangdong.security import guards
    return guards.guarded_auth_functions(GuangdongSecurityPlugin())  # the singleton itself


def _blueprints() -> list[Any]:
    from ckanext.guangdong.security import guards
    return [guards.blueprint()]


@tk.blanket.config_declarations
@tk.blanket.helpers
@tk.blanket.actions(_guarded_actions)
@tk.blanket.auth_functions(_guarded_auth_functions)
@tk.blanket.blueprints(_blueprints)
class GuangdongSecurityPlugin(p.SingletonPlugin, FeatureTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IAuthenticator, inherit=True)
    p.implements(p.ISignal)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.IPackageController, inherit=True)

    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, os.path.join(_HERE, "templates"))

    def make_middleware(self, app: Any, config: Any) -> Any:
        from flask import request

        from ckanext.guangdong.security import boundary, guards, hidden
        guards.register_error_handlers(app)
        app.before_request(lambda: boundary.check(request))
        app.after_request(hidden.answer_not_found)  # a hidden dataset is "not found" (hidden.py)
        proxies = tk.asint(config.get("ckanext.guangdong.security.proxies_in_front") or 0)
        if proxies > 0:
            # the client's address (login throttling counts per address) from X-Forwarded-For,
            # trusting only the proxies we run
            from werkzeug.middleware.proxy_fix import ProxyFix
            app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)
        return app

    # IAuthenticator: refuse a login attempt while its account or address is throttled
    def login(self) -> Any | None:
        from flask import make_response, request

        from ckanext.guangdong.security import throttle
        if request.method != "POST":
            return None
        wait = throttle.blocked_for(request.form.get("login"), request.remote_addr)
        if not wait:
            return None
        minutes = max(1, math.ceil(wait / 60))
        tk.h.flash_error(tk._("Too many failed login attempts. Please try again in {minutes} "
                              "minutes.").format(minutes=minutes))
        response = make_response(tk.render("user/login.html", {}))
        response.status_code = 429
        response.headers["Retry-After"] = str(wait)
        return response

    # IPackageController: relationships naming a dataset the caller may not read are left out
    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        from ckanext.guangdong.security import relationships
        relationships.filter_shown(context, pkg_dict)

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        from ckanext.guangdong.security import relationships
        return relationships.unindexed(pkg_dict)

    def after_dataset_search(self, search_results: dict[str, Any], search_params: dict[str, Any]) -> dict[str, Any]:
        from flask import has_request_context

        from ckanext.guangdong.security import relationships
        user = tk.current_user.name if has_request_context() and tk.current_user.is_authenticated else ""
        for result in search_results.get("results") or []:
            if isinstance(result, dict):
                relationships.filter_shown({"user": user}, result)
        return search_results

    # ISignal: count failures, clear an account's count when it logs in
    def get_signal_subscriptions(self) -> dict[Any, Any]:
        return {tk.signals.failed_login: [_failed], tk.signals.user_logged_in: [_logged_in]}


def _failed(login: Any, **_kwargs: Any) -> None:
    from flask import has_request_context, request

    from ckanext.guangdong.security import throttle
    throttle.record_failure(login, request.remote_addr if has_request_context() else None)


def _logged_in(sender: Any, user: Any = None, **_kwargs: Any) -> None:
    from ckanext.guangdong.security import throttle
    if user is not None:
        throttle.clear_account(getattr(user, "name", None))
