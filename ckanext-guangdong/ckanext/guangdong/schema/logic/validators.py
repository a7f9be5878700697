"""Validators of the provincial schema (registered by GuangdongSchemaPlugin through IValidators).

Messages are English msgids translated in ``schema/i18n`` (zh_Hans_CN first): every error a
publisher or a harvester sees is in both languages. Validators marked ``scheming`` receive the
scheming field definition first, as ckanext-scheming does for its own (``is_a_scheming_validator``).
"""
from __future__ import annotations

import json
import posixpath
import re
import urllib.parse
from typing import Any, Callable

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import missing

from ckanext.guangdong.schema import codes, naming, openness, vocab
from ckanext.guangdong.schema.lists import as_list as _as_list

Validator = Callable[..., Any]
_ = tk._


def _scheming(fn: Callable[[dict[str, Any], dict[str, Any]], Validator]) -> Any:
    fn.is_a_scheming_validator = True  # type: ignore[attr-defined]
    return fn


def _empty(value: Any) -> bool:
    return value is missing or value is None or (isinstance(value, str) and not value.strip())


def _sibling(key: tuple, data: dict, name: str) -> Any:
    """Another field at the same level (works inside repeating subfields too)."""
    return data.get(key[:-1] + (name,), missing)


# --- generic --------------------------------------------------------------------------------

@_scheming
def guangdong_required(field: dict[str, Any], schema: dict[str, Any]) -> Validator:
    """not_empty with our message when the field is required, else ignore_missing."""
    if not field.get("required"):
        return tk.get_validator("ignore_missing")

    def validator(key: tuple, data: dict, errors: dict, context: dict) -> None:
        if _empty(data.get(key)):
            errors[key].append(_("This field is required"))
            raise tk.StopOnError

    return validator


@_scheming
def guangdong_choice(field: dict[str, Any], schema: dict[str, Any]) -> Validator:
    """One value of the vocabulary named by the field's ``guangdong_vocabulary``."""
    name = field["guangdong_vocabulary"]

    def validator(value: Any) -> Any:
        if _empty(value):
            return value
        if isinstance(value, bool):  # API clients may send JSON booleans for yes/no lists
            value = "true" if value else "false"
        value = str(value).strip()
        if vocab.entry(name, value) is None:
            raise tk.Invalid(_('"%s" is not one of the allowed values') % value)
        return value

    return validator


@_scheming
def guangdong_multiple_choice(field: dict[str, Any], schema: dict[str, Any]) -> Validator:
    """Zero or more vocabulary values (list, JSON list, or comma-separated text), stored as a
    JSON list in vocabulary order; at least one when the field is required."""
    name = field["guangdong_vocabulary"]

    def validator(key: tuple, data: dict, errors: dict, context: dict) -> None:
        chosen = _as_list(data.get(key))
        unknown = [v for v in chosen if vocab.entry(name, v) is None]
        for value in unknown:
            errors[key].append(_('"%s" is not one of the allowed values') % value)
        if unknown:
            return
        if field.get("required") and not chosen:
            errors[key].append(_("Select at least one"))
            return
        data[key] = json.dumps([v for v in vocab.values(name) if v in chosen], ensure_ascii=False)

    return validator


def guangdong_json_list_output(value: Any) -> list[str]:
    """Stored JSON list -> list (for themes and used datasets)."""
    return _as_list(value)


# --- identifiers and codes ------------------------------------------------------------------

def guangdong_identifier(key: tuple, data: dict, errors: dict, context: dict) -> None:
    """信息资源代码: format as 开放广东 writes it, unique among datasets that are not deleted."""
    value = data.get(key)
    if _empty(value):
        return
    value = str(value).strip()
    data[key] = value
    if not codes.identifier_valid(value):
        errors[key].append(_(
            "Identifier must be a classification or department code, a slash and a sequence "
            "number, e.g. 29000/01300008"))
        return
    package = context.get("package")
    own_id = package.id if package else data.get(("id",))
    if naming.identifier_taken(value, own_id if own_id is not missing else None):
        errors[key].append(_("Identifier %s is already used by another dataset") % value)


def guangdong_uscc(value: Any) -> Any:
    """统一社会信用代码 with its check character (GB 32100)."""
    if _empty(value):
        return value
    value = str(value).strip().upper()
    if len(value) != 18 or any(ch not in codes.USCC_ALPHABET for ch in value):
        raise tk.Invalid(_(
            "A unified social credit code has 18 characters: digits and capital letters "
            "except I, O, S, V, Z"))
    if not codes.uscc_valid(value):
        raise tk.Invalid(_("The check character of this unified social credit code is wrong "
                           "(expected %s)") % codes.uscc_check_char(value[:17]))
    return value


def guangdong_phone(value: Any) -> Any:
    if _empty(value):
        return value
    value = str(value).strip()
    if not codes.phone_valid(value):
        raise tk.Invalid(_(
            "Enter a landline with area code (e.g. 020-12345678) or an 11-digit mobile number"))
    return value


def guangdong_email(value: Any) -> Any:
    if _empty(value):
        return value
    value = str(value).strip()
    if not codes.email_valid(value):
        raise tk.Invalid(_("Enter a valid email address, e.g. opendata@gd.gov.cn"))
    return value


def guangdong_non_negative_int(value: Any) -> Any:
    if _empty(value):
        return value
    try:
        number = int(str(value).strip())
    except ValueError:
        raise tk.Invalid(_("Enter a whole number"))
    if number < 0:
        raise tk.Invalid(_("The number must be 0 or greater"))
    return str(number)


