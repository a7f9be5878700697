"""GB/T 2260 places: the names a dataset's region code stands for.

A city's dataset is found by the city's name and its districts' names (天河 → 广州市);
a province-wide dataset (440000) by every city's name when the option
``ckanext.guangdong.search.province_covers_cities`` is on. Both rank below datasets
that name the place themselves (the words go to the lowest-ranked field)."""
from __future__ import annotations

import functools
from importlib import resources

import yaml

PROVINCE = "440000"
_SUFFIXES = ("自治县", "区", "市", "县")


def _vocab(name: str) -> dict:  # type: ignore[type-arg]
    text = resources.files("ckanext.guangdong.schemas").joinpath("vocab", name).read_text("utf-8")
    return yaml.safe_load(text) or {}


def short(name: str) -> str:
    """广州市 → 广州, 天河区 → 天河 (names of two characters stay whole: 城区)."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@functools.cache
def cities() -> dict[str, str]:
    """City code → Chinese name."""
    return {str(r["value"]): str(r["zh_Hans_CN"]) for r in _vocab("regions.yaml")["regions"]
            if r.get("level") == "city"}


@functools.cache
def districts() -> dict[str, tuple[str, ...]]:
    return {str(code): tuple(names or ()) for code, names in
            (_vocab("districts.yaml").get("districts") or {}).items()}


def _names(code: str) -> list[str]:
    out: list[str] = []
    for name in (cities()[code], *districts().get(code, ())):
        out += [name] if short(name) == name else [name, short(name)]
    return out


@functools.lru_cache(maxsize=256)
def names_for(code: str, province_covers_cities: bool) -> tuple[str, ...]:
    """The place names a dataset of this region code is found by (beyond its own words)."""
    code = str(code or "").strip()
    if code in cities():
        return tuple(_names(code))
    if code == PROVINCE and province_covers_cities:
        return tuple(n for c in cities() for n in _names(c))
    return ()
