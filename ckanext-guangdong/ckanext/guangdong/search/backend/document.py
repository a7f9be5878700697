"""Turns a Solr document built by CKAN into a row of the index table."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ckanext.guangdong.search import segment

# Fields CKAN sends as JSON blobs for display only (Solr: indexed="false").
STORED_ONLY = {"data_dict", "validated_data_dict"}
# Solr "date" fields: stored and compared at millisecond precision, UTC. The schema's
# calendar days (issued, modified, temporal_*) are dates in Solr's schema too (schema.xml;
# the schema plugin indexes them as midnight UTC).
DATE_FIELDS = {"metadata_created", "metadata_modified", "indexed_ts",
               "issued", "modified", "temporal_start", "temporal_end"}

# Ranking weights of the text fields: title above tags/keywords above the
# publishing organisation above notes and resources (Solr's qf does the same).
WEIGHT_A = ("title",)
WEIGHT_B = ("tags", "theme", "keywords")
# guangdong_pinyin (search/meaning/enrich.py): the joined pinyin of title and tag words
# (tingchechang) ranks with the organization, below every word of the title and tags, above
# notes; its single syllables and initials and the organization's and themes' pinyin
# (guangdong_pinyin_low) rank lowest, with the notes.
WEIGHT_C = ("organization_title", "groups_title", "publisher_name", "guangdong_pinyin")
# Latin-text fields that Solr copies into its catch-all "text" field.
TEXT_D = ("notes", "res_name", "res_description", "name", "author", "maintainer",
          "text", "license", "identifier", "access_conditions", "contact_name",
          "data_items", "guangdong_meaning", "guangdong_pinyin_low")
# Never searched as text even when they contain Han characters.
NOT_TEXT = STORED_ONLY | {"index_id", "id", "site_id", "permission_labels", "capacity",
                          "state", "entity_type", "dataset_type", "type", "owner_org",
                          "organization", "groups", "res_url", "url", "urls",
                          "creator_user_id", "title_string", "license_id"}

# Free-text fields: searched through the tsvector (or their own values), never
# matched exactly, so they stay out of the small keyword column ``k``.
LONG_TEXT = {"title", "notes", "text", "res_description", "data_items", "access_conditions",
             "author", "maintainer", "urls", "res_url", "url", "download_url",
             "guangdong_meaning", "guangdong_pinyin", "guangdong_pinyin_low"}
KEYWORD_MAX = 300  # longer values are text, not keywords

# Fields CKAN adds to nearly every query (site, state, type, capacity): single-valued,
# kept in their own columns so the per-row test is a plain comparison, not a jsonb
# lookup. A document with several values (or none) leaves the column NULL and is
# matched through ``k``.
SINGLE_VALUED = ("state", "dataset_type", "capacity", "entity_type")
# Facet fields: CKAN's defaults and the portal's (config/ckan.ini.tmpl search.facets).
# Their values are also kept as 'field<US>value' in one text[] column, counted in one
# pass; facets on any other field are counted from ``k`` (same result, slower).
# Changing this set needs a reindex, like a Solr schema change.
FACET_FIELDS = frozenset({"organization", "groups", "tags", "res_format", "license_id", "theme",
                          "access_rights", "frequency", "region_code", "application_kind"})
FACET_ORDER = tuple(sorted(FACET_FIELDS))  # the order of values in a row's fv
FACET_SEPARATOR = "\x1f"

BIGRAM_OFFSET = 8192  # bigram positions live apart from word positions
MAX_POS = 16383       # PostgreSQL's largest tsvector position


def is_date_field(name: str) -> bool:
    return name in DATE_FIELDS or name.endswith("_date")


def parse_date(value: str) -> dt.datetime | None:
    try:  # fast path: CKAN's own ISO 8601 text
        d = dt.datetime.fromisoformat(value)
    except ValueError:
        from dateutil.parser import parse
        try:
            d = parse(value)
        except (ValueError, OverflowError):
            return None
    if d.tzinfo is not None:
        d = d.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return d


def canonical_date(value: str) -> str:
    """Fixed-width UTC text ("2014-06-10T08:24:12.782Z") that sorts like the date."""
    d = parse_date(value)
    if d is None:
        return value
    # The year zero-padded by hand: strftime("%Y") does not pad years before 1000.
    return f"{d.year:04d}-" + d.strftime("%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


def solr_date(value: str) -> str:
    """What Solr returns for a stored date: milliseconds, trailing zeros dropped."""
    text = canonical_date(value)
    return text.replace(".000Z", "Z") if text.endswith(".000Z") else text


def as_strings(value: Any) -> list[str]:
    """Every value as a list of strings, the way a multi-valued Solr field sees it.

    Scheming stores list fields either as lists or as JSON strings ('["a","b"]').
    """
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        out: list[str] = []
        for item in value:
            out.extend(as_strings(item))
        return out
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, (int, float)):
        return [str(value)]
    if isinstance(value, dict):
        return [json.dumps(value, ensure_ascii=False)]
    text = str(value)
    stripped = text.strip()
    if stripped.startswith("[") and stripped.endswith("]"):
        try:
            parsed = json.loads(stripped)
        except ValueError:
            return [text]
        if isinstance(parsed, list):
            return as_strings(parsed)
    return [text]


@dataclass
class Row:
    index_id: str
    id: str
    site_id: str | None
    metadata_modified: str | None
    k: dict[str, list[str]]
    f: dict[str, list[str]]
    doc: dict[str, Any]
    tsv: str
    singles: dict[str, str | None]
    labels: list[str]
    fv: list[str]


def _ckan_dict(doc: dict[str, Any]) -> dict[str, Any]:
    for key in ("validated_data_dict", "data_dict"):
        raw = doc.get(key)
        if isinstance(raw, str):
            try:
                value = json.loads(raw)
            except ValueError:
                continue
            if isinstance(value, dict):
                return value
    return {}


def weighted_texts(doc: dict[str, Any], f: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(weight, text) pairs that make the document's tsvector."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()

    def take(weight: str, field: str) -> None:
        seen.add(field)
        for value in f.get(field, []):
            out.append((weight, value))

    for field in WEIGHT_A:
        take("A", field)
    for field in list(WEIGHT_B) + [k for k in f if k.startswith("vocab_")]:
        take("B", field)
    if "organization_title" not in f and "groups_title" not in f:
        # Documents without the schema plugin's title fields (schema/plugin.py):
        # the titles come from the dataset dict CKAN stored in the document.
        ckan = _ckan_dict(doc)
        org = ckan.get("organization") or {}
        if isinstance(org, dict) and org.get("title"):
            out.append(("C", str(org["title"])))
        for group in ckan.get("groups") or []:
            if isinstance(group, dict) and group.get("title"):
                out.append(("C", str(group["title"])))
    for field in WEIGHT_C:
        take("C", field)
    for field in TEXT_D:
        if field not in seen:
            take("D", field)
    for field, values in f.items():
        if field in seen or field in NOT_TEXT or is_date_field(field):
            continue
        if field.startswith(("extras_", "res_extras_")):
            take("D", field)
        elif any(segment.has_han(v) for v in values):
            take("D", field)
    return out


def _escape_lexeme(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def build_tsvector(texts: Iterable[tuple[str, str]]) -> str:
    """A tsvector literal with our own tokens and positions.

    Built in Python rather than with to_tsvector() so that tokens such as
    ``pm2.5`` and Han words reach the index exactly as the segmenter made them.
    """
    positions: dict[str, list[str]] = {}
    word_pos, bigram_pos = 1, BIGRAM_OFFSET
    for weight, text in texts:
        words, bigrams = segment.document_tokens(text)
        for slot in words:
            for word in slot:
                if len(word.encode()) < 2000:
                    positions.setdefault(word, []).append(f"{min(word_pos, MAX_POS)}{weight}")
            word_pos += 1
        for bigram in bigrams:
            if bigram:
                positions.setdefault(bigram, []).append(f"{min(bigram_pos, MAX_POS)}{weight}")
            bigram_pos += 1  # "" separators leave a gap between runs
        word_pos += 2
        bigram_pos += 2
    return " ".join(f"{_escape_lexeme(lex)}:{','.join(pos[:255])}"
                    for lex, pos in positions.items())


def build_row(doc: dict[str, Any]) -> Row:
    stored: dict[str, Any] = {}
    f: dict[str, list[str]] = {}
    for key, value in doc.items():
        if is_date_field(key) and isinstance(value, str) and value:
            stored[key] = solr_date(value)
            f[key] = [canonical_date(value)]
            continue
        stored[key] = value
        if key not in STORED_ONLY:
            values = as_strings(value)
            if values:
                f[key] = values
    now = dt.datetime.utcnow().isoformat()
    stored.setdefault("indexed_ts", solr_date(now))
    f.setdefault("indexed_ts", [canonical_date(now)])
    index_id = str(doc.get("index_id") or doc.get("id"))
    modified = f.get("metadata_modified", [None])[0]
    keywords = {name: values for name, values in f.items()
                if name not in LONG_TEXT and not name.startswith(("extras_", "res_extras_"))
                and all(len(v) <= KEYWORD_MAX for v in values)}
    site = f.get("site_id", [])
    return Row(index_id=index_id, id=str(doc.get("id")),
               site_id=site[0] if len(site) == 1 else None,
               metadata_modified=modified, k=keywords, f=f, doc=stored,
               tsv=build_tsvector(weighted_texts(doc, f)),
               singles={name: _single(keywords.get(name)) for name in SINGLE_VALUED},
               labels=list(keywords.get("permission_labels", [])),
               fv=[f"{name}{FACET_SEPARATOR}{value}" for name in FACET_ORDER
                   for value in keywords.get(name, [])])


def _single(values: list[str] | None) -> str | None:
    return values[0] if values and len(values) == 1 else None