def guangdong_int_output(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


# --- rules between fields -------------------------------------------------------------------

def guangdong_access_conditions(key: tuple, data: dict, errors: dict, context: dict) -> None:
    """开放条件: required exactly when the dataset is 有条件开放."""
    conditional = _sibling(key, data, "access_rights") == openness.CONDITIONAL
    value = data.get(key)
    if conditional and _empty(value):
        errors[key].append(_(
            "Conditionally open datasets must state the conditions and how to apply"))
    elif not conditional and not _empty(value):
        errors[key].append(_(
            "Access conditions are only given for conditionally open datasets"))


def guangdong_not_open_private(key: tuple, data: dict, errors: dict, context: dict) -> None:
    """不予开放 can never be public: such a dataset may only exist as a private catalog entry."""
    if data.get(key) != openness.NOT_OPEN:
        return
    private = data.get(("private",), missing)
    if private is missing or private is None or not tk.asbool(private):
        errors[key].append(_(
            "A dataset that is not open (不予开放) cannot be public: set its visibility to "
            "Private"))


def guangdong_issued_before_modified(key: tuple, data: dict, errors: dict,
                                     context: dict) -> None:
    """On ``modified``: the update date is not before the publication date."""
    issued = codes.as_date(_sibling(key, data, "issued"))
    modified = codes.as_date(data.get(key))
    if issued and modified and modified < issued:
        errors[key].append(_("The update date cannot be earlier than the publication date"))


def guangdong_temporal_order(key: tuple, data: dict, errors: dict, context: dict) -> None:
    """On ``temporal_end``: the coverage ends on or after its start."""
    start = codes.as_date(_sibling(key, data, "temporal_start"))
    end = codes.as_date(data.get(key))
    if start and end and end < start:
        errors[key].append(_("The end of the time coverage cannot be before its start"))


# --- resources ------------------------------------------------------------------------------

def _file_name(key: tuple, data: dict) -> str:
    """The uploaded file's name (CKAN's uploader has already put it in ``url``) or the link."""
    upload = data.get(key[:-1] + ("upload",))
    return _text(getattr(upload, "filename", None) or data.get(key[:-1] + ("url",)))


def guangdong_format_guess(key: tuple, data: dict, errors: dict, context: dict) -> None:
    """A format left empty is inferred from the file's or link's name, else from its media
    type, onto our list (data.csv -> CSV, text/csv -> CSV); if neither says, it stays empty:
    a missing format never refuses a file."""
    if not _empty(data.get(key)):
        return
    upload = data.get(key[:-1] + ("upload",))
    media_type = data.get(key[:-1] + ("mimetype",))
    guessed = vocab.infer_format(_file_name(key, data),
                                 None if _empty(media_type) else media_type) \
        or vocab.format_from_media_type(getattr(upload, "mimetype", None))
    if guessed:
        data[key] = guessed


def guangdong_name_from_file(key: tuple, data: dict, errors: dict, context: dict) -> None:
    """A resource name left empty is the file's name (as CKAN's upload widget fills it in the
    browser), so a form sent without that script does not lose the chosen file to an error."""
    if not _empty(data.get(key)):
        return
    path = urllib.parse.urlsplit(_file_name(key, data)).path
    name = urllib.parse.unquote(posixpath.basename(path)).strip()
    if name:
        data[key] = name


def guangdong_format(value: Any) -> Any:
    """Resource format from the controlled list, normalised (csv -> CSV, 接口 -> API)."""
    if _empty(value):
        return value
    canonical = vocab.canonical_format(value)
    if canonical is None:
        raise tk.Invalid(_('"%s" is not one of the allowed formats') % value)
    return canonical


# --- licence --------------------------------------------------------------------------------

def guangdong_license_default(value: Any) -> Any:
    """A licence left empty is the configured default (ckanext.guangdong.default_license)."""
    if _empty(value):
        from ckanext.guangdong.schema import licenses
        return licenses.default_id() or value
    return value


# --- organizations --------------------------------------------------------------------------

_CITY_NAME = re.compile(r"^city-(\d{6})$")


@_scheming
def guangdong_org_default(field: dict[str, Any], schema: dict[str, Any]) -> Validator:
    """org_type / region_code left empty are inferred from the name (city-441600 is the city
    441600, anything else a provincial department in 440000), so organizations made by code
    that does not know these fields still carry them."""
    which = field["field_name"]

    def validator(key: tuple, data: dict, errors: dict, context: dict) -> None:
        if not _empty(data.get(key)):
            return
        match = _CITY_NAME.match(_text(data.get(("name",))))
        if which == "org_type":
            data[key] = "city" if match else "department"
        else:
            data[key] = match.group(1) if match else "440000"

    return validator


# --- dataset names --------------------------------------------------------------------------

@_scheming
def guangdong_dataset_name(field: dict[str, Any], schema: dict[str, Any]) -> Validator:
    """Names are never typed: kept as they are once a dataset exists (stable when the title
    changes), otherwise derived from the identifier or, failing that, from the title's pinyin."""
    dataset_type = schema.get("dataset_type", openness.DATASET_TYPE)

    def validator(key: tuple, data: dict, errors: dict, context: dict) -> None:
        package = context.get("package")
        if package is not None and package.name:
            data[key] = package.name
            return
        data[key] = naming.derive_name(
            dataset_type=dataset_type,
            identifier=_text(data.get(("identifier",))),
            title=_text(data.get(("title",))),
        )

    return validator


def _text(value: Any) -> str:
    return "" if _empty(value) else str(value).strip()


def all_validators() -> dict[str, Validator]:
    return {name: fn for name, fn in globals().items()
            if name.startswith("guangdong_") and callable(fn)}
