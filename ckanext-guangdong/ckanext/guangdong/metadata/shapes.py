"""The shape of a dataset write: a list or an object where a field takes one value (issue 14).

CKAN reads a dataset's and a resource's fields before its validators do (the organisation's
lookup, the upload's MIME type guess, the search index, the safety gate), and its ``unicode_safe``
turns a list into its JSON text: ``owner_org: ["gdstats"]``, ``url: ["http://a"]`` or an extra's
value ``{"a": 1}`` gave a 500, and ``title: ["x"]`` was saved as the text ``["x"]``. Checked here
once, for every field of the scheming schemas and CKAN's own package and resource schema,
before anything reads them: each one-value field takes a text or a number (a number is stored
as its digits, as CKAN's text fields store it, and the write goes on with that text); lists of
objects (resources, tags, extras, groups, repeating subfields) take objects whose fields do the
same; multiple choices (theme ...) take texts. 409 naming the field, zh/en.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from typing import Any

import ckan.plugins.toolkit as tk

# Lists of objects: each object's fields are one-value fields.
OBJECT_LISTS = ("resources", "tags", "extras", "groups")
# CKAN's own lists it reads itself (relationships, sysadmins' plugin data): left to CKAN.
LEFT_TO_CKAN = frozenset({"relationships_as_object", "relationships_as_subject", "plugin_data",
                          "__extras", "__junk", "__before", "__after", "save", "return_to"})
# One-value fields that are numbers or flags, not texts: kept as sent, their validators read them.
NOT_TEXT = frozenset({"private", "record_count", "size", "position", "datastore_active"})
# CKAN's resource dates (its isodate validator): "15012345678" overflowed its parser (500)
CKAN_DATES = frozenset({"created", "last_modified", "cache_last_updated"})


def _message_text() -> str:
    return tk._("Must be a text or a number, not a list or an object")


def _message_list() -> str:
    return tk._("Must be a list of objects")


@cache
def _schema_fields() -> tuple[frozenset[str], frozenset[str], dict[str, frozenset[str]], frozenset[str]]:
    """(one-value dataset fields, multiple-choice fields, repeating fields -> their subfields,
    one-value resource fields), from every scheming dataset schema and CKAN's own."""
    from ckan.logic.schema import default_create_package_schema, default_resource_schema
    from ckanext.scheming.helpers import scheming_dataset_schemas
    single: set[str] = set(default_create_package_schema())
    multiple: set[str] = set()
    repeating: dict[str, frozenset[str]] = {}
    resource: set[str] = set(default_resource_schema())
    own: set[str] = set()  # fields whose own validator reads any value and says more
    for schema in (scheming_dataset_schemas() or {}).values():
        for field in schema.get("dataset_fields", []):
            name = field["field_name"]
            if field.get("repeating_subfields"):
                repeating[name] = frozenset(f["field_name"] for f in field["repeating_subfields"]
                                            if not _checks_itself(f))
            elif "multiple" in str(field.get("preset", "")) or name in ("used_datasets", "tag_string"):
                multiple.add(name)
            elif _checks_itself(field):
                own.add(name)
            else:
                single.add(name)
        for field in schema.get("resource_fields", []):
            (own if _checks_itself(field) else resource).add(field["field_name"])
    single -= multiple | set(repeating) | set(OBJECT_LISTS) | LEFT_TO_CKAN | own
    resource -= LEFT_TO_CKAN | own | NOT_TEXT | {"package_id"}
    return frozenset(single), frozenset(multiple - own), repeating, frozenset(resource)


# Our validators that only say "required" or fill a value in: the field is a plain text.
_PLAIN = frozenset({"guangdong_required", "guangdong_name_from_file", "guangdong_format_guess",
                    "guangdong_access_conditions", "guangdong_license_default"})


def _checks_itself(field: dict[str, Any]) -> bool:
    """A field with a validator of ours that reads any value (a date, a code, a choice, a
    number): its message says more than ours (``identifier`` list: "Identifier must be …")."""
    return any(v.startswith("guangdong_") and v not in _PLAIN for v in str(field.get("validators") or "").split())


