"""Template helpers of the schema feature (all prefixed ``guangdong_``)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.guangdong.metadata import internal, vocab

# What @tk.blanket.helpers registers (current_lang is for our code, not templates)
__all__ = ["guangdong_license_title", "guangdong_license_options", "guangdong_default_license",
           "guangdong_vocab_label", "guangdong_vocab_choices", "guangdong_vocab_labels",
           "guangdong_can_see_internal", "guangdong_is_internal_field", "guangdong_theme_uri"]


def current_lang() -> str:
    """The request's language, or Chinese outside a request (CLI, jobs)."""
    try:
        return tk.h.lang() or vocab.DEFAULT_LANG
    except (RuntimeError, AttributeError, TypeError):
        return vocab.DEFAULT_LANG


def guangdong_vocab_label(vocabulary: str, value: Any, lang: str | None = None) -> str:
    return vocab.label(vocabulary, value, lang or current_lang())


def guangdong_vocab_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """choices_helper for scheming: the field names its vocabulary in ``guangdong_vocabulary``."""
    return vocab.scheming_choices(field["guangdong_vocabulary"])


def guangdong_vocab_labels(vocabulary: str, lang: str | None = None) -> dict[str, str]:
    return vocab.labels(vocabulary, lang or current_lang())


def guangdong_can_see_internal(pkg_dict: dict[str, Any]) -> bool:
    """For templates: may the current user see 共享属性 / 分类分级 / 已脱敏 of this dataset?"""
    if not pkg_dict or not pkg_dict.get("id"):
        return True  # a new dataset's form: only editors get there
    return tk.h.check_access("package_update", {"id": pkg_dict["id"]})


def guangdong_is_internal_field(field: dict[str, Any]) -> bool:
    return bool(field.get("guangdong_internal")) or field.get("field_name") in internal.INTERNAL_FIELDS


def guangdong_theme_uri(name: str) -> str | None:
    from ckanext.guangdong.metadata import skos
    return skos.theme_uri(name)


def guangdong_license_title(pkg_dict: dict[str, Any]) -> str:
    from ckanext.guangdong.metadata import licenses
    return licenses.license_title_of(pkg_dict or {})


def guangdong_license_options() -> list[tuple[str, str]]:
    from ckanext.guangdong.metadata import licenses
    return licenses.options()


def guangdong_default_license() -> str:
    from ckanext.guangdong.metadata import licenses
    return licenses.default_id()
