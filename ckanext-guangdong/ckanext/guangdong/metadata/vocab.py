"""Controlled vocabularies of the schema, read from ``schemas/vocab/*.yaml``.

The lists live in data so that the province can edit them without a code change; this module
is the one place code reads them. Other features (targets dashboard, harvesters, search facets)
import the functions here to turn stored values into labels or to map remote codes, e.g.::

    from ckanext.guangdong.metadata import vocab
    vocab.label("themes", "民生服务", "en")        # -> "Livelihood services"
    vocab.label("regions", "441600")                # -> "河源市"
    vocab.frequency_from_gd_code("4")               # -> "monthly"

Vocabulary names: themes, access_rights, frequencies, regions, formats, share_types,
data_levels, deidentified, data_types, application_kinds, developer_types, org_types.
"""
from __future__ import annotations

import functools
import mimetypes
import posixpath
import urllib.parse
from collections.abc import Iterable
from importlib import resources
from typing import Any

import yaml

DEFAULT_LANG = "zh_Hans_CN"
LANGS: tuple[str, ...] = ("zh_Hans_CN", "en")

EU_ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"
EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
EU_DATA_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"

# vocabulary name -> (file, key inside the file)
_SOURCES: dict[str, tuple[str, str]] = {
    "themes": ("themes.yaml", "themes"),
    "access_rights": ("access_rights.yaml", "access_rights"),
    "frequencies": ("frequencies.yaml", "frequencies"),
    "regions": ("regions.yaml", "regions"),
    "formats": ("formats.yaml", "formats"),
    "share_types": ("internal.yaml", "share_types"),
    "data_levels": ("internal.yaml", "data_levels"),
    "deidentified": ("internal.yaml", "deidentified"),
    "data_types": ("misc.yaml", "data_types"),
    "application_kinds": ("misc.yaml", "application_kinds"),
    "developer_types": ("misc.yaml", "developer_types"),
    "org_types": ("misc.yaml", "org_types"),
}


@functools.cache
def _file(name: str) -> dict[str, Any]:
    text = resources.files("ckanext.guangdong.schemas").joinpath("vocab", name).read_text("utf-8")
    return yaml.safe_load(text) or {}


def _normalise(entry: dict[str, Any]) -> dict[str, Any]:
    """Every entry gets ``value`` and ``label`` ({lang: text}); themes store the Chinese name."""
    entry = dict(entry)
    if "name" in entry and "value" not in entry:  # themes: the Chinese name is the stored value
        entry["value"] = entry["name"]
        entry.setdefault("zh_Hans_CN", entry["name"])
    entry["value"] = str(entry["value"])
    entry["label"] = {lang: str(entry.get(lang) or entry["value"]) for lang in LANGS}
    return entry


@functools.cache
def entries(vocabulary: str) -> tuple[dict[str, Any], ...]:
    """All entries of a vocabulary, in file order. Raises KeyError for an unknown name."""
    filename, key = _SOURCES[vocabulary]
    return tuple(_normalise(e) for e in _file(filename).get(key) or [])


def values(vocabulary: str) -> list[str]:
    return [e["value"] for e in entries(vocabulary)]


