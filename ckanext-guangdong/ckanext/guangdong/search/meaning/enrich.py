"""The extra index words of a dataset (before_dataset_index), for both backends."""
from __future__ import annotations

import json
from typing import Any

from ckanext.guangdong.search import segment
from ckanext.guangdong.search.meaning import pinyin, places, thesaurus, variants

# Index fields (lowest rank on both engines: backend/document.py TEXT_D, Solr schema.xml).
MEANING = "guangdong_meaning"
PINYIN = "guangdong_pinyin"          # joined pinyin of title and tags: tingchechang, tingche
PINYIN_LOW = "guangdong_pinyin_low"  # syllables, initials; organization and theme pinyin
# The dataset's GB/T 2260 code. Only region_code: its old name spatial_coverage is moved
# to it by the migration (b7d2e4f1a9c3) and on input (metadata/renamed.py), so no indexed
# document carries it; a spatial_coverage that does arrive is ckanext-dcat's structured
# field (a list of places with URIs and geometries), not a code (docs/search.md).
REGION_FIELD = "region_code"


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        if value.startswith("["):  # a list field as CKAN indexes it: '["民生服务","道路交通"]'
            try:
                return _strings(json.loads(value))
            except ValueError:
                pass
        return [value]
    if isinstance(value, dict):
        return [str(value.get("title") or value.get("display_name") or value.get("name") or "")]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def _stored(data_dict: dict[str, Any]) -> dict[str, Any]:
    raw = data_dict.get("validated_data_dict") or data_dict.get("data_dict")
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}
    return {}


def enrich(data_dict: dict[str, Any], province_covers_cities: bool = True) -> dict[str, Any]:
    stored = _stored(data_dict)
    org = stored.get("organization") or {}
    org_titles = _strings(data_dict.get("organization_title")) or _strings(org)
    tags = _strings(data_dict.get("tags") or stored.get("tags"))
    titles = _strings(data_dict.get("title"))
    themes = _strings(data_dict.get("theme") or stored.get("theme"))
    text = segment.normalise(" ".join(titles + _strings(data_dict.get("notes")) + tags + org_titles))
    region = str(data_dict.get(REGION_FIELD) or stored.get(REGION_FIELD) or "")
    # One value per word: values are apart in the index (Solr's positionIncrementGap, the
    # embedded engine's gap), so a phrase never runs from one thesaurus word into the next,
    # nor do Solr's English stems make a phrase of two neighbours (transport transportation).
    words = list(dict.fromkeys(thesaurus.expansions(text) + variants.variants(text)))
    # The place names as one value per region code: the same text for every dataset of
    # that region, so the segmenter's cache tokenises it once (bench/search_meaning.py).
    region_names = " ".join(places.names_for(region, province_covers_cities))
    meaning = [v for v in (*words, region_names) if v]
    if meaning:
        data_dict[MEANING] = meaning
    # Pinyin ranks like the Chinese word it stands for, one step lower: a title's or tag's
    # word (joined: tingchechang) above an organization's or theme's, and single syllables
    # and initials (ju, tcc: also Latin words and abbreviations) lowest (docs/search.md).
    strong: dict[str, None] = {}
    low: dict[str, None] = {}
    for value in titles + tags:
        joined, short = pinyin.text_pinyin(value)
        strong.update(dict.fromkeys(joined))
        low.update(dict.fromkeys(short))
    for value in org_titles + themes:
        joined, short = pinyin.text_pinyin(value)
        low.update(dict.fromkeys(joined + short))
    if strong:
        data_dict[PINYIN] = " ".join(strong)
    low_words = [w for w in low if w not in strong]
    if low_words:
        data_dict[PINYIN_LOW] = " ".join(low_words)
    return data_dict
