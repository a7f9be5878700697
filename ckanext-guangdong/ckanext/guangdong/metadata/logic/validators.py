"""Validators of the provincial schema (registered by GuangdongSchemaPlugin through @tk.blanket.validators).

Messages are English msgids translated in ``metadata/i18n`` (zh_Hans_CN first): every error a
publisher or a harvester sees is in both languages. Validators marked ``scheming`` receive the
scheming field definition first (ckanext-scheming's ``scheming_validator`` decorator).
"""
from __future__ import annotations

import json
import posixpath
import re
import urllib.parse
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import missing
from ckan.types import Context
from ckanext.scheming.validation import scheming_validator

from ckanext.guangdong.metadata import codes, naming, openness, vocab
from ckanext.guangdong.metadata.lists import as_list as _as_list

# What @tk.blanket.validators registers
__all__ = [
    "guangdong_required",
    "guangdong_choice",
    "guangdong_multiple_choice",
    "guangdong_json_list_output",
    "guangdong_identifier",
    "guangdong_uscc",
    "guangdong_phone",
    "guangdong_email",
    "guangdong_non_negative_int",
    "guangdong_whole_number",
    "guangdong_date",
    "guangdong_int_output",
    "guangdong_limits",
    "guangdong_access_conditions",
    "guangdong_not_open_private",
    "guangdong_private",
    "guangdong_issued_before_modified",
    "guangdong_temporal_order",
    "guangdong_format_guess",
    "guangdong_name_from_file",
    "guangdong_format",
    "guangdong_license_default",
    "guangdong_org_default",
    "guangdong_dataset_name",
]

Validator = Callable[..., Any]
_ = tk._


def _empty(value: Any) -> bool:
    return value is missing or value is None or (isinstance(value, str) and not value.strip())


def _sibling(key: tuple, data: dict, name: str) -> Any:
    """Another field at the same level (works inside repeating subfields too)."""
    return data.get(key[:-1] + (name,), missing)


# --- generic --------------------------------------------------------------------------------

@scheming_validator
def guangdong_required(field: dict[str, Any], schema: dict[str, Any]) -> Validator:
    """not_empty with our message when the field is required, else ignore_missing."""
    if not field.get("required"):
        return tk.get_validator("ignore_missing")

    def validator(key: tuple, data: dict, errors: dict, context: Context) -> None:
        if _empty(data.get(key)):
            errors[key].append(_("This field is required"))
            raise tk.StopOnError

    return validator


@scheming_validator
def guangdong_choice(field: dict[str, Any], schema: dict[str, Any]) -> Validator:
    """One value of the vocabulary named by the field's ``guangdong_vocabulary``."""
    name = field["guangdong_vocabulary"]

    def validator(value: Any) -> Any:
        if _empty(value):
            return value
        if isinstance(value, bool):  # API clients may send JSON booleans for yes/no lists
            value = "true" if value else "false"
        if not isinstance(value, (str, int)):
            raise tk.Invalid(_("Choose one of the allowed values"))
        value = codes.normalise_code(str(value))
        if vocab.entry(name, value) is None:
            raise tk.Invalid(_('"%s" is not one of the allowed values') % value)
        return value

    return validator


@scheming_validator
def guangdong_multiple_choice(field: dict[str, Any], schema: dict[str, Any]) -> Validator:
    """Zero or more vocabulary values (list, JSON list, or comma-separated text), stored as a
    JSON list in vocabulary order; at least one when the field is required."""
    name = field["guangdong_vocabulary"]

    def validator(key: tuple, data: dict, errors: dict, context: Context) -> None:
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

