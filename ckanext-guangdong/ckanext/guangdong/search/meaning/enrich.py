"""The extra index words of a dataset (before_dataset_index), for both backends."""
from __future__ import annotations

import json
from typing import Any

from ckanext.guangdong.search import segment
from ckanext.guangdong.search.meaning import pinyin, places, thesaurus, variants

# Index fields (lowest rank on both engines: backend/document.py TEXT_D, Solr schema.xml).
MEANING = "guangdong_meaning"
PINYIN = "guangdong_pinyin"
REGION_FIELDS = ("region_code", "spatial_coverage")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
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
    text = segment.normalise(" ".join(titles + _strings(data_dict.get("notes")) + tags + org_titles))
    region = next((str(data_dict.get(k) or stored.get(k) or "") for k in REGION_FIELDS
                   if data_dict.get(k) or stored.get(k)), "")
    words = " ".join(dict.fromkeys(thesaurus.expansions(text) + variants.variants(text)))
    # The place names as one value per region code: the same text for every dataset of
    # that region, so the segmenter's cache tokenises it once (bench/search_meaning.py).
    region_names = " ".join(places.names_for(region, province_covers_cities))
    meaning = [v for v in (words, region_names) if v]
    if meaning:
        data_dict[MEANING] = meaning
    spoken: dict[str, None] = {}
    for value in titles + org_titles + tags:
        spoken.update(dict.fromkeys(pinyin.text_pinyin(value)))
    if spoken:
        data_dict[PINYIN] = " ".join(spoken)
    return data_dict
