"""A dataset the caller may not read does not exist for them, on every surface.

CKAN answers the dataset page with 404 for a missing and a hidden dataset alike, but other
routes (resource views, DCAT ``/dataset/<id>.ttl``, the edit pages) and the Action API answer
403 for a hidden one, with messages that name it (and the API's with its internal id): an
oracle telling which names exist. One rule, after the answer is made: a 403 whose request names
a dataset (its id or name, one of its resources or resource views) that the caller may not
read becomes the same "not found" a missing one gets; a 404 of the API on such a request (or
on one naming nothing that exists) gets
the same plain message, and so does a 404 of a dataset's page (the resource, views, edit and
DCAT pages said nothing or "Resource not found" where the dataset page says "Dataset not
found"). Answers about datasets the caller may read keep their 403 (an editor
page refused to a reader of a public dataset says why). docs/security.md "403 vs 404".
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context

# where a request names a dataset: URL variables of the routes and parameters of the actions
_KEYS = ("id", "_id", "package_id", "dataset_id", "name_or_id", "resource_id", "view_id",
         "resource_view_id")

# pages of a dataset (any type, any language prefix): their 404s all say "Dataset not found"
_DATASET_PAGE = re.compile(r"^/(?:[A-Za-z_]{2,12}/)?(?:dataset|application|harvest)/")


# API actions whose auth looks at the caller only, never at a dataset (see caller_only)
_CALLER_ONLY: set[str] = set()
# API actions about datasets (any type: applications, harvest sources), their files and views,
# whose ids _KEYS name; the other actions' ids name users, organizations, jobs: their answers
# are CKAN's.
_ABOUT_DATASETS = re.compile(
    r"^(?:package_|dataset_|resource_|datastore_|bulk_update_|follow_dataset|unfollow_dataset|"
    r"am_following_dataset|harvest_source_|guangdong_safety_|guangdong_data_|guangdong_harvest_|"
    r"xloader_|datapusher_|dcat_)")


def caller_only(auth: Any) -> Any:
    """Mark an auth function (named as its action) as judging the caller alone: the action
    checks it before looking anything up, and its 403 is kept whatever dataset the request
    names (docs/security.md, "403 vs 404")."""
    _CALLER_ONLY.add(auth.__name__)
    return auth


def _named(request: Any) -> list[str]:
    values: list[Any] = [(request.view_args or {}).get(k) for k in _KEYS]
    if request.endpoint == "api.action":
        params: dict[str, Any] = dict(request.args)
        try:
            body = request.get_json(silent=True) if request.is_json else None
        except RecursionError:  # a body nested too deep (silent only covers ValueError)
            body = None
        if isinstance(body, dict):
            params.update(body)
        elif request.form:
            params.update(request.form)
        values += [params.get(k) for k in _KEYS]
    return [v for v in values if isinstance(v, str) and v and len(v) <= 200]


def _packages(values: Iterable[str]) -> tuple[list[model.Package], bool]:
    """The datasets the values name, and whether some value names nothing at all."""
    found: list[model.Package] = []
    unknown = False
    for value in values:
        package = model.Package.get(value)
        if package is None:
            resource = model.Resource.get(value)
            if resource is None:
                view = model.ResourceView.get(value)
                resource = model.Resource.get(view.resource_id) if view is not None else None
            package = resource.package if resource is not None else None
        if package is None:
            # a user or an organization named by a dataset action (dataset_followee_list) exists
            unknown = unknown or (model.User.get(value) is None and model.Group.get(value) is None)
        else:
            found.append(package)
    return found, unknown


def _says_missing(response: Any) -> bool:
    """A 403, a 404, or a 409 whose only errors are about the naming parameters ("Not found:
    Dataset") or a bare message: answers that, for an id naming nothing, tell only that."""
    if response.status_code in (403, 404):
        return True
    if response.status_code != 409:
        return False
    try:
        error = json.loads(response.get_data(as_text=True)).get("error") or {}
    except (ValueError, AttributeError):
        return False
    # ("Missing id, can not get Package object": package_show's auth, asked with name_or_id)
    fields = set(error) - {"__type", "message"}
    return fields <= set(_KEYS) and bool(fields or "message" in error)


def may_read(package: model.Package) -> bool:
    """Whether the signed-in user (or the anonymous visitor) may read the dataset."""
    user = tk.current_user.name if tk.current_user.is_authenticated else ""
    ctx: Context = {"model": model, "session": model.Session, "user": user}
    try:
        tk.check_access("package_show", ctx, {"id": package.id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def _not_found(request: Any) -> Any:
    from flask import make_response

    from ckanext.guangdong.security.guards import error_page
    if request.endpoint == "api.action":
        body = {"help": tk.h.url_for("api.action", logic_function="help_show", ver=3,
                                     name=(request.view_args or {}).get("logic_function"), _external=True),
                "success": False,
                "error": {"__type": "Not Found Error", "message": tk._("Not found")}}
        response = make_response(json.dumps(body), 404)
        response.headers["Content-Type"] = "application/json;charset=utf-8"
        return response
    # The page CKAN rendered first took its styles and scripts along (render_assets empties
    # the request's collection): without a fresh one this page came out unstyled.
    from flask import g
    if hasattr(g, "_webassets"):
        del g._webassets
    return make_response(*error_page(404, tk._("Dataset not found")))


def _what_is_named(request: Any) -> tuple[bool, bool] | None:
    """Whether the request names a dataset the caller may not read, and whether it names
    nothing that exists; None when it names nothing at all or a lookup fails (CKAN's own
    answer is kept then)."""
    try:
        values = _named(request)
        if not values:
            return None
        packages, unknown = _packages(values)
        return any(not may_read(p) for p in packages), unknown and not packages
    except Exception:
        model.Session.rollback()
        return None


def answer_not_found(response: Any) -> Any:
    """Flask ``after_request``: see the module's docstring."""
    from flask import request
    if request.endpoint == "api.action":
        return _api_answer(request, response)
    if response.status_code not in (403, 404) or request.endpoint is None:
        return response
    if response.status_code == 404 and not _DATASET_PAGE.match(request.path):
        return response
    named = _what_is_named(request)
    if named is None:
        return response
    hidden, nothing = named
    if response.status_code == 403 and hidden:
        return _not_found(request)
    if response.status_code == 404 and (hidden or nothing):
        # a missing one, said the same way (a missing resource of a readable dataset keeps
        # CKAN's "Resource not found")
        return _not_found(request)
    return response


def _api_answer(request: Any, response: Any) -> Any:
    """The rule for the Action API. Only actions about datasets are concerned (an ``id`` of
    the others names a user, an organization, a job), and not those judging the caller alone
    (``caller_only``: the same 403 for every id). Of the others, a refusal about a dataset the
    caller may not read or about an id naming nothing (a 403: CKAN's, naming it, or of an
    auth that refuses before looking; a 404; a validator's "Not found: Dataset" 409) is one
    404, so a missing dataset and a hidden one get the same answer whatever order the action
    checks in. Answers that ignore the id stay as they are for both."""
    action = str((request.view_args or {}).get("logic_function"))
    if action in _CALLER_ONLY or not _ABOUT_DATASETS.match(action):
        return response
    if response.status_code not in (403, 404, 409):  # the answers _says_missing reads
        return response
    named = _what_is_named(request)
    if named is None:
        return response
    hidden, nothing = named
    if (hidden or nothing) and _says_missing(response):
        return _not_found(request)
    return response
