"""The crosswalk (harvesters/crosswalk.yaml) as lookups, with per-source overrides.

Matching is deliberately forgiving about spelling (case, "_", "-", spaces, a trailing
colon) because the same portal software is configured differently in each city, and
strict about meaning: a label belongs to exactly one provincial field.
"""
from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CROSSWALK_FILE = Path(__file__).with_name("crosswalk.yaml")

_SEPARATORS = re.compile(r"[\s_\-:：]+")


def norm_label(label: Any) -> str:
    """The comparison form of a label or enum spelling."""
    return _SEPARATORS.sub("", str(label)).casefold()


@functools.lru_cache(maxsize=1)
def _base_data() -> dict[str, Any]:
    with CROSSWALK_FILE.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep merge; lists in an override are put *before* the base list, so a source's own
    label wins over a generic one but the generic ones still work."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        elif isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = list(value) + [v for v in out[key] if v not in value]
        else:
            out[key] = copy.deepcopy(value)
    return out


@dataclass
class Crosswalk:
    data: dict[str, Any]
    _field_of_label: dict[str, str] = field(default_factory=dict)
    _enum: dict[str, dict[str, str]] = field(default_factory=dict)
    _resource_field_of_label: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._field_of_label = self._invert(self.data.get("fields", {}))
        self._resource_field_of_label = self._invert(self.data.get("resource_fields", {}))
        for enum_name, values in (self.data.get("enums") or {}).items():
            table: dict[str, str] = {}
            for stored, spellings in values.items():
                table[norm_label(stored)] = stored
                for spelling in spellings or []:
                    table.setdefault(norm_label(spelling), stored)
            self._enum[enum_name] = table

    @staticmethod
    def _invert(fields: Mapping[str, Iterable[str]]) -> dict[str, str]:
        table: dict[str, str] = {}
        for target, labels in fields.items():
            table.setdefault(norm_label(target), target)
            for label in labels or []:
                # First declaration wins: overrides are merged in front.
                table.setdefault(norm_label(label), target)
        return table

    def field_for(self, label: str) -> str | None:
        return self._field_of_label.get(norm_label(label))

    def resource_field_for(self, label: str) -> str | None:
        return self._resource_field_of_label.get(norm_label(label))

    def field_order(self, target: str) -> list[str]:
        return list(self.data.get("fields", {}).get(target) or [])

    def enum_value(self, enum_name: str, raw: Any) -> str | None:
        """The stored value for a remote spelling, or None if unknown."""
        if raw is None:
            return None
        return self._enum.get(enum_name, {}).get(norm_label(raw))

    def theme_alias(self, theme: str) -> str:
        return (self.data.get("theme_aliases") or {}).get(theme, theme)

    def region_title(self, code: str) -> str | None:
        return (self.data.get("regions") or {}).get(str(code))

    def api_preset(self, name: str) -> dict[str, Any] | None:
        preset = (self.data.get("api_presets") or {}).get(name)
        return copy.deepcopy(preset) if preset else None

    def limit(self, name: str) -> int:
        limits = self.data.get("limits") or {}
        return int(limits.get(name, limits.get("other", 2000)))


def load(override: Mapping[str, Any] | None = None) -> Crosswalk:
    """The crosswalk for a source: crosswalk.yaml merged with the source's ``crosswalk``
    config object (same structure as the YAML). Crosswalks are read-only, so one instance
    per distinct override is kept (import runs once per record)."""
    import json
    return _load_cached(json.dumps(override or {}, sort_keys=True, ensure_ascii=False))


@functools.lru_cache(maxsize=64)
def _load_cached(override_json: str) -> Crosswalk:
    import json
    override = json.loads(override_json)
    base = _base_data()
    return Crosswalk(_merge(base, override) if override else copy.deepcopy(base))


def known_sections() -> set[str]:
    return set(_base_data())
