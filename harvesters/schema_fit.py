"""What the provincial schema (schemas/dataset.yaml, read through ckanext-scheming) accepts.

The harvester never hard-codes the schema: a mapped field that the schema declares is
set at the top level (and validated by the schema's validators); one it does not declare
is kept as a CKAN extra, so nothing mapped is silently lost while the schema evolves.
"""
from __future__ import annotations

import functools
import json
from typing import Any

import yaml

from .crosswalk import norm_label


def dataset_schema() -> dict[str, Any] | None:
    try:
        from ckanext.scheming.helpers import scheming_get_dataset_schema
        return scheming_get_dataset_schema("dataset") or _schema_file()
    except Exception:  # scheming not loaded (e.g. a bare test config): the schema file itself
        return _schema_file()


@functools.lru_cache(maxsize=1)
def _schema_file() -> dict[str, Any] | None:
    try:
        from importlib.resources import files
        return yaml.safe_load(files("ckanext.guangdong.schemas").joinpath("dataset.yaml").read_text("utf-8"))
    except (ImportError, FileNotFoundError, OSError, yaml.YAMLError):
        return None


def schema_fields() -> dict[str, dict[str, Any]]:
    schema = dataset_schema() or {}
    return {f["field_name"]: f for f in schema.get("dataset_fields", [])}


def max_length(field_name: str, resource: bool = False, fallback: int = 2000) -> int:
    """The schema's declared maximum length of a text field (guangdong_max_length in
    schemas/dataset.yaml, else the schema's default): harvested text is held to the same
    limits as typed text, from one place."""
    schema = dataset_schema()
    if not schema:
        return fallback
    fields = schema.get("resource_fields" if resource else "dataset_fields") or []
    for f in fields:
        if f.get("field_name") == field_name and "guangdong_max_length" in f:
            return int(f["guangdong_max_length"])
    return int(schema.get("guangdong_max_length", fallback))


def _vocab() -> Any:
    """The schema feature's vocabulary module (schemas/vocab/*.yaml), if installed."""
    try:
        from ckanext.guangdong.metadata import vocab
        return vocab
    except ImportError:
        return None


def _vocabulary_of(field_name: str) -> str | None:
    field = schema_fields().get(field_name) or {}
    return field.get("guangdong_vocabulary")


def known_themes() -> list[str] | None:
    """Theme names the schema accepts, or None when it does not restrict them."""
    vocab = _vocab()
    name = _vocabulary_of("theme") or "themes"
    if vocab is None:
        return None
    try:
        return vocab.values(name) or None
    except (KeyError, FileNotFoundError):
        return None


def theme_from_slug(text: str) -> str:
    """Our SKOS theme URIs end in a slug (…/vocab/themes#public-services): back to the name."""
    vocab = _vocab()
    if vocab is not None and text.isascii():
        try:
            found = vocab.theme_by_slug(text)
        except (KeyError, FileNotFoundError):
            found = None
        if found:
            return found["value"]
    return text


def fit_choice(field_name: str, value: str, spellings: list[str] | None = None) -> str:
    """The schema's stored choice for a crosswalk value: the same value, or the choice
    whose value/label/开放广东 code/EU code matches (the crosswalk's keys are written
    to equal the schema's values; this keeps working if one side is renamed)."""
    vocab, name = _vocab(), _vocabulary_of(field_name)
    if vocab is None or not name:
        return value
    try:
        entries = vocab.entries(name)
    except (KeyError, FileNotFoundError):
        return value
    wanted = {norm_label(value)} | {norm_label(s) for s in spellings or []}
    for entry in entries:
        keys = [entry["value"], entry.get("gd_code"), entry.get("eu"), *entry["label"].values()]
        if any(k is not None and norm_label(k) in wanted for k in keys):
            return str(entry["value"])
    return value


def place(pkg: dict[str, Any], values: dict[str, Any], fields: dict[str, dict[str, Any]]) -> None:
    """Put values on the package dict: declared fields at the top, others as extras."""
    extras = pkg.setdefault("extras", [])
    for key, value in values.items():
        if value is None:
            continue
        if key in fields or key in ("title", "notes"):
            pkg[key] = value
        else:
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            extras.append({"key": key, "value": text})
    if not extras:
        pkg.pop("extras")