def guangdong_identifier(key: tuple, data: dict, errors: dict, context: Context) -> None:
    """信息资源代码: format as 开放广东 writes it, unique among datasets that are not deleted."""
    value = data.get(key)
    if _empty(value):
        return
    if not isinstance(value, str):
        errors[key].append(_("Enter text"))
        return
    value = codes.normalise_code(value)
    data[key] = value
    if not codes.identifier_valid(value):
        errors[key].append(_(
            "Identifier must be a classification or department code, a slash and a sequence "
            "number, e.g. 29000/01300008"))
        return
    package = context.get("package")
    own_id = package.id if package else data.get(("id",))
    if context.get("session") is not None or context.get("model") is not None:
        naming.lock_identifier(value)  # a write: held until it commits (not for form checks)
    if naming.identifier_taken(value, own_id if own_id is not missing else None):
        errors[key].append(_("Identifier %s is already used by another dataset") % value)


def guangdong_uscc(value: Any) -> Any:
    """统一社会信用代码 with its check character (GB 32100)."""
    if _empty(value):
        return value
    value = codes.normalise_code(_text_or_invalid(value)).upper()
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
    value = codes.normalise_code(_text_or_invalid(value))
    if not codes.phone_valid(value):
        raise tk.Invalid(_(
            "Enter a landline with area code (e.g. 020-12345678) or an 11-digit mobile number"))
    return value


def guangdong_email(value: Any) -> Any:
    if _empty(value):
        return value
    value = codes.normalise_code(_text_or_invalid(value))
    if not codes.email_valid(value):
        raise tk.Invalid(_("Enter a valid email address, e.g. opendata@gd.gov.cn"))
    return value


# The largest whole number a field may hold unless its schema declares less: the range of
# PostgreSQL's bigint and Solr's long, where resource sizes are stored and indexed.
WHOLE_NUMBER_MAX = 2**63 - 1


def whole_number(value: Any, maximum: int = WHOLE_NUMBER_MAX) -> str:
    """A count from 0 to ``maximum`` as text; raises Invalid with a message otherwise.
    Accepts ints, integral floats (1200.0 from JSON clients) and digits (full-width too)."""
    if isinstance(value, bool):
        raise tk.Invalid(_("Enter a whole number"))
    if isinstance(value, float):
        if not value.is_integer():
            raise tk.Invalid(_("Enter a whole number"))
        number = int(value)
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = codes.normalise_code(value)
        if not re.fullmatch(r"[+-]?[0-9]{1,40}", text):
            raise tk.Invalid(_("Enter a whole number"))
        number = int(text)
    else:
        raise tk.Invalid(_("Enter a whole number"))
    if number < 0:
        raise tk.Invalid(_("The number must be 0 or greater"))
    if number > maximum:
        raise tk.Invalid(_("The number must not be greater than %s") % f"{maximum:,}")
    return str(number)


def guangdong_non_negative_int(value: Any) -> Any:
    if _empty(value):
        return value
    return whole_number(value)


@scheming_validator
def guangdong_whole_number(field: dict[str, Any], schema: dict[str, Any]) -> Validator:
    """A count from 0 to the field's ``guangdong_max_value`` (schemas/*.yaml)."""
    maximum = int(field.get("guangdong_max_value", WHOLE_NUMBER_MAX))

    def validator(value: Any) -> Any:
        if _empty(value):
            return value
        return whole_number(value, maximum)

    return validator


# --- dates ----------------------------------------------------------------------------------

def field_date_range(field: dict[str, Any]) -> tuple[date, date]:
    """The dates a field accepts: its declared guangdong_date_min / _max, else the defaults."""
    def bound(name: str, default: date) -> date:
        value = field.get(name)
        return date.fromisoformat(str(value)) if value else default
    return bound("guangdong_date_min", codes.DATE_MIN), bound("guangdong_date_max", codes.DATE_MAX)


