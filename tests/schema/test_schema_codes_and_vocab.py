"""Pure checks (no database): codes, vocabularies, name slugs."""
from __future__ import annotations

from datetime import date

import pytest

from ckanext.guangdong.metadata import codes, openness, vocab
from ckanext.guangdong.metadata.naming import name_stem, slugify


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000802100433B",
                                  "914403001922038216", "11440000006940081X"])
def test_uscc_valid(code: str) -> None:
    assert codes.uscc_valid(code)


@pytest.mark.parametrize("code", [
    "91350100M000100Y44",   # wrong check character
    "91350100M000100Y4",    # 17 characters
    "91350100M00O100Y43",   # letter O is not in the alphabet
    "",
])
def test_uscc_invalid(code: str) -> None:
    assert not codes.uscc_valid(code)


def test_uscc_check_char_is_computed_not_looked_up() -> None:
    # every alphabet character is a possible check character; flipping one input changes it
    assert codes.uscc_check_char("91350100M000100Y4") == "3"
    assert codes.uscc_check_char("91350100M000100Y5") != "3"


@pytest.mark.parametrize("value", ["29000/01300008", "440100/0001", "A01-02-001/00012"])
def test_identifier_format_good(value: str) -> None:
    assert codes.identifier_valid(value)


@pytest.mark.parametrize("value", ["29000", "29000/", "/0001", "29000 01300008", "广州/001",
                                   "29000/0130/0008"])
def test_identifier_format_bad(value: str) -> None:
    assert not codes.identifier_valid(value)


@pytest.mark.parametrize("value", ["020-12345678", "0755-1234567", "02012345678",
                                   "13800138000", "+86 138 0013 8000", "020-12345678-801",
                                   "12345"])
def test_phone_good(value: str) -> None:
    assert codes.phone_valid(value)


@pytest.mark.parametrize("value", ["12345678", "1380013800", "23800138000", "phone", "020-123"])
def test_phone_bad(value: str) -> None:
    assert not codes.phone_valid(value)


def test_email() -> None:
    assert codes.email_valid("opendata@gd.gov.cn")
    assert not codes.email_valid("opendata@")
    assert not codes.email_valid("开放@数据")


def test_as_date() -> None:
    assert codes.as_date("2018-06-01T10:00:00") == date(2018, 6, 1)
    assert codes.as_date("not a date") is None
    assert codes.as_date("") is None


def test_themes_include_livelihood_services_and_have_uri_slugs() -> None:
    themes = vocab.entries("themes")
    assert "民生服务" in vocab.values("themes")
    assert vocab.label("themes", "民生服务", "en") == "Livelihood services"
    slugs = [t["slug"] for t in themes]
    assert len(slugs) == len(set(slugs)) and all(s.isascii() for s in slugs)


def test_access_rights_match_the_openness_contract() -> None:
    assert vocab.values("access_rights") == [openness.UNCONDITIONAL, openness.CONDITIONAL,
                                             openness.NOT_OPEN]
    assert vocab.label("access_rights", "conditional") == "有条件开放"


def test_nine_frequencies_with_gd_codes_and_eu_uris() -> None:
    freqs = vocab.entries("frequencies")
    assert len(freqs) == 9
    assert [f["gd_code"] for f in freqs if f["gd_code"]] == ["1", "2", "3", "4", "5", "6", "7", "99"]
    assert vocab.frequency_from_gd_code(4) == "monthly"
    assert vocab.frequency_uri("monthly") == vocab.EU_FREQUENCY + "MONTHLY"
    for f in freqs:  # every value maps to a URI and back
        assert vocab.frequency_from_uri(vocab.frequency_uri(f["value"])) == f["value"]


def test_regions_are_the_province_and_21_cities() -> None:
    regions = vocab.entries("regions")
    assert regions[0]["value"] == "440000"
    assert len([r for r in regions if r["level"] == "city"]) == 21
    assert vocab.label("regions", "441600") == "河源市"
    assert vocab.label("regions", "441600", "en") == "Heyuan"


def test_formats_are_normalised() -> None:
    assert vocab.canonical_format(".csv") == "CSV"
    assert vocab.canonical_format("接口") == "API"
    assert vocab.canonical_format("exe") is None


def test_labels_fall_back_by_language_family() -> None:
    assert vocab.label("frequencies", "daily", "zh_CN") == "每日"
    assert vocab.label("frequencies", "daily", "fr") == "Daily"
    assert vocab.label("frequencies", "unknown-value") == "unknown-value"


def test_name_stems() -> None:
    assert name_stem("dataset", "29000/01300008", "广州") == "gd-29000-01300008"
    assert name_stem("dataset", "", "广州市 公交 2024") == "guang-zhou-shi-gong-jiao-2024"
    assert name_stem("application", "", "粤省事") == "app-yue-sheng-shi"
    stem = name_stem("dataset", "", "！！")  # nothing usable: a random but valid name
    assert len(stem) >= 2 and stem.isascii()


def test_slug_is_ascii_and_bounded() -> None:
    slug = slugify("广东省" * 40)
    assert slug.isascii() and len(slug) <= 80 and not slug.endswith("-")
