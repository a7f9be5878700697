"""Segmentation and normalisation (no database)."""
from __future__ import annotations

from ckanext.guangdong.search import segment
from ckanext.guangdong.search.backend import document


def words_of(text: str) -> set[str]:
    words, _ = segment.document_tokens(text)
    return {w for slot in words for w in slot}


def test_traditional_and_fullwidth_are_normalised() -> None:
    assert segment.normalise("廣州市交通運輸局") == "广州市交通运输局"
    assert segment.normalise("ＰＭ２．５") == "pm2.5"


def test_search_mode_emits_parts_of_compounds() -> None:
    words = words_of("广州市生态环境局发布空气质量数据")
    assert {"生态环境", "生态", "环境", "空气质量", "空气", "质量", "广州市", "广州"} <= words


def test_place_dictionary_keeps_districts_and_their_short_names() -> None:
    words = words_of("越秀区政务服务中心")
    assert "越秀区" in words and "越秀" in words
    assert "越秀" in segment.place_names()


def test_latin_tokens_stay_whole_and_keep_parts() -> None:
    words = words_of("全省PM2.5浓度与5G基站、COVID-19")
    assert {"pm2.5", "pm2", "5g", "covid-19", "covid", "19", "基站"} <= words


def test_query_tokens_use_precise_mode() -> None:
    assert segment.query_tokens("廣州公交") == ["广州", "公交"]
    assert segment.query_tokens("PM2.5 监测") == ["pm2.5", "监测"]


def test_bigrams_cover_every_han_run() -> None:
    _, bigrams = segment.document_tokens("环境局 PM2.5 水质")
    assert list(bigrams) == ["环境", "境局", "", "水质", ""]


def test_tsvector_weights_by_field() -> None:
    row = document.build_row({
        "id": "x", "index_id": "i", "title": "公交线路", "tags": ["交通"],
        "publisher_name": "交通运输厅", "notes": "站点", "metadata_modified": "2020-01-02T03:04:05.678901"})
    tsv = row.tsv
    assert "'公交':1A" in tsv and "'交通':" in tsv and "B" in tsv.split("'交通':")[1].split(" ")[0]
    assert "'站点':" in tsv and tsv.split("'站点':")[1].split(" ")[0].endswith("D")
    # Solr keeps dates to the millisecond.
    assert row.doc["metadata_modified"] == "2020-01-02T03:04:05.678Z"


def test_scheming_list_fields_as_list_or_json_string() -> None:
    assert document.as_strings(["民生服务", "道路交通"]) == ["民生服务", "道路交通"]
    assert document.as_strings('["民生服务", "道路交通"]') == ["民生服务", "道路交通"]
    assert document.as_strings("[not json") == ["[not json"]
    assert document.as_strings(True) == ["true"]
