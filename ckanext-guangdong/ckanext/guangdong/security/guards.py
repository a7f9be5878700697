"""Bad input answers 400/403/404/409, never 500, whichever action, auth function or view it hits.

CKAN's and the extensions' code has three kinds of faults that turn a bad request into a 500
(the leak and bad-input suites found each): a required parameter read as ``data_dict['x']``
(KeyError when it is missing), an auth function that assumes a signed-in user (an ``assert`` or
a typo on the anonymous path), and a view that lets a logic exception (NotFound,
NotAuthorized, ValidationError) escape. Each kind is handled once here, with CKAN's
mechanisms: a chained action and a chained auth function around every registered one, and
Flask error handlers for the logic exceptions.

Only those exact faults are translated; any other exception still answers 500 and is logged.
"""
from __future__ import annotations

import functools
import importlib
import inspect
import re
import traceback
from collections.abc import Callable, Iterable
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

_CORE_MODULES = ("get", "create", "update", "delete", "patch")


def missing_parameter(error: KeyError, data_dict: Any) -> str | None:
    """The parameter whose absence raised ``error``: the key is not in the request and the
    failing line reads it from ``data_dict``."""
    key = error.args[0] if error.args else None
    if not isinstance(key, str) or not isinstance(data_dict, dict) or key in data_dict:
        return None
    frames = traceback.extract_tb(error.__traceback__)
    line = frames[-1].line or "" if frames else ""
    return key if "data_dict" in line and repr(key)[1:-1] in line else None


def _raise_if_missing_parameter(error: KeyError, data_dict: Any) -> None:
    """409 "Missing value" on the parameter, if that is what the KeyError was."""
    key = missing_parameter(error, data_dict)
    if key is not None:
        raise tk.ValidationError({key: [tk._("Missing value")]}) from error


def _action_guard(attributes: dict[str, Any]) -> Callable[..., Any]:
    @tk.chained_action
    def guard(next_action: Callable[..., Any], context: Any, data_dict: Any) -> Any:
        try:
            return next_action(context, data_dict)
        except KeyError as error:
            _raise_if_missing_parameter(error, data_dict)
            raise
    guard.__dict__.update(attributes)
    return guard


def _auth_guard(attributes: dict[str, Any]) -> Callable[..., Any]:
    @tk.chained_auth_function
    def guard(next_auth: Callable[..., Any], context: Any, data_dict: Any) -> Any:
        try:
            return next_auth(context, data_dict)
        except KeyError as error:
            _raise_if_missing_parameter(error, data_dict)
            raise
        except (AssertionError, AttributeError):
            # auth functions that assume a signed-in user fail this way for anonymous callers
            if context.get("user"):
                raise
            return {"success": False, "msg": tk._("You must be logged in")}
    guard.__dict__.update(attributes)
    return guard


def _core(kind: str) -> dict[str, Any]:
    from ckan.authz import get_local_functions
    out: dict[str, Any] = {}
    for module_name in _CORE_MODULES:
        module = importlib.import_module(f"ckan.logic.{kind}.{module_name}")
        for name, fn in get_local_functions(module):
            out[name] = (module_name, fn)
    return out