_CONTAINERS = (list, dict, set, tuple)


def _as_text(value: Any) -> Any:
    """A number as the text CKAN's text fields store for it; anything else as it is."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    return value


def _scalar(obj: dict[str, Any], key: str, errors: dict[str, Any]) -> None:
    """A one-value field: a number becomes its text; a list or an object is an error."""
    value = obj.get(key)
    if isinstance(value, _CONTAINERS):
        errors[key] = [_message_text()]
    elif key not in NOT_TEXT:
        obj[key] = _as_text(value)
        if key in CKAN_DATES and isinstance(obj[key], str) and obj[key].strip() and not _is_date(obj[key]):
            errors[key] = [tk._("Date format incorrect")]  # CKAN's own message


def _is_date(text: str) -> bool:
    """Whether CKAN's ``isodate`` reads it: a number-like text overflows its parser (500)."""
    import ckan.lib.helpers as h
    try:
        h.date_str_to_datetime(text)
    except (ValueError, TypeError, OverflowError):
        return False
    return True


def _objects(data: dict[str, Any], key: str, fields: Iterable[str] | None, errors: dict[str, Any]) -> None:
    """A list of objects; ``fields`` None: every field of each object is one-value."""
    items = data.get(key)
    if items is None:
        return
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        # CKAN's ValidationError reads a tag's error as {"name": [...]} (its summary)
        errors[key] = [{"name": [_message_list()]}] if key == "tags" else [_message_list()]
        return
    found: list[dict[str, Any]] = []
    for item in items:
        item_errors: dict[str, Any] = {}
        for name in fields if fields is not None else list(item):
            if name in item and name not in LEFT_TO_CKAN:
                _scalar(item, name, item_errors)
        found.append(item_errors)
    if any(found):
        errors[key] = found


def check(data_dict: Any) -> None:
    """Refuse (409) a dataset write whose fields have the wrong shape; numbers in text fields
    become their text, in place."""
    if not isinstance(data_dict, dict):
        return
    single, multiple, repeating, resource_fields = _schema_fields()
    errors: dict[str, Any] = {}
    for key in single:
        if key in data_dict:
            _scalar(data_dict, key, errors)
    for key in multiple:  # one value or a list of them
        value = data_dict.get(key)
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, _CONTAINERS) for v in values):
            errors[key] = [_message_text()]
        elif isinstance(value, list):
            data_dict[key] = [_as_text(v) for v in value]
        elif key in data_dict:
            data_dict[key] = _as_text(value)
    for key, subfields in repeating.items():
        _objects(data_dict, key, subfields, errors)
    _objects(data_dict, "resources", resource_fields, errors)
    for key in ("tags", "extras", "groups"):
        _objects(data_dict, key, None, errors)
    if errors:
        raise tk.ValidationError(errors)


def check_resource(data_dict: Any) -> None:
    """The same for a resource written on its own (resource_create / _update read its link for
    the upload's MIME type before the dataset write checks it)."""
    if not isinstance(data_dict, dict):
        return
    errors: dict[str, Any] = {}
    for key in _schema_fields()[3]:
        if key in data_dict:
            _scalar(data_dict, key, errors)
    if errors:
        raise tk.ValidationError(errors)


# An organisation's or group's one-value texts (CKAN's group schema)
GROUP_TEXTS = ("title", "description", "image_url")


def check_group(data_dict: Any) -> None:
    """The same for an organisation or a group: an extra's value ``{"b": 1}`` gave a 500 where
    CKAN saves it (attack trial a9, N5); its texts and each extra's key and value take a text
    or a number."""
    if not isinstance(data_dict, dict):
        return
    errors: dict[str, Any] = {}
    for key in GROUP_TEXTS:
        if key in data_dict:
            _scalar(data_dict, key, errors)
    _objects(data_dict, "extras", ("key", "value"), errors)
    if errors:
        raise tk.ValidationError(errors)
