"""The parameters of the suggestion and hint actions, checked one way: any value they cannot
use is a 400 (``SearchQueryError``) with a zh/en message naming the parameter, never read
as empty or as a default. (The security feature's door check leaves these actions' paging to
them, so ``rows=-1`` and ``rows=21`` get the same answer.)"""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SearchQueryError
from ckan.types import DataDict

from ckanext.guangdong import params
from ckanext.guangdong.search import messages


def not_text(param: str) -> str:
    return messages._("Parameter “{param}” must be text, not a list, an object or a number."
                      ).format(param=param)


def query_text(data_dict: DataDict, most: int, param: str = "q") -> str:
    """The text of ``param`` ("" when it is missing or null)."""
    raw = data_dict.get(param)
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise SearchQueryError(not_text(param))
    if "\x00" in raw:
        raise SearchQueryError(messages.for_code("nul", {"param": param}))
    if len(raw) > most:
        raise SearchQueryError(messages.for_code("length", {"max": most}))
    return raw


def whole_number(data_dict: DataDict, param: str, low: int, high: int, default: int) -> int:
    """``param`` as a whole number from ``low`` to ``high`` (``default`` when missing), read
    by the project's one reader (params.as_int) but answered as a search error (400)."""
    try:
        return params.as_int(data_dict, param, default, low, high)
    except tk.ValidationError:
        raise SearchQueryError(
            messages.for_code("range", {"param": param, "low": low, "high": high})) from None
