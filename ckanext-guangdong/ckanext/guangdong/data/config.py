"""This feature's settings (declared in config_declaration.yaml)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk


def max_bytes() -> int:
    return tk.config.get("ckanext.guangdong.data.max_bytes")


def max_rows() -> int:
    return tk.config.get("ckanext.guangdong.data.max_rows")


def encodings() -> tuple[str, ...]:
    return tuple(tk.aslist(tk.config.get("ckanext.guangdong.data.encodings")))


def job_timeout() -> int:
    return tk.config.get("ckanext.guangdong.data.job_timeout")


def sql_max_bytes() -> int:
    return tk.config.get("ckanext.guangdong.data.sql_max_bytes")
