"""Factories for CKAN's blanket decorators where the bare decorator cannot serve.

The bare ``@tk.blanket.actions`` (and its kin) registers a module's ``__all__`` and imports the
module when the plugin class is defined. Two things need more: a chained action of another
plugin may only be registered when that plugin is loaded (chaining an action that does not
exist fails at start), and the search feature's plugin module is loaded before the
configuration (its backend is a system plugin), so its modules are imported when CKAN asks.
"""
from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def actions(*module_names: str) -> Callable[[], dict[str, Any]]:
    """``@tk.blanket.actions(registration.actions("ckanext.guangdong.x.logic.action"))``: the
    modules' ``__all__``, less the actions their ``CHAINED_IF_LOADED`` (action -> plugin) names
    whose plugin is not loaded."""
    def factory() -> dict[str, Any]:
        import ckan.plugins as p
        out: dict[str, Any] = {}
        for module_name in module_names:
            module = import_module(module_name)
            needs: dict[str, str] = getattr(module, "CHAINED_IF_LOADED", {})
            out.update({name: getattr(module, name) for name in module.__all__
                        if name not in needs or p.plugin_loaded(needs[name])})
        return out
    return factory


def blueprints(module_name: str) -> Callable[[], list[Any]]:
    """``@tk.blanket.blueprints(registration.blueprints("ckanext.guangdong.x.views"))``: the
    module's ``__all__``, imported when CKAN asks for the blueprints."""
    def factory() -> list[Any]:
        module = import_module(module_name)
        return [getattr(module, name) for name in module.__all__]
    return factory
