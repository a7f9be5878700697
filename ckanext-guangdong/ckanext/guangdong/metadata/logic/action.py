"""Chained actions that keep the schema's rules where validation cannot see them."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.guangdong import params
from ckanext.guangdong.metadata import internal, openness, renamed, shapes, visibility, vocab
from ckanext.guangdong.metadata.logic import check

# What @tk.blanket.actions registers (ckanext/guangdong/registration.py)
__all__ = ["bulk_update_public", "format_autocomplete", "guangdong_check_field", "package_create",
           "package_update", "package_patch", "resource_create", "organization_create",
           "organization_update", "group_create", "group_update", "resource_update", "tag_list", "tag_search",
           "tag_autocomplete", "tag_show", "member_list",
           "activity_create", "dcat_catalog_show", "dcat_catalog_search", "unfollow_dataset"]
# registered only where that plugin is loaded (chaining an action that does not exist fails)
CHAINED_IF_LOADED = {"activity_create": "activity", "dcat_catalog_show": "dcat",
                     "dcat_catalog_search": "dcat"}

_ = tk._


@tk.chained_action
def unfollow_dataset(next_action: Callable[..., Any], context: Context,
                     data_dict: dict[str, Any]) -> Any:
    """CKAN answers 200 for an existing dataset one does not follow and 409 for a missing one:
    a signed-in user learnt that a private or 不予开放 name exists. A dataset one may not read
    and does not follow answers as a missing one does, 404 (whoever followed it before it was
    hidden may still stop)."""
    ref = data_dict.get("id") if isinstance(data_dict, dict) else None
    package = model.Package.get(ref) if isinstance(ref, str) and ref else None
    user = model.User.get(context.get("user") or "")
    follows = (package is not None and user is not None
               and model.UserFollowingDataset.get(user.id, package.id) is not None)
    if not follows:
        tk.check_access("unfollow_dataset", context, data_dict)  # anonymous: 403 first, as CKAN
        try:
            if package is None:
                raise tk.ObjectNotFound(_("Dataset not found"))
            tk.check_access("package_show", cast(Context, dict(context)), {"id": package.id})
        except tk.NotAuthorized:
            raise tk.ObjectNotFound(_("Dataset not found")) from None
    return next_action(context, data_dict)


@tk.chained_action
def bulk_update_public(next_action: Callable[..., Any], context: Context,
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
def activity_create(next_action: Callable[..., Any], context: Context,
                    data_dict: dict[str, Any]) -> Any:
    """Activity streams are readable by anyone who can read the dataset, so the stored copy
    of the dataset never holds internal fields."""
    data = data_dict.get("data")
    if isinstance(data, dict) and isinstance(data.get("package"), dict):
        internal.strip(data["package"])
    return next_action(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def format_autocomplete(next_action: Callable[..., Any], context: Context,
                        data_dict: dict[str, Any]) -> list[str]:
    """The resource form's format autocomplete offers the controlled list (vocab/formats.yaml),
    not whatever formats happen to be stored already."""
    tk.check_access("format_autocomplete", context, data_dict)
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
def package_create(next_action: Callable[..., Any], context: Context,
                   data_dict: dict[str, Any]) -> Any:
    renamed.accept_old_keys(data_dict)
    shapes.check(data_dict)  # before anything reads a field (issue 14: lists gave 500s)
    _drop_form_template_rows(data_dict)
    return next_action(context, data_dict)


@tk.chained_action
def package_update(next_action: Callable[..., Any], context: Context,
                   data_dict: dict[str, Any]) -> Any:
    renamed.accept_old_keys(data_dict)
    shapes.check(data_dict)
    _drop_form_template_rows(data_dict)  # resource_create/update/patch come through here too
    return next_action(context, data_dict)


@tk.chained_action
def resource_create(next_action: Callable[..., Any], context: Context,
                    data_dict: dict[str, Any]) -> Any:
    shapes.check_resource(data_dict)
    return next_action(context, data_dict)


@tk.chained_action
def resource_update(next_action: Callable[..., Any], context: Context,
                    data_dict: dict[str, Any]) -> Any:
    shapes.check_resource(data_dict)
    return next_action(context, data_dict)


@tk.chained_action
def package_patch(next_action: Callable[..., Any], context: Context,
                  data_dict: dict[str, Any]) -> Any:
    """An old key in a patch must replace the stored value, which package_patch has already
    merged in under the new key by the time package_update sees the request."""
    renamed.accept_old_keys(data_dict)
    return next_action(context, data_dict)


def _group_shapes_checked() -> Any:
    """A new chained action (each name its own: the decorator marks the function) that checks
    an organisation's or group's shapes before CKAN saves its extras (issue 14, N5: an extra's
    value ``{"b": 1}`` was a 500)."""
    def action(next_action: Callable[..., Any], context: Context, data_dict: dict[str, Any]) -> Any:
        shapes.check_group(data_dict)
        return next_action(context, data_dict)
    return tk.chained_action(action)


organization_create = _group_shapes_checked()
organization_update = _group_shapes_checked()
group_create = _group_shapes_checked()
group_update = _group_shapes_checked()


# --- traces of hidden datasets (metadata/visibility.py) -----------------------------------

def _sysadmin(context: Context) -> bool:
    from ckan import authz
    return bool(context.get("ignore_auth")) or authz.is_sysadmin(context.get("user"))


def _natural(data_dict: dict[str, Any], key: str) -> int | None:
    """A paging number (limit, offset): None when absent."""
    if data_dict.get(key) in (None, ""):
        return None
    return params.as_int(data_dict, key, 0, 0, 2**31 - 1)


def _terms(data_dict: dict[str, Any]) -> list[str]:
    terms = data_dict.get("query") or data_dict.get("q") or []
    terms = [terms] if isinstance(terms, str) else terms
    if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
        raise tk.ValidationError({"query": [_("Must be a text or a list of texts")]})
    fields = data_dict.get("fields") or {}
    if isinstance(fields, dict):
        terms += [v for k, v in fields.items() if k in ("tag", "tags") and isinstance(v, str)]
    return [t.strip() for t in terms if t.strip()]


def _public_tags(data_dict: dict[str, Any], all_if_no_terms: bool = False) -> tuple[list[model.Tag], int]:
    terms = _terms(data_dict)
    if not terms and not all_if_no_terms:
        return [], 0
    return visibility.public_tags(terms, data_dict.get("vocabulary_id"),
                                  _natural(data_dict, "limit"), _natural(data_dict, "offset") or 0)


@tk.chained_action
@tk.side_effect_free
def tag_list(next_action: Callable[..., Any], context: Context,
             data_dict: dict[str, Any]) -> Any:
    """Tags of publicly visible datasets only (CKAN lists every tag in its table, including
    those that only private, draft or 不予开放 datasets carry)."""
    if _sysadmin(context):
        return next_action(context, data_dict)
    tk.check_access("tag_list", context, data_dict)
    tags, _count = _public_tags(data_dict, all_if_no_terms=True)
    if tk.asbool(data_dict.get("all_fields")):
        from ckan.lib.dictization import model_dictize
        return model_dictize.tag_list_dictize(tags, context)
    return [t.name for t in tags]


@tk.chained_action
@tk.side_effect_free
def tag_search(next_action: Callable[..., Any], context: Context,
               data_dict: dict[str, Any]) -> Any:
    if _sysadmin(context):
        return next_action(context, data_dict)
    tk.check_access("tag_search", context, data_dict)
    from ckan.lib.dictization import table_dictize
    tags, count = _public_tags(data_dict)
    return {"count": count, "results": [table_dictize(t, context) for t in tags]}


@tk.chained_action
@tk.side_effect_free
def tag_autocomplete(next_action: Callable[..., Any], context: Context,
                     data_dict: dict[str, Any]) -> Any:
    """Also behind /api/2/util/tag/autocomplete (the dataset form's keyword field)."""
    if _sysadmin(context):
        return next_action(context, data_dict)
    tk.check_access("tag_autocomplete", context, data_dict)
    return [t.name for t in _public_tags(data_dict)[0]]


@tk.chained_action
@tk.side_effect_free
def tag_show(next_action: Callable[..., Any], context: Context,
             data_dict: dict[str, Any]) -> Any:
    """A free tag that only datasets the caller may not read carry (private, draft, held,
    不予开放) is answered as an unknown one, CKAN's bare 404 (attack trial a8, L1: its 200
    told anonymous visitors which tags hidden datasets have). A vocabulary's tags are its
    terms, listed by vocabulary_show to everyone, and stay as CKAN answers them.

    ``include_datasets`` through package_search as the caller (CKAN reads the index's raw
    data_dict: internal fields, drafts and deleted datasets came along)."""
    include = tk.asbool(data_dict.get("include_datasets"))
    tag = next_action(context, {**data_dict, "include_datasets": False})
    field = "tags"
    if tag.get("vocabulary_id"):
        vocab_obj = model.Vocabulary.get(tag["vocabulary_id"])
        field = f"vocab_{vocab_obj.name}" if vocab_obj else field
    name = str(tag["name"]).replace("\\", "\\\\").replace('"', '\\"')
    fq = f'+{field}:"{name}" +dataset_type:({openness.DATASET_TYPE} OR {openness.APPLICATION_TYPE})'
    # Context types user as str; a missing user stays None (anonymous), as CKAN reads it
    as_caller = cast(Context, {"user": context.get("user"), "for_view": context.get("for_view")})
    if not tag.get("vocabulary_id") and not _sysadmin(context) and not visibility.tag_is_public(tag["id"]):
        # a signed-in caller may read some of the hidden ones (their organisation's)
        readable = context.get("user") and tk.get_action("package_search")(
            as_caller.copy(), {"fq": fq, "rows": 0, "include_private": True, "include_drafts": True})["count"]
        if not readable:
            raise tk.ObjectNotFound()  # as CKAN's tag_show says of an unknown tag
    if include:
        tag["packages"] = tk.get_action("package_search")(as_caller.copy(), {"fq": fq, "rows": 1000})["results"]
    return tag


@tk.chained_action
@tk.side_effect_free
def member_list(next_action: Callable[..., Any], context: Context,
                data_dict: dict[str, Any]) -> Any:
    """A group's or organization's members without the datasets the caller may not see
    (CKAN lists every member package id, private and 不予开放 ones too)."""
    members = next_action(context, data_dict)
    if _sysadmin(context):
        return members
    package_ids = [m[0] for m in members if m[1] == "package"]
    hidden = visibility.hidden_package_ids(package_ids)
    readable = {pid for pid in hidden if _may_read(context, pid)}
    return [m for m in members if not (m[1] == "package" and m[0] in hidden - readable)]


def _may_read(context: Context, package_id: str) -> bool:
    try:
        # Context types user as str; a missing user stays None (anonymous), as CKAN reads it
        tk.check_access("package_show", cast(Context, {"user": context.get("user")}), {"id": package_id})
        return True
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False


# --- DCAT: parameters ckanext-dcat parses without a guard -------------------------------

class _DCATParameterError(tk.ValidationError):
    """ckanext-dcat's pages show ``str(error)`` on their 409 page: the message alone, not
    CKAN's "None - {dict}" (the API answer keeps the error dict)."""

    def __str__(self) -> str:
        # ErrorDict values may be a single message as well as a list of them
        return "; ".join(f"{key}: {' '.join(map(str, msgs if isinstance(msgs, list) else [msgs]))}"
                         for key, msgs in self.error_dict.items())


def _dcat_checked(data_dict: dict[str, Any]) -> None:
    """``modified_since`` goes to dateutil, whose overflow on a huge number was a 500."""
    value = data_dict.get("modified_since")
    if value in (None, ""):
        return
    from dateutil.parser import parse as parse_date
    try:
        parse_date(str(value))
    except (ValueError, OverflowError) as exc:
        raise _DCATParameterError({"modified_since": [_("A date or date and time (ISO 8601)")]}) from exc


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_show(next_action: Callable[..., Any], context: Context,
                      data_dict: dict[str, Any]) -> Any:
    _dcat_checked(data_dict)
    return next_action(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_search(next_action: Callable[..., Any], context: Context,
                        data_dict: dict[str, Any]) -> Any:
    _dcat_checked(data_dict)
    return next_action(context, data_dict)


# --- the form's as-you-type check of one field (the checks: logic/check.py) ---------------

@tk.side_effect_free
def guangdong_check_field(context: Context, data_dict: dict) -> dict[str, Any]:
    """Check one form value.

    :param field: identifier, publisher_identifier, contact_phone, contact_email or record_count
    :param value: the text typed so far
    :param id: the dataset being edited, if any (its own identifier is not a duplicate)
    :param lang: zh_Hans_CN or en (the page's language; default the site's)
    :returns: ``{"field", "valid", "errors": [messages]}``
    """
    tk.check_access("guangdong_check_field", context, data_dict)
    field = data_dict.get("field")
    if isinstance(field, str):
        field = renamed.new_name(field)
    if not isinstance(field, str) or field not in check.CHECKS:
        raise tk.ValidationError({"field": [tk._("Unknown field")]})
    own_id = data_dict.get("id")
    if own_id is not None and not isinstance(own_id, str):
        raise tk.ValidationError({"id": [tk._("Unknown dataset")]})
    lang = data_dict.get("lang")
    # own_id is this action's own key for _identifier, not one of the keys CKAN's Context names
    run = lambda: check.CHECKS[field](data_dict.get("value", ""), {"own_id": own_id})  # pyright: ignore[reportArgumentType]  # noqa: E731
    if lang in ("zh_Hans_CN", "en"):
        from flask_babel import force_locale
        with force_locale(lang):
            errors = run()
    else:
        errors = run()
    return {"field": field, "valid": not errors, "errors": errors}