@scheming_validator
def guangdong_date(field: dict[str, Any], schema: dict[str, Any]) -> Validator:
    """A calendar date on the portal's clock (Asia/Shanghai), stored as YYYY-MM-DD, within the
    field's range. Times and offsets are accepted and converted, so 2018-08-09T20:00:00Z is
    2018-08-10 here, as a harvested record with the same instant would be."""
    low, high = field_date_range(field)

    def validator(value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, (date, datetime)):
            day = codes.local_date(value)
        elif isinstance(value, str):
            day = codes.local_date(value)
            if day is None:
                try:  # CKAN's own reading of looser spellings (2020/01/01 17:04)
                    day = codes.local_date(tk.h.date_str_to_datetime(value.strip()))
                except (TypeError, ValueError, OverflowError):
                    day = None
        else:
            day = None
        if day is None:
            raise tk.Invalid(_("Enter a date in the form YYYY-MM-DD, e.g. 2018-06-30"))
        if not low <= day <= high:
            raise tk.Invalid(_("The date must be between %(min)s and %(max)s")
                             % {"min": low.isoformat(), "max": high.isoformat()})
        return day.isoformat()

    return validator


def guangdong_int_output(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


# --- limits on everything a client sends -----------------------------------------------------

# Every text a dataset, resource, application or organization carries has a maximum length:
# its field's guangdong_max_length in schemas/*.yaml, else the schema's own guangdong_max_length
# (also for CKAN's fields and extras the YAML does not list). Control characters are refused:
# PostgreSQL cannot store NUL, and XML outputs (DCAT) cannot carry the others.
TEXT_MAX_DEFAULT = 2000
LIST_MAX_ITEMS = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _length_table(schema: dict[str, Any]) -> dict[tuple, int]:
    """Declared maximum lengths by field shape: ("title",), ("resources", "name"),
    ("data_items", "description"), ...; list indexes are left out of the shape."""
    table: dict[tuple, int] = {}
    for f in schema.get("dataset_fields") or schema.get("fields") or []:
        if "guangdong_max_length" in f:
            table[(f["field_name"],)] = int(f["guangdong_max_length"])
        for sub in f.get("repeating_subfields") or []:
            if "guangdong_max_length" in sub:
                table[(f["field_name"], sub["field_name"])] = int(sub["guangdong_max_length"])
    for f in schema.get("resource_fields") or []:
        if "guangdong_max_length" in f:
            table[("resources", f["field_name"])] = int(f["guangdong_max_length"])
    return table


@scheming_validator
def guangdong_limits(field: dict[str, Any] | None, schema: dict[str, Any]) -> Validator:
    """Runs before every field (the schema's ``before_validators``): each text over its limit
    or with control characters gets a message on its own field. The checked copy is trimmed
    so the field validators and the database never see the oversized value (the form shows
    what was typed; nothing is saved while there are errors)."""
    table = _length_table(schema)
    default = int(schema.get("guangdong_max_length", TEXT_MAX_DEFAULT))

    def check(k: tuple, value: str, errors: dict) -> str:
        shape = tuple(part for part in k if not isinstance(part, int))
        limit = table.get(shape, default)
        if _CONTROL.search(value):
            errors.setdefault(k, []).append(
                _("Remove the control characters (such as NUL) from this text"))
            value = _CONTROL.sub("", value)
        if len(value) > limit:
            errors.setdefault(k, []).append(
                _("Use at most %(max)s characters (this text has %(length)s)")
                % {"max": f"{limit:,}", "length": f"{len(value):,}"})
            value = value[:limit]
        return value

    def validator(key: tuple, data: dict, errors: dict, context: Context) -> None:
        for k in list(data):
            value = data[k]
            if not isinstance(k, tuple) or k[-1] in ("__before", "__after"):
                continue
            if isinstance(value, str):
                data[k] = check(k, value, errors)
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                if len(value) > LIST_MAX_ITEMS:
                    errors.setdefault(k, []).append(
                        _("Give at most %s values") % f"{LIST_MAX_ITEMS:,}")
                    value = value[:LIST_MAX_ITEMS]
                data[k] = [check(k, v, errors) for v in value]

    return validator


# --- rules between fields -------------------------------------------------------------------

def guangdong_access_conditions(key: tuple, data: dict, errors: dict, context: Context) -> None:
    """开放条件: required exactly when the dataset is 有条件开放."""
    conditional = _sibling(key, data, "access_rights") == openness.CONDITIONAL
    value = data.get(key)
    if conditional and _empty(value):
        errors[key].append(_(
            "Conditionally open datasets must state the conditions and how to apply"))
    elif not conditional and not _empty(value):
        errors[key].append(_(
            "Access conditions are only given for conditionally open datasets"))


def guangdong_not_open_private(key: tuple, data: dict, errors: dict, context: Context) -> None:
    """不予开放 can never be public: such a dataset may only exist as a private catalog entry.
    Refused (not silently made private): the publisher chose public, and is told why not.
    ``private`` is read exactly as it will be stored (openness.parse_private); when it is not
    sent, the stored value stays, so that is what counts."""
    if openness.may_be_public(data.get(key)):
        return
    try:
        private = openness.parse_private(data.get(("private",), missing))
    except openness.NotABoolean:
        return  # the private field's own validator refuses the value
    if private is None:
        package = context.get("package")
        private = bool(package is not None and package.private)
    if not private:
        errors[key].append(_(
            "A dataset that is not open (不予开放) cannot be public: set its visibility to "
            "Private"))


def guangdong_private(value: Any) -> Any:
    """The ``private`` flag: true or false in any of CKAN's spellings; anything else is an
    error (CKAN's boolean_validator would store "On" or " true" as public)."""
    try:
        parsed = openness.parse_private(value)
    except openness.NotABoolean as exc:
        raise tk.Invalid(_("Visibility must be true (private) or false (public)")) from exc
    return False if parsed is None else parsed


def guangdong_issued_before_modified(key: tuple, data: dict, errors: dict,
                                     context: Context) -> None:
    """On ``modified``: the update date is not before the publication date."""
    issued = codes.as_date(_sibling(key, data, "issued"))
    modified = codes.as_date(data.get(key))
    if issued and modified and modified < issued:
        errors[key].append(_("The update date cannot be earlier than the publication date"))


def guangdong_temporal_order(key: tuple, data: dict, errors: dict, context: Context) -> None:
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


def guangdong_format_guess(key: tuple, data: dict, errors: dict, context: Context) -> None:
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


def guangdong_name_from_file(key: tuple, data: dict, errors: dict, context: Context) -> None:
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
        from ckanext.guangdong.metadata import licenses
        return licenses.default_id() or value
    return value


# --- organizations --------------------------------------------------------------------------

_CITY_NAME = re.compile(r"^city-(\d{6})$")


@scheming_validator
def guangdong_org_default(field: dict[str, Any], schema: dict[str, Any]) -> Validator:
    """org_type / region_code left empty are inferred from the name (city-441600 is the city
    441600, anything else a provincial department in 440000), so organizations made by code
    that does not know these fields still carry them."""
    which = field["field_name"]

    def validator(key: tuple, data: dict, errors: dict, context: Context) -> None:
        if not _empty(data.get(key)):
            return
        match = _CITY_NAME.match(_text(data.get(("name",))))
        if which == "org_type":
            data[key] = "city" if match else "department"
        else:
            data[key] = match.group(1) if match else "440000"

    return validator


# --- dataset names --------------------------------------------------------------------------

@scheming_validator
def guangdong_dataset_name(field: dict[str, Any], schema: dict[str, Any]) -> Validator:
    """Names are never typed: kept as they are once a dataset exists (stable when the title
    changes), otherwise derived from the identifier or, failing that, from the title's pinyin."""
    dataset_type = schema.get("dataset_type", openness.DATASET_TYPE)

    def validator(key: tuple, data: dict, errors: dict, context: Context) -> None:
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


def _text_or_invalid(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise tk.Invalid(_("Enter text"))
    return value
