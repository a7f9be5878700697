"""The pure parts: crosswalk, cleaning, names, URL rules, config validation (no database)."""
from __future__ import annotations

import pytest

from ckanext.guangdong.harvesters import config as source_config
from ckanext.guangdong.harvesters.crosswalk import load
from ckanext.guangdong.harvesters.errors import HarvestError, RecordRejected, parse_message
from ckanext.guangdong.harvesters.fetch import check_url
from ckanext.guangdong.harvesters.mapping import RemoteRecord, map_record
from ckanext.guangdong.harvesters.sanitize import clean_tags, clean_text, name_from_identifier, parse_date


@pytest.mark.parametrize("raw,stored", [
    (1, "realtime"), ("2", "daily"), (99, "other"), ("EVERY_QUARTER", "quarterly"),
    ("HALF_YEAR", "semiannual"), ("不定期", "irregular"), ("每年", "annual"),
    ("http://publications.europa.eu/resource/authority/frequency/WEEKLY", "weekly"),
])
def test_frequency_spellings(raw, stored):
    assert load().enum_value("frequency", raw) == stored


@pytest.mark.parametrize("raw,stored", [
    ("无条件开放", "unconditional"), ("UNCONDITIONAL", "unconditional"), ("CONDITIONAL", "conditional"),
    ("有条件开放", "conditional"), ("不予开放", "not_open"), ("unknown", None),
])
def test_access_rights_spellings(raw, stored):
    assert load().enum_value("access_rights", raw) == stored


def test_label_variants_of_domain_section_4():
    cw = load()
    for label in ("数据领域", "重点领域", "主题分类", "所属主题", "领域"):
        assert cw.field_for(label) == "theme"
    for label in ("数据提供方", "来源部门", "数源单位", "提供部门", "信息资源提供方"):
        assert cw.field_for(label) == "publisher_name"
    for label in ("更新周期", "更新频率", "更新频度", "update_cycle", "UPDATECYCLE"):
        assert cw.field_for(label) == "frequency"
    for label in ("开放属性", "开放方式", "开放条件", "是否向社会开放"):
        assert cw.field_for(label) == "access_rights"
    assert cw.field_for("发布时间") == "issued" and cw.field_for("最后更新") == "modified"
    for label in ("数据量", "数据条数", "记录数"):
        assert cw.field_for(label) == "record_count"


def test_per_source_override_wins():
    cw = load({"fields": {"title": ["名字"]}, "enums": {"frequency": {"daily": ["天天"]}}})
    record = RemoteRecord("1", {"名字": "某数据", "资源名称": "别的", "identifier": "1/2", "更新周期": "天天"})
    mapped = map_record(record, cw)
    assert mapped.fields["title"] == "某数据" and mapped.fields["frequency"] == "daily"
    assert load().field_for("名字") is None  # the base crosswalk is untouched


def test_clean_text_removes_markup_and_scripts():
    text = clean_text("<p>公交<b>线路</b></p><script>alert('x')</script><a href='javascript:x()'>链接</a>&amp;")
    assert text == "公交线路\n链接&" and text.had_markup
    assert "script" not in clean_text("&lt;script&gt;alert(1)&lt;/script&gt;正文")
    assert not clean_text("普通文本").had_markup


def test_chinese_only_tags_are_kept():
    tags, dropped = clean_tags("公交,线路；交通、PM2.5 / 5G,水,  ,<b>地铁</b>")
    assert tags == ["公交", "线路", "交通", "PM2.5", "5G", "地铁"]
    assert dropped == ["水"]


@pytest.mark.parametrize("identifier,name", [
    ("29000/01300008", "gd-29000-01300008"),
    ("44160003/00000012", "gd-44160003-00000012"),
])
def test_ascii_names_from_identifiers(identifier, name):
    assert name_from_identifier(identifier) == name


def test_names_never_empty_for_chinese_identifiers():
    name = name_from_identifier("河源市交通/第一批")
    assert name.startswith("gd-") and len(name) > 5 and name.isascii()


@pytest.mark.parametrize("raw,iso", [
    ("2019-05-20 10:00:00", "2019-05-20T10:00:00"), ("2020/1/2", "2020-01-02"),
    ("2020年1月2日", "2020-01-02"), ("昨天", None),
    # local (Asia/Shanghai) times, never UTC: the day a city wrote stays that day
    (1577836800000, "2020-01-01T08:00:00"), ("1577836800000", "2020-01-01T08:00:00"),
    ("2018-08-10T01:02:03+08:00", "2018-08-10T01:02:03"), ("2018-08-09T20:00:00Z", "2018-08-10T04:00:00"),
    ("２０２０年１月２日", "2020-01-02"),
])
def test_dates(raw, iso):
    assert parse_date(raw) == iso


