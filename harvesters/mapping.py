"""Remote record -> provincial dataset fields, through the crosswalk.

Every harvester turns what it read into a ``RemoteRecord`` (a flat label -> value dict
plus a list of files); this module does the rest identically for all three, so a CKAN
city, a DCAT city and a JSON-API city with the same content give the same dataset.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ckanext.guangdong.metadata.codes import normalise_code

from .crosswalk import Crosswalk
from .errors import Issue, RecordRejected
from .sanitize import clean_tags, clean_text, parse_date, parse_int
from .schema_fit import max_length, theme_from_slug

REQUIRED = ("title", "identifier")
TEXT_FIELDS = ("title", "notes", "publisher_name", "publisher_identifier", "access_conditions",
               "contact_name", "contact_email", "contact_phone", "identifier")
MULTILINE = {"notes", "access_conditions"}
# Identifiers and codes: NFKC (full-width ＤＵＰ４４０１／０００００６ is DUP4401/000006), as the
# schema's validators do, so a harvested record and a typed one compare equal.
CODES = {"identifier", "publisher_identifier", "contact_phone", "contact_email"}


@dataclass
class RemoteRecord:
    remote_id: str
    fields: dict[str, Any]
    resources: list[dict[str, Any]] = field(default_factory=list)
    remote_url: str | None = None

    def content_hash(self) -> str:
        """Hash of everything we map, so an unchanged remote record is skipped."""
        payload = json.dumps([self.fields, self.resources], sort_keys=True, ensure_ascii=False,
                             default=str)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def to_json(self) -> str:
        return json.dumps({"remote_id": self.remote_id, "remote_url": self.remote_url,
                           "fields": self.fields, "resources": self.resources},
                          ensure_ascii=False, default=str)

    @classmethod
    def from_json(cls, text: str) -> RemoteRecord:
        data = json.loads(text)
        return cls(remote_id=data["remote_id"], fields=data.get("fields") or {},
                   resources=data.get("resources") or [], remote_url=data.get("remote_url"))


@dataclass
class Mapped:
    fields: dict[str, Any]
    resources: list[dict[str, Any]]
    issues: list[Issue]


def _pick(record: Mapping[str, Any], crosswalk: Crosswalk) -> dict[str, Any]:
    """First non-empty value per provincial field, honouring the crosswalk's label order."""
    found: dict[str, tuple[int, Any]] = {}
    for label, value in record.items():
        if value is None or value == "" or value == [] or value == {}:
            continue
        target = crosswalk.field_for(label)
        if not target:
            continue
        order = crosswalk.field_order(target)
        try:
            rank = [o.casefold() for o in order].index(str(label).casefold())
        except ValueError:
            rank = len(order)  # matched after normalisation: after exact spellings
        if target not in found or rank < found[target][0]:
            found[target] = (rank, value)
    return {k: v for k, (_, v) in found.items()}


def _as_text(name: str, value: Any, issues: list[Issue]) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("zh_Hans_CN", "zh", "zh_CN", "name", "title", "value"):
            if isinstance(value.get(key), str):
                return value[key]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return "; ".join(value)
    issues.append(Issue("wrong_type", f"{name}: expected text, got {type(value).__name__}"))
    return None