def entry(vocabulary: str, value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    return _index(vocabulary).get(str(value))


@functools.cache
def _index(vocabulary: str) -> dict[str, dict[str, Any]]:
    return {e["value"]: e for e in entries(vocabulary)}


def label(vocabulary: str, value: Any, lang: str | None = None) -> str:
    """The label of a stored value in ``lang`` (default Chinese); the value itself if unknown."""
    found = entry(vocabulary, value)
    if not found:
        return "" if value is None else str(value)
    lang = lang if lang in LANGS else _lang_family(lang)
    return found["label"][lang]


def _lang_family(lang: str | None) -> str:
    # "zh_CN", "zh-Hans" or "zh" mean Chinese; anything else that is not ours falls back to English.
    if not lang:
        return DEFAULT_LANG
    return DEFAULT_LANG if lang.lower().startswith("zh") else "en"


def labels(vocabulary: str, lang: str | None = None) -> dict[str, str]:
    """{stored value: label} for a whole vocabulary, in file order (for dashboards, facets)."""
    return {e["value"]: label(vocabulary, e["value"], lang) for e in entries(vocabulary)}


def scheming_choices(vocabulary: str) -> list[dict[str, Any]]:
    """Choices as ckanext-scheming wants them: [{"value": ..., "label": {lang: ...}}]."""
    return [{"value": e["value"], "label": dict(e["label"])} for e in entries(vocabulary)]


# --- themes -----------------------------------------------------------------------------------

def theme_scheme() -> dict[str, Any]:
    return dict(_file("themes.yaml").get("scheme") or {"slug": "themes"})


def theme_by_slug(slug: str) -> dict[str, Any] | None:
    return next((e for e in entries("themes") if e.get("slug") == slug), None)


# --- frequencies ------------------------------------------------------------------------------

def frequency_uri(value: Any) -> str | None:
    found = entry("frequencies", value)
    return EU_FREQUENCY + found["eu"] if found and found.get("eu") else None


def frequency_from_uri(uri: str) -> str | None:
    suffix = uri.rsplit("/", 1)[-1]
    return next((e["value"] for e in entries("frequencies") if e.get("eu") == suffix), None)


def frequency_from_gd_code(code: Any) -> str | None:
    """开放广东 ``updateCycle`` code (1..7, 99) -> stored frequency value."""
    code = str(code).strip()
    return next((e["value"] for e in entries("frequencies") if str(e.get("gd_code")) == code), None)


# --- access rights ----------------------------------------------------------------------------

def access_rights_uri(value: Any) -> str | None:
    found = entry("access_rights", value)
    return EU_ACCESS_RIGHT + found["eu"] if found and found.get("eu") else None


def access_rights_from_uri(uri: str) -> str | None:
    suffix = uri.rsplit("/", 1)[-1]
    return next((e["value"] for e in entries("access_rights") if e.get("eu") == suffix), None)


# --- formats ----------------------------------------------------------------------------------

IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"


@functools.cache
def _format_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for e in entries("formats"):
        for spelling in [e["value"], *(e.get("aliases") or [])]:
            lookup[str(spelling).strip().lower().lstrip(".")] = e["value"]
    return lookup


@functools.cache
def _media_type_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for e in entries("formats"):
        for media_type in [e.get("mimetype"), *(e.get("media_types") or [])]:
            if media_type:
                lookup.setdefault(str(media_type).lower(), e["value"])
    return lookup


def canonical_format(value: Any) -> str | None:
    """The stored spelling of a format, or None when it is not in the list: 'csv', '.CSV',
    'Csv' -> 'CSV'; '接口' -> 'API'; a media type ('text/csv', 'text/csv; charset=utf-8', its
    IANA URI) or an EU file-type URI (…/file-type/XLSX) -> its format."""
    if value is None:
        return None
    text = str(value).strip()
    found = _format_lookup().get(text.lower().lstrip("."))
    if found or "/" not in text:
        return found
    if text.startswith(EU_FILE_TYPE):
        suffix = text[len(EU_FILE_TYPE):]
        return next((e["value"] for e in entries("formats") if e.get("eu") == suffix), None)
    return format_from_media_type(text)


def format_from_media_type(media_type: Any) -> str | None:
    """'application/vnd.ms-excel' -> 'XLS'; our list first, then the extensions Python's
    mimetypes registry knows for the type."""
    if not media_type:
        return None
    text = str(media_type).strip()
    if text.startswith(IANA_MEDIA_TYPES):
        text = text[len(IANA_MEDIA_TYPES):]
    text = text.split(";", 1)[0].strip().lower()
    found = _media_type_lookup().get(text)
    if found:
        return found
    for extension in mimetypes.guess_all_extensions(text, strict=False):
        found = _format_lookup().get(extension.lstrip("."))
        if found:
            return found
    return None


def format_from_file_name(name: Any) -> str | None:
    """'data.csv', 'https://host/path/report.XLSX?x=1' -> the format of the file's extension."""
    if not name:
        return None
    path = urllib.parse.urlsplit(str(name).strip()).path
    base = posixpath.basename(path)
    if "." not in base:
        return None
    return _format_lookup().get(base.rsplit(".", 1)[1].lower())


def infer_format(file_name: Any, media_type: Any = None) -> str | None:
    """The format of a file or link whose format was not given: from its name's extension,
    else from its media type; None when neither says (a missing format is allowed)."""
    return format_from_file_name(file_name) or format_from_media_type(media_type)


def format_entries() -> Iterable[dict[str, Any]]:
    return entries("formats")
