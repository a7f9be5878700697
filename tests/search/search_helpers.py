"""Helpers shared by the search tests (a module of its own: every test folder has a conftest)."""
from __future__ import annotations

import random
import string
import uuid
from collections.abc import Iterable
from typing import Any

_indexed_without_dataset: list[dict[str, Any]] = []


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def latin_word(prefix: str = "zq") -> str:
    """A random word of letters only: Latin words stay whole on both engines (Solr splits one
    with digits, sg6f1a2b → b, 1 …, which then matches other datasets)."""
    return prefix + "".join(random.choices(string.ascii_lowercase, k=8))


def search(user: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
    """package_search as a given user (None: anonymous), permission labels applied."""
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    name = (user or {}).get("name")
    context = {"user": name or "", "auth_user_obj": model.User.get(name) if name else None}
    return tk.get_action("package_search")(context, params)


def index_documents(pkgs: Iterable[dict[str, Any]]) -> None:
    """Index dataset dicts straight through CKAN's index_package, with no dataset behind them
    (relevance figures over hundreds of datasets without creating each). conftest removes them
    after the module: left behind, they reached later tests as search hits with no dataset
    (DCAT catalogs answered 500 on their organization without an id)."""
    import ckan.model as model
    from ckan.lib.search import index_for
    index = index_for(model.Package)
    for pkg in pkgs:
        index.index_package(pkg, defer_commit=True)
        _indexed_without_dataset.append(pkg)
    index.commit()


def remove_indexed_documents() -> None:
    """Delete what index_documents put in the index (module teardown)."""
    if not _indexed_without_dataset:
        return
    import ckan.model as model
    from ckan.lib.search import index_for
    index = index_for(model.Package)
    while _indexed_without_dataset:
        index.delete_package(_indexed_without_dataset.pop())
    index.commit()