def _attributes(fns: Iterable[Any], names: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for fn in fns:
        for attr in names:
            if hasattr(fn, attr):
                out[attr] = getattr(fn, attr)
    return out


def _others(interface: Any, method: str, me: Any) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for plugin in p.PluginImplementations(interface):
        if plugin is me:
            continue
        for name, fn in getattr(plugin, method)().items():
            found.setdefault(name, []).append(fn)
    return found


_READS_PARAMETER = re.compile(r"""data_dict\[\s*u?['"](\w+)['"]\s*\](?!\s*=[^=])""")
_PASSES_DATA_DICT = re.compile(r"(\w+)\(\s*context\s*,\s*data_dict\b")


def reads_parameters_unguarded(fn: Any, module: Any, seen: set[str] | None = None) -> bool:
    """Whether the action (or a helper of its module it hands ``data_dict`` to) reads a
    parameter as ``data_dict['x']``, the read that fails with KeyError when it is missing."""
    seen = set() if seen is None else seen
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        return False
    if _READS_PARAMETER.search(source):
        return True
    for name in _PASSES_DATA_DICT.findall(source):
        helper = getattr(module, name, None)
        if name not in seen and callable(helper) and getattr(helper, "__module__", None) == module.__name__:
            seen.add(name)
            if reads_parameters_unguarded(helper, module, seen):
                return True
    return False


def guarded_actions() -> dict[str, Any]:
    """A guard chained to each of CKAN's own actions that reads a parameter unguarded (those
    of extensions do so in their auth functions, guarded below). Only those: the others'
    registry entries stay CKAN's own (the search feature's bulk reindex checks that nobody
    replaces package_show)."""
    out = {}
    for name, (module_name, fn) in _core("action").items():
        module = importlib.import_module(f"ckan.logic.action.{module_name}")
        if not reads_parameters_unguarded(fn, module):
            continue
        attrs = _attributes([fn], ("side_effect_free",))
        if module_name == "get":
            attrs.setdefault("side_effect_free", True)   # as CKAN's registry marks them
        out[name] = _action_guard(attrs)
    out.update(input_guards())
    return out


def _member_delete_guard(kind: str) -> Callable[..., Any]:
    """CKAN's group_member_delete / organization_member_delete ``assert`` the group exists and
    pass a missing user on: 500 for anyone. Checked first: 404 / 409 with a message."""
    @tk.chained_action
    def guard(next_action: Callable[..., Any], context: Any, data_dict: Any) -> Any:
        from ckan import model
        data = data_dict if isinstance(data_dict, dict) else {}
        group_id = data.get("id")
        group = model.Group.get(group_id) if isinstance(group_id, str) and group_id else None
        if group is None or group.is_organization != (kind == "organization"):
            raise tk.ObjectNotFound(tk._("Organization not found") if kind == "organization"
                                    else tk._("Group not found"))
        user = data.get("username") if data.get("username") is not None else data.get("user_id")
        if not isinstance(user, str) or not user.strip():
            raise tk.ValidationError({"username": [tk._("Missing value")]})
        return next_action(context, data_dict)
    return guard


@tk.chained_action
def _datastore_run_triggers_guard(next_action: Callable[..., Any], context: Any, data_dict: Any) -> Any:
    """The DataStore reads ``data_dict['resource_id']`` before its auth check (KeyError: 500)."""
    if not isinstance(data_dict, dict) or not isinstance(data_dict.get("resource_id"), str) \
            or not data_dict["resource_id"]:
        raise tk.ValidationError({"resource_id": [tk._("Missing value")]})
    return next_action(context, data_dict)


def input_guards() -> dict[str, Any]:
    """Actions whose bad input fails in other ways than a KeyError on ``data_dict``."""
    out: dict[str, Any] = {"group_member_delete": _member_delete_guard("group"),
                           "organization_member_delete": _member_delete_guard("organization")}
    if p.plugin_loaded("datastore"):
        out["datastore_run_triggers"] = _datastore_run_triggers_guard
    return out


def guarded_auth_functions(me: Any) -> dict[str, Any]:
    """A guard chained to every auth function CKAN and the other plugins register."""
    core, others = _core("auth"), _others(p.IAuthFunctions, "get_auth_functions", me)
    out = {}
    for name in set(core) | set(others):
        fns = []
        extra: dict[str, Any] = {}
        if name in core:
            module_name, fn = core[name]
            fns.append(fn)
            if not hasattr(fn, "auth_allow_anonymous_access"):
                extra["auth_allow_anonymous_access"] = module_name == "get"
        attrs = {**extra, **_attributes(fns + others.get(name, []),
                                         ("auth_allow_anonymous_access", "auth_sysadmins_check"))}
        out[name] = _auth_guard(attrs)
    return out


def error_page(status: int, message: str) -> Any:
    """CKAN's error page (as its own error handler renders it)."""
    from werkzeug.exceptions import default_exceptions
    name = default_exceptions[status].__name__ if status in default_exceptions else ""
    return tk.render("error_document_template.html", {
        "code": status, "content": message, "name": name,
        "show_login_redirect_link": status == 403 and not tk.current_user.is_authenticated}), status


def register_error_handlers(app: Any) -> None:
    """Views that let a logic exception escape answer with its HTTP status, not 500."""
    from flask import request
    from jinja2.exceptions import UndefinedError

    def handler(status: int) -> Callable[[Exception], Any]:
        def handle(error: Exception) -> Any:
            return error_page(status, getattr(error, "message", None) or str(error) or "")
        return handle

    app.register_error_handler(tk.ObjectNotFound, handler(404))
    app.register_error_handler(tk.NotAuthorized, handler(403))
    app.register_error_handler(tk.ValidationError, handler(400))

    def snippet_without_its_variables(error: UndefinedError) -> Any:
        # /api/util/snippet/<name> renders a template with the request's arguments
        if request.endpoint == "api.snippet":
            return error_page(400, tk._("Missing value"))
        raise error
    app.register_error_handler(UndefinedError, snippet_without_its_variables)


def blueprint() -> Any:
    """Routes of CKAN's that fail on any request: answered properly here (registered before
    CKAN's own, so these win)."""
    from flask import Blueprint
    bp = Blueprint("guangdong_guards", __name__)

    @bp.route("/group/bulk_process/<id>", methods=["GET", "POST"])
    def group_bulk_process(id: str) -> Any:
        # CKAN registers the organization's bulk page for groups too and raises
        # Exception("Must be an organization") there.
        return error_page(404, tk._("Groups have no bulk actions"))

    return bp


def in_front(ours: Callable[..., Any], name: str, existing: dict[str, Any]) -> Any:
    """A chained action ``name`` running ``ours(next_action, context, data_dict)`` in front of
    the one ``existing`` already registers for it in this plugin (one function per name)."""
    inner = existing.get(name)

    @tk.chained_action
    def action(next_action: Callable[..., Any], context: Any, data_dict: Any) -> Any:
        nxt = next_action if inner is None else functools.partial(inner, next_action)
        return ours(nxt, context, data_dict)
    action.__name__ = name
    if getattr(inner, "side_effect_free", False):
        action.side_effect_free = True  # pyright: ignore[reportFunctionMemberAccess]
    return action
