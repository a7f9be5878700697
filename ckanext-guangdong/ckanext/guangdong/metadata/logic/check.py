"""The checks behind ``guangdong_check_field`` (logic/action.py), the form's as-you-type check
of one field.

The browser sends one value; the answer comes from the same validators that run on save, so
the message a publisher sees while typing is the one the server would give (in the page's
language). Only fields that can be checked alone are offered."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import missing
from ckan.types import Context

from ckanext.guangdong.metadata.logic import validators as v


def _value_check(fn: Callable[[Any], Any]) -> Callable[[Any, Context], list[str]]:
    def check(value: Any, context: Context) -> list[str]:
        try:
            fn(value)
        except tk.Invalid as exc:
            return [str(exc.error)]
        return []
    return check


def _identifier(value: Any, context: Context) -> list[str]:
    key = ("identifier",)
    data: dict = {key: value, ("id",): context.get("own_id") or missing}
    errors: dict = {key: []}
    v.guangdong_identifier(key, data, errors, {})
    return errors[key]


def _record_count(value: Any, context: Context) -> list[str]:
    # the same limit as on save: the field's guangdong_max_value in schemas/dataset.yaml
    from ckanext.scheming.helpers import scheming_field_by_name, scheming_get_dataset_schema
    schema = scheming_get_dataset_schema("dataset") or {}
    field = scheming_field_by_name(schema.get("dataset_fields", []), "record_count") or {}
    return _value_check(v.guangdong_whole_number(field, schema))(value, context)


CHECKS: dict[str, Callable[[Any, Context], list[str]]] = {
    "identifier": _identifier,
    "publisher_identifier": _value_check(v.guangdong_uscc),
    "contact_phone": _value_check(v.guangdong_phone),
    "contact_email": _value_check(v.guangdong_email),
    "record_count": _record_count,
}
