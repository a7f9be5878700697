"""The one checker of English on Chinese pages (tests/gd_english.py), used by the page walk
(test_theme_chinese_pages.py) and by every browser journey: what it must catch, and what is
not English (format names, the allow-list, addresses, codes, the page's own data)."""
from __future__ import annotations

from gd_english import english_words


def test_catches_english_of_the_portal() -> None:
    # a licence name left in English; format badges glued together ("CSVJSON")
    assert english_words("许可协议 Creative Commons Attribution 4.0 International") == [
        "Creative", "Commons", "Attribution", "International"]
    assert english_words("格式 CSVJSON") == ["CSVJSON"]
    assert english_words("开放数据应用 - Application - 开放广东") == ["Application"]


def test_leaves_what_is_not_english() -> None:
    text = ("格式 CSV JSON XLSX · 调用 API 与 DCAT · 媒体类型 text/csv · https://example.com/a?b=1 "
            "联系 opendata@gd.gov.cn · 编号 29000/0000000001 · 文件 stations.csv · 代码 kaifang_guangdong")
    assert english_words(text) == []


def test_the_pages_own_data_may_be_in_any_script() -> None:
    assert english_words("河源市A级旅游景区名录") == ["A"]
    assert english_words("河源市A级旅游景区名录", ["河源市A级旅游景区名录"]) == []
    assert english_words("Adams Group 的数据", ["Adams Group"]) == []
