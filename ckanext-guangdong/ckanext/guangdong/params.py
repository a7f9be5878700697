"""Reading the parameters of our actions and views: a bad value is a ValidationError with a
short message naming the parameter (409 from the API, 400 from a page), never a 500.

Shared by every feature (as translation.py is); its messages are in the theme feature's
translations (theme/i18n), the plugin every configuration loads first.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.guangdong.metadata.openness import NotABoolean, parse_private


def as_int(data: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high``; ``default`` when absent or empty."""
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("+-").isdecimal() and len(value) < 20:
        number = int(value.strip())
    if number is None or not low <= number <= high:
        raise tk.ValidationError({key: [
            tk._("Enter a whole number from %(min)s to %(max)s") % {"min": low, "max": high}]})
    return number


def as_bool(data: Mapping[str, Any], key: str, default: bool) -> bool:
    """true/false in CKAN's spellings (the same reading as the ``private`` flag)."""
    if data.get(key) == "":
        return default
    try:
        value = parse_private(data.get(key))
    except NotABoolean as exc:
        raise tk.ValidationError({key: [tk._("Enter true or false")]}) from exc
    return default if value is None else value


def as_id(data: Mapping[str, Any], key: str) -> str | None:
    """An id or name: a short single-line text, or None when absent."""
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 200 or any(ord(ch) < 32 for ch in value):
        raise tk.ValidationError({key: [tk._("Enter an id or a name")]})
    return value.strip()
