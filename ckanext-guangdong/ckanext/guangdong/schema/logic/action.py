"""Chained actions that keep the schema's rules where validation cannot see them."""
from __future__ import annotations

from typing import Any, Callable

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.guangdong.schema import internal, openness, vocab

_ = tk._


@tk.chained_action
def bulk_update_public(next_action: Callable[..., Any], context: dict[str, Any],
                       data_dict: dict[str, Any]) -> Any:
    """The organization page's "make public" bypasses dataset validation (it updates rows
    directly), so 不予开放 is enforced here as well: the whole request fails, nothing changes."""
    ids = data_dict.get("datasets") or []
    if ids:
        not_open = (
            model.Session.query(model.Package.name)
            .join(model.PackageExtra, model.PackageExtra.package_id == model.Package.id)
            .filter(model.Package.id.in_(ids),
                    model.PackageExtra.key == "access_rights",
                    model.PackageExtra.value == openness.NOT_OPEN)
            .all()
        )
        if not_open:
            names = ", ".join(sorted(n for (n,) in not_open))
            raise tk.ValidationError({"datasets": [
                _("Datasets that are not open (不予开放) cannot be made public: %s") % names]})
    return next_action(context, data_dict)


@tk.chained_action
def activity_create(next_action: Callable[..., Any], context: dict[str, Any],
                    data_dict: dict[str, Any]) -> Any:
    """Activity streams are readable by anyone who can read the dataset, so the stored copy
    of the dataset never holds internal fields."""
    data = data_dict.get("data")
    if isinstance(data, dict) and isinstance(data.get("package"), dict):
        internal.strip(data["package"])
    return next_action(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def format_autocomplete(next_action: Callable[..., Any], context: dict[str, Any],
                        data_dict: dict[str, Any]) -> list[str]:
    """The resource form's format autocomplete offers the controlled list (vocab/formats.yaml),
    not whatever formats happen to be stored already."""
    tk.check_access("format_autocomplete", context, data_dict)
    from ckanext.guangdong import params
    q = data_dict.get("q")
    q = (q if isinstance(q, str) else "").strip().lower().lstrip(".")
    limit = params.as_int(data_dict, "limit", 5, 1, 100)
    matches = []
    for entry in vocab.format_entries():
        spellings = [entry["value"], *(entry.get("aliases") or []), entry["label"]["zh_Hans_CN"]]
        if any(q in str(s).lower() for s in spellings):
            matches.append(entry["value"])
    return matches[:limit]


# ckanext-scheming's repeating-subfield widget carries a hidden row template whose inputs are
# named ``<field>-REPEATING-INDEX0-<subfield>``. Its JavaScript removes the template; a form
# sent without it (no JavaScript, or a script that failed to start) posts the template too,
# and scheming's form expansion turns it into one more, empty, row: "信息项 2: 此项为必填项",
# and one more row after each resubmit.
_FORM_TEMPLATE_ROW = "-REPEATING-INDEX"


def _drop_form_template_rows(data_dict: dict[str, Any]) -> None:
    for item in [data_dict, *(r for r in data_dict.get("resources") or [] if isinstance(r, dict))]:
        for key in [k for k in item if isinstance(k, str) and _FORM_TEMPLATE_ROW in k]:
            del item[key]


@tk.chained_action
def package_create(next_action: Callable[..., Any], context: dict[str, Any],
                   data_dict: dict[str, Any]) -> Any:
    _drop_form_template_rows(data_dict)
    return next_action(context, data_dict)


@tk.chained_action
def package_update(next_action: Callable[..., Any], context: dict[str, Any],
                   data_dict: dict[str, Any]) -> Any:
    _drop_form_template_rows(data_dict)  # resource_create/update/patch come through here too
    return next_action(context, data_dict)


def all_actions() -> dict[str, Callable[..., Any]]:
    import ckan.plugins as p
    from ckanext.guangdong.schema.logic.check import guangdong_check_field
    actions: dict[str, Callable[..., Any]] = {"bulk_update_public": bulk_update_public,
                                              "format_autocomplete": format_autocomplete,
                                              "guangdong_check_field": guangdong_check_field,
                                              "package_create": package_create,
                                              "package_update": package_update}
    if p.plugin_loaded("activity"):  # chaining an action that does not exist fails at start
        actions["activity_create"] = activity_create
    return actions
