"""Source configuration (the JSON "config" of a harvest source): parsing and validation
with messages an operator can act on. docs/harvest.md lists every key."""
from __future__ import annotations

import copy
import json
import re
from typing import Any

from .crosswalk import known_sections

COMMON_KEYS = {
    "region_code", "precedence", "withdrawal", "crosswalk", "defaults", "force",
    "http_timeout", "auth_header", "page_size", "incremental", "dataset_name_prefix",
    "departments",
}
HARVESTER_KEYS = {
    "guangdong_ckan": {"fq", "remote_ckan_api"},
    "guangdong_dcat": {"rdf_format"},
    "guangdong_api": {"preset", "list", "detail", "files", "id_field", "modified_field",
                      "remote_url"},
}
WITHDRAWAL_MODES = ("withdraw", "delete")


class ConfigError(ValueError):
    pass


def default_withdrawal() -> str:
    import ckan.plugins.toolkit as tk
    return tk.config.get("ckanext.guangdong.harvest.withdrawal") or "withdraw"


_CACHE: dict[tuple[str, str], dict[str, Any]] = {}


def parse(text: str | None, harvester: str) -> dict[str, Any]:
    """The validated config as a dict (a copy); raises ConfigError listing every problem.
    Parsed configs are remembered: import reads the source config once per record."""
    key = (text or "", harvester)
    if key not in _CACHE:
        if len(_CACHE) > 256:
            _CACHE.clear()
        _CACHE[key] = _parse(text, harvester)
    return copy.deepcopy(_CACHE[key])


def _parse(text: str | None, harvester: str) -> dict[str, Any]:
    if not text or not text.strip():
        raise ConfigError('config is required: at least {"region_code": "4416xx"} '
                          "(the GB/T 2260 code of the city this source belongs to)")
    try:
        cfg = json.loads(text)
    except ValueError as e:
        raise ConfigError(f"config is not valid JSON: {e}") from e
    if not isinstance(cfg, dict):
        raise ConfigError("config must be a JSON object")
    problems: list[str] = []
    allowed = COMMON_KEYS | HARVESTER_KEYS.get(harvester, set())
    unknown = sorted(set(cfg) - allowed)
    if unknown:
        problems.append(f"unknown keys {unknown}; allowed: {sorted(allowed)}")

    code = cfg.get("region_code")
    if not (isinstance(code, str) and re.fullmatch(r"44\d{4}", code)):
        problems.append('region_code must be a Guangdong GB/T 2260 code as a string, e.g. "441600"')
    if "precedence" in cfg and not (isinstance(cfg["precedence"], int)
                                    and not isinstance(cfg["precedence"], bool)):
        problems.append("precedence must be an integer (lower wins; default 100)")
    if "withdrawal" in cfg and cfg["withdrawal"] not in WITHDRAWAL_MODES:
        problems.append(f"withdrawal must be one of {list(WITHDRAWAL_MODES)}")
    if "crosswalk" in cfg:
        cw = cfg["crosswalk"]
        if not isinstance(cw, dict):
            problems.append("crosswalk must be an object with the sections of crosswalk.yaml")
        else:
            bad = sorted(set(cw) - known_sections())
            if bad:
                problems.append(f"crosswalk: unknown sections {bad}")
            for section in ("fields", "resource_fields"):
                for target, labels in (cw.get(section) or {}).items():
                    if not (isinstance(labels, list) and all(isinstance(x, str) for x in labels)):
                        problems.append(f"crosswalk.{section}.{target} must be a list of labels")
    for key in ("defaults", "force", "departments"):
        if key in cfg and not isinstance(cfg[key], dict):
            problems.append(f"{key} must be an object")
    if "http_timeout" in cfg and not (isinstance(cfg["http_timeout"], (int, float))
                                      and 0 < cfg["http_timeout"] <= 600):
        problems.append("http_timeout must be a number of seconds between 0 and 600")
    if "page_size" in cfg and not (isinstance(cfg["page_size"], int) and 1 <= cfg["page_size"] <= 1000):
        problems.append("page_size must be an integer from 1 to 1000")
    if "incremental" in cfg and not isinstance(cfg["incremental"], bool):
        problems.append("incremental must be true or false")
    if "auth_header" in cfg:
        ah = cfg["auth_header"]
        if not (isinstance(ah, dict) and isinstance(ah.get("name"), str) and isinstance(ah.get("value"), str)):
            problems.append('auth_header must be {"name": "Authorization", "value": "..."}')
    if harvester == "guangdong_api":
        problems += _check_api(cfg)
    if "remote_ckan_api" in cfg and not isinstance(cfg["remote_ckan_api"], str):
        problems.append("remote_ckan_api must be a URL")
    if problems:
        raise ConfigError("; ".join(problems))
    cfg.setdefault("precedence", 100)
    cfg.setdefault("withdrawal", default_withdrawal())
    cfg.setdefault("incremental", True)
    return cfg


def _check_api(cfg: dict[str, Any]) -> list[str]:
    from .crosswalk import load
    problems: list[str] = []
    if "preset" in cfg:
        if load().api_preset(cfg["preset"]) is None:
            problems.append(f"preset {cfg['preset']!r} is unknown; built in: kaifang_guangdong")
    elif "list" not in cfg:
        problems.append('a JSON-API source needs "preset" or a "list" endpoint')
    for key in ("list", "detail", "files"):
        if key in cfg:
            spec = cfg[key]
            if not isinstance(spec, dict) or not isinstance(spec.get("path"), str):
                problems.append(f'{key} must be an object with at least "path"')
            elif not spec["path"].startswith("/"):
                problems.append(f'{key}.path must start with "/" (it is added to the source URL)')
            elif spec.get("method", "GET") not in ("GET", "POST"):
                problems.append(f"{key}.method must be GET or POST")
    return problems


def auth_headers(cfg: dict[str, Any]) -> dict[str, str]:
    ah = cfg.get("auth_header")
    return {ah["name"]: ah["value"]} if ah else {}