def map_record(record: RemoteRecord, crosswalk: Crosswalk,
               known_themes: Iterable[str] | None = None) -> Mapped:
    """Provincial fields for a remote record. Raises RecordRejected when the record cannot
    become a dataset (missing/wrong required field, oversized field); recoverable problems
    become warnings in ``issues``."""
    issues: list[Issue] = []
    picked = _pick(record.fields, crosswalk)
    out: dict[str, Any] = {}

    for name in TEXT_FIELDS:
        if name not in picked:
            continue
        raw = _as_text(name, picked[name], issues)
        if raw is None:
            if name in REQUIRED:
                raise RecordRejected("wrong_type", f"{name} has a value of type "
                                     f"{type(picked[name]).__name__}, text expected")
            continue
        text = clean_text(raw, multiline=name in MULTILINE)
        if text.had_markup:
            issues.append(Issue("html_in_text", f"{name}: markup removed", warning=True))
        if name in CODES:
            text = normalise_code(text)  # type: ignore[assignment]
        limit = max_length(name)
        if len(text) > limit:
            raise RecordRejected("oversized_field",
                                 f"{name} is {len(text)} characters long, limit {limit}")
        if text:
            out[name] = str(text)

    for name in REQUIRED:
        if not out.get(name):
            raise RecordRejected("missing_required", f"required field {name} is missing or empty")

    tags, dropped = clean_tags(picked.get("tags"), crosswalk.limit("tag"))
    if tags:
        out["tags"] = tags
    for bad in dropped:
        issues.append(Issue("invalid_tag", f"keyword {bad!r} cannot be a tag (2–100 letters)",
                            warning=True))

    for enum_name in ("frequency", "access_rights"):
        if enum_name in picked:
            value = crosswalk.enum_value(enum_name, picked[enum_name]) \
                if isinstance(picked[enum_name], (str, int)) else None
            if value:
                out[enum_name] = value
            else:
                issues.append(Issue("unknown_value",
                                    f"{enum_name}: {picked[enum_name]!r} is not in the crosswalk",
                                    warning=True))

    if out.get("access_rights") == "conditional" and not out.get("access_conditions"):
        template = crosswalk.data.get("access_conditions_fallback")
        if template:
            out["access_conditions"] = template.format(remote_url=record.remote_url or "")
            issues.append(Issue("missing_required", "conditionally open but no conditions given: "
                                "the standard text pointing to the source was used", warning=True))

    if "theme" in picked:
        raw_themes = picked["theme"]
        if isinstance(raw_themes, str):
            raw_themes = [t for t in clean_tags(raw_themes, 100)[0]] or [raw_themes]
        themes: list[str] = []
        allowed = set(known_themes) if known_themes is not None else None
        for t in raw_themes if isinstance(raw_themes, list) else []:
            name = crosswalk.theme_alias(theme_from_slug(clean_text(str(t), multiline=False)))
            if allowed is not None and name not in allowed:
                issues.append(Issue("unknown_value", f"theme {name!r} is not in the theme list",
                                    warning=True))
            elif name and name not in themes:
                themes.append(name)
        if themes:
            out["theme"] = themes

    for name in ("issued", "modified", "temporal_start", "temporal_end"):
        if name in picked:
            parsed = parse_date(picked[name])
            if parsed:
                out[name] = parsed
            else:
                issues.append(Issue("wrong_type", f"{name}: {picked[name]!r} is not a date",
                                    warning=True))

    if "record_count" in picked:
        count = parse_int(picked["record_count"])
        if count is None:
            issues.append(Issue("wrong_type", f"record_count: {picked['record_count']!r} "
                                "is not a non-negative integer", warning=True))
        else:
            out["record_count"] = count

    if "region_code" in picked:
        code = normalise_code(str(picked["region_code"]))
        if code.isdigit() and len(code) == 6:
            out["region_code"] = code
        else:
            issues.append(Issue("unknown_value", f"region_code {code!r} is not a "
                                "GB/T 2260 code", warning=True))

    resources = [r for r in (_map_resource(res, crosswalk, issues) for res in record.resources) if r]
    return Mapped(out, resources, issues)


def _map_resource(raw: Any, crosswalk: Crosswalk, issues: list[Issue]) -> dict[str, Any] | None:
    if not isinstance(raw, Mapping):
        issues.append(Issue("wrong_type", "a file entry is not an object", warning=True))
        return None
    res: dict[str, Any] = {}
    for label, value in raw.items():
        target = crosswalk.resource_field_for(label)
        if target and target not in res and value not in (None, ""):
            res[target] = value
    url = res.get("url")
    if not isinstance(url, str) or not url.strip().lower().startswith(("http://", "https://")):
        issues.append(Issue("missing_required", f"a file without a usable URL was skipped "
                            f"({str(url)[:80]!r})", warning=True))
        return None
    out: dict[str, Any] = {"url": url.strip()}
    for key in ("name", "description", "format"):
        if isinstance(res.get(key), (str, int, float)):
            text = clean_text(str(res[key]), multiline=key == "description")
            if text.had_markup:
                issues.append(Issue("html_in_text", f"file {key}: markup removed", warning=True))
            out[key] = str(text)[: max_length(key, resource=True)]
    if out.get("format"):
        out["format"] = out["format"].lstrip(".").upper()
    size = parse_int(res.get("size"))
    if size is not None:
        out["size"] = size
    if res.get("remote_id") is not None:
        out["remote_id"] = str(res["remote_id"])
    return out