def test_identifiers_and_codes_are_nfkc_normalised():
    mapped = map_record(RemoteRecord("1", {"resTitle": "重复测试", "resCode": "ＤＵＰ４４０１／０００００６",
                                           "统一社会信用代码": "１１４４００００００６９４００８１Ｘ",
                                           "联系电话": "０７６２－３３８８１２３", "行政区划": "４４１６００"}), load())
    assert mapped.fields["identifier"] == "DUP4401/000006"
    assert mapped.fields["publisher_identifier"] == "11440000006940081X"
    assert mapped.fields.get("contact_phone") == "0762-3388123"
    assert mapped.fields.get("region_code") == "441600"


def test_text_limits_are_the_schemas():
    from ckanext.guangdong.harvesters.schema_fit import max_length
    assert (max_length("title"), max_length("notes"), max_length("name", resource=True)) == (300, 20000, 300)


def test_required_and_oversized_fields_reject_the_record():
    cw = load()
    with pytest.raises(RecordRejected) as e:
        map_record(RemoteRecord("1", {"resTitle": "x"}), cw)
    assert e.value.kind == "missing_required"
    with pytest.raises(RecordRejected) as e:
        map_record(RemoteRecord("1", {"resTitle": "x" * 400, "resCode": "1/2"}), cw)
    assert e.value.kind == "oversized_field"
    with pytest.raises(RecordRejected) as e:
        map_record(RemoteRecord("1", {"resTitle": ["a", 1], "resCode": "1/2"}), cw)
    assert e.value.kind == "wrong_type"


@pytest.mark.parametrize("url,ok", [
    ("http://127.0.0.1:5000/api", True),           # allow-listed
    ("https://data.example.gd.cn/catalog.ttl", None),  # public name: allowed if it resolves publicly
    ("ftp://127.0.0.1/x", False), ("file:///etc/passwd", False), ("javascript:alert(1)", False),
    ("http://user:secret@127.0.0.1/", False), ("http://10.1.2.3/", False),
    ("http://192.168.1.10/", False), ("http://[::1]/", False), ("http://169.254.169.254/latest", False),
])
def test_source_url_rules(url, ok):
    allowed = ["127.0.0.1", "localhost"]
    if ok is None:
        return  # depends on DNS of this machine; the rule itself is covered by the others
    if ok:
        check_url(url, allowed, resolve=False)
    else:
        with pytest.raises(HarvestError) as e:
            check_url(url, allowed, resolve=False)
        assert e.value.kind == "url_refused"


def test_allow_list_accepts_networks():
    check_url("http://10.1.2.3/", ["10.0.0.0/8"], resolve=False)


@pytest.mark.parametrize("text,message", [
    ("", "region_code"), ("not json", "not valid JSON"), ("[]", "JSON object"),
    ('{"region_code": "110000"}', "Guangdong"), ('{"region_code": "441600", "withdrawal": "hide"}', "withdrawal"),
    ('{"region_code": "441600", "precedence": "high"}', "precedence"),
    ('{"region_code": "441600", "colour": 1}', "unknown keys"),
    ('{"region_code": "441600", "crosswalk": {"fieldz": {}}}', "unknown sections"),
    ('{"region_code": "441600", "page_size": 5000}', "page_size"),
])
def test_config_errors_are_clear(text, message):
    with pytest.raises(source_config.ConfigError) as e:
        source_config.parse(text, "guangdong_ckan")
    assert message in str(e.value)


def test_api_config_needs_endpoints():
    with pytest.raises(source_config.ConfigError) as e:
        source_config.parse('{"region_code": "441600"}', "guangdong_api")
    assert "preset" in str(e.value)
    with pytest.raises(source_config.ConfigError):
        source_config.parse('{"region_code": "441600", "preset": "nope"}', "guangdong_api")
    cfg = source_config.parse('{"region_code": "441600", "preset": "kaifang_guangdong"}', "guangdong_api")
    assert cfg["precedence"] == 100 and cfg["incremental"] is True


def test_error_messages_keep_their_kind():
    assert parse_message("[timeout/warning] slow") == {"kind": "timeout", "severity": "warning", "message": "slow"}
    assert parse_message("plain")["kind"] == "other"
