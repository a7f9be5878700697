"""ID numbers and mobiles written so that a browser shows them as usual while the characters
differ (found by the attack trial): zero-width space, soft hyphen and word joiner between the
digits, Arabic-Indic and other Unicode decimal digits, dots as separators. One folding
(detectors.fold) serves every path: a file's cells, the metadata text, the DataStore write
guard. Decoys written the same way stay unflagged. The second round (SPELLED): a number reversed
under a right-to-left override, Chinese numerals, a separator between every digit, (4)(4)…,
O/l for 0/1, a line break inside the number; decoys: Chinese-numeral dates, slash dates,
amounts, wrong check characters. The third round (THIRD): dash-like characters (U+2013 …),
tabs, brackets or middle dots between groups, | : ~ + * between every digit, Markdown or HTML
inside the number, Chinese numerals in groups; decoys: en-dash dates and page ranges,
extensions, times, versions, amounts with middle dots, Markdown tables and lists. The fourth
round (FOURTH, issue 14's known gaps): a separator with spaces around it, digit groups joined
with / _ , , an element with text of its own or Markdown emphasis across a line break inside
the number; an ID number glued to other digits or Chinese numerals (GLUED); bank cards and the
15-digit ID number in the same spellings (CARD_SPELLINGS). Every positive has its decoys in the
same spelling (order numbers, credit codes, wrong check characters, lists, dates)."""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from safety_corpus import Makers
from safety_support import (
    anonymous_sees,
    as_user,
    create,
    csv_bytes,
    editor_table,
    make_org,
    show,
    site_context,
    upload,
    wait_scan,
)

from ckanext.guangdong.safety import detectors as d
from ckanext.guangdong.safety.scanner import scan_table

ID = "44010619850312" + "001"
ID += d.id_check_character(ID)
ID_X = "11010519491231002X"  # a valid one ending in X
MOBILE = "13800138000"
_ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")

SPELLINGS = {
    "zero_width_space": lambda v: "\u200b".join(v),
    "soft_hyphen": lambda v: "\u00ad".join(v),
    "word_joiner": lambda v: "\u2060".join(v),
    "arabic_indic_digits": lambda v: v.translate(_ARABIC),
    "devanagari_digits": lambda v: v.translate(_DEVANAGARI),
    "dotted_groups": lambda v: f"{v[:6]}.{v[6:14]}.{v[14:]}" if len(v) == 18 else f"{v[:3]}.{v[3:7]}.{v[7:]}",
    "dotted_digits": lambda v: ".".join(v),
    # found by the re-attack: invisible marks and blank glyphs after each digit, HTML entities
    "combining_grapheme_joiner": lambda v: "".join(c + "\u034f" for c in v),
    "variation_selector": lambda v: "".join(c + "\ufe0f" for c in v),
    "combining_acute": lambda v: "".join(c + "\u0301" for c in v),
    "hangul_filler": lambda v: "\u3164".join(v),
    "braille_blank": lambda v: "\u2800".join(v),
    "html_entities": lambda v: "".join(f"&#{ord(c)};" for c in v),
}
# found by the attack trial's second round: spellings a reader still reads as the number
_CN = str.maketrans("0123456789", "〇一二三四五六七八九")
_CAPITAL = str.maketrans("0123456789", "零壹贰叁肆伍陆柒捌玖")
_DINGBAT = str.maketrans("123456789", "❶❷❸❹❺❻❼❽❾")
_ENCLOSED = str.maketrans({str(i): chr(0x2473 + i) for i in range(1, 10)} | {"0": "(0)"})  # ⑴…⑼
SPELLED = {
    "rlo_reversed": lambda v: "\u202e" + v[::-1] + "\u202c",           # shown as the number
    "rlo_in_isolate": lambda v: "\u2067\u202e" + v[::-1] + "\u202c\u2069",
    # shown as v[:6] v[6:] (a trailing X, a strong left-to-right letter, would undo the swap)
    "rlm_swapped_groups": lambda v: f"\u200f{v[6:]} {v[:6]}" if v.isdigit() else "\u200f" + v,
    "chinese_numerals": lambda v: v.translate(_CN),
    "capital_numerals": lambda v: v.translate(_CAPITAL),
    "slash_between_digits": lambda v: "/".join(v),
    "underscore_between_digits": lambda v: "_".join(v),
    "comma_between_digits": lambda v: ",".join(v),
    "middle_dot_between_digits": lambda v: "·".join(v),
    "ideographic_stop_between_digits": lambda v: "。".join(v),
    "parenthesised_digits": lambda v: "".join(f"({c})" if c.isdigit() else c for c in v),
    "enclosed_digits": lambda v: v.translate(_ENCLOSED),
    "dingbat_digits": lambda v: v.translate(_DINGBAT),
    "o_and_l_for_0_and_1": lambda v: v.replace("0", "O").replace("1", "l"),
    "line_break": lambda v: v[:6] + "\n" + v[6:],
    "crlf_break": lambda v: v[:7] + "\r\n" + v[7:],
}



def _grouped(v: str, sep: str) -> str:
    """An ID number as 6-8-4 digits, a mobile as 3-4-4, a first-generation ID number as 6-6-3,
    a card in fours, joined by ``sep``."""
    if len(v) == 18:
        return sep.join([v[:6], v[6:14], v[14:]])
    if len(v) == 15:
        return sep.join([v[:6], v[6:12], v[12:]])
    if len(v) >= 16:
        return sep.join(v[i:i + 4] for i in range(0, len(v), 4))
    return sep.join([v[:3], v[3:7], v[7:]])


# found by the attack trial's third round: dash-like characters, tabs, brackets and middle dots
# between groups, one of | : ~ + * between every digit, Markdown/HTML inside the number,
# Chinese numerals in groups
_DASHES = {"en_dash": "\u2013", "hyphen": "\u2010", "non_breaking_hyphen": "\u2011",
           "figure_dash": "\u2012", "em_dash": "\u2014", "minus_sign": "\u2212",
           "fraction_slash": "\u2044", "small_hyphen_minus": "\ufe63", "fullwidth_hyphen_minus": "\uff0d"}
THIRD: dict[str, Callable[[str], str]] = {f"{name}_groups": partial(_grouped, sep=sep) for name, sep in _DASHES.items()}
THIRD.update({f"{name}_between_digits": sep.join
              for name, sep in {"pipe": "|", "colon": ":", "tilde": "~", "plus": "+", "asterisk": "*"}.items()})
THIRD.update({
    "tab_groups": lambda v: _grouped(v, "\t"),
    "bracketed_first_group": lambda v: f"({v[:3]}) {v[3:7]} {v[7:]}" if len(v) == 11 else f"({v[:6]}) {v[6:14]} {v[14:]}",
    "middle_dot_groups": lambda v: _grouped(v, "·"),
    "html_tags_between_groups": lambda v: _grouped(v, "<b></b>"),
    "html_span_between_groups": lambda v: _grouped(v, "<span></span>"),
    "markdown_bold_group": lambda v: _grouped(v, "**"),
    "markdown_code_group": lambda v: _grouped(v, "`"),
    "chinese_numeral_groups": lambda v: _grouped(v, " ").translate(_CN),
})
SPELLED.update(THIRD)

# the fourth round (docs/safety.md, known gaps closed by issue 14): spaces around a separator,
# groups joined with / _ , , an element with text inside the number, Markdown across lines
FOURTH: dict[str, Callable[[str], str]] = {
    "spaced_middle_dot_groups": partial(_grouped, sep=" · "),
    "spaced_slash_between_digits": " / ".join,
    "spaced_comma_between_digits": " , ".join,
    "spaced_bullet_groups": partial(_grouped, sep=" • "),
    "slash_groups": partial(_grouped, sep="/"),
    "underscore_groups": partial(_grouped, sep="_"),
    "comma_groups": partial(_grouped, sep=","),
    "spaced_slash_groups": partial(_grouped, sep=" / "),
    "html_element_with_text": lambda v: f"{v[:3]}<i>x</i>{v[3:]}",
    "html_span_with_text_between_groups": partial(_grouped, sep='<span class="n">-</span>'),
    "markdown_bold_across_lines": lambda v: f"{v[:3]}**\n**{v[3:]}",
    "markdown_code_across_lines": lambda v: f"`{v[:6]}`\n`{v[6:]}`",
}
SPELLED.update(FOURTH)
SPELLINGS.update(SPELLED)


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
@pytest.mark.parametrize(("value", "kind"), [(ID, d.RESIDENT_ID), (ID_X, d.RESIDENT_ID), (MOBILE, d.MOBILE)])
def test_a_disguised_value_is_classified(spelling: str, value: str, kind: str) -> None:
    disguised = SPELLINGS[spelling](value)
    assert disguised != value
    assert d.classify(disguised) == kind
    assert d.detectors_in_text(f"经办人证件：{disguised}，请核对") == {kind}


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_a_column_of_disguised_ids_and_mobiles_is_found(spelling: str) -> None:
    makers = Makers(7)
    spell = SPELLINGS[spelling]
    rows = [[spell(makers.id18()), spell(_mobile(makers, spelling)), "广州市"] for _ in range(30)]
    findings, _n = scan_table(["身份证号码", "手机", "地区"], rows)
    assert {(f.column, f.detector) for f in findings} == {("身份证号码", d.RESIDENT_ID), ("手机", d.MOBILE)}
    if spelling in SPELLED:  # every cell, not only enough of them for the header's hint
        assert {f.count for f in findings} == {30}


def _mobile(makers: Makers, spelling: str) -> str:
    """A corpus mobile; a plain one for the second round's spellings (they spell digits, not
    the corpus's +86 and grouped forms)."""
    return makers.f.phone_number() if spelling in SPELLED else makers.mobile()


WRONG_CHECK = ID[:17] + str((int(ID[17]) + 1) % 10) if ID[17].isdigit() else ID[:17] + "0"
SPELLED_DECOYS = [
    "二〇二〇年一月二日", "二〇二四年三月十五日", "二零二零年", "2020/01/02", "2020/1/2 至 2024/12/31",
    "金额壹拾贰万叁仟肆佰伍拾陆元", "一二三四五六七八九〇一",       # no such mobile block (123)
    WRONG_CHECK.translate(_CN), "/".join(WRONG_CHECK), "\u202e" + WRONG_CHECK[::-1] + "\u202c",
    "1/2/3/4/5/6/7/8/9/0/1", "12,345,678,901", "13,800,138,000",  # amounts with thousands
    "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11", "第一、二、三、四、五、六、七、八、九、十条",
    "2020\n2021\n2022\n2023", "Hello lol, IOl0O1 lOl", "\u202e文本\u202c",
    "(1)(2)(3)(4)(5)(6)(7)(8)(9)(0)(1)",
    # third round: dates, extensions, times, versions, page ranges, amounts, Markdown, CN dates
    "2020\u201301\u201302", "2020\u201301\u201302 \u2013 2024\u201312\u201331", "020\u20138345\u20136789 转 801",
    "(020) 8345 6789 ext. 1234", "0755-8888-1234 分机 5678", "12:30:45", "08:00:00\u201318:30:00",
    "1.2.3", "v10.2.13.4.5.6", "第 12\u201334 页", "pp. 112\u2013134, 135\u2013198", "13·800·138·000",
    "¥12·345·678·901", "金额 1·380·013·800 元", "| 序号 | 数量 |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |",
    "- 1\n- 2\n- 3\n- 4\n- 5\n- 6", "**2020** 年共 **1380** 件，`0013` 号", "1. 一\n2. 二\n3. 三",
    "二〇二〇 〇一 〇二", "二〇二〇年 一二月 三一日", "二〇二〇 一二 三一 至 二〇二一 〇一 〇一",
    WRONG_CHECK[:6] + "\u2013" + WRONG_CHECK[6:14] + "\u2013" + WRONG_CHECK[14:],
]


@pytest.mark.parametrize("value", SPELLED_DECOYS)
def test_spelled_decoys_stay_unflagged(value: str) -> None:
    assert d.classify(value) is None
    assert d.detectors_in_text(f"说明 {value} 结束") == set()


def test_a_column_of_spelled_decoys_is_not_personal() -> None:
    rows = [[v, f"{2000 + i}/0{1 + i % 9}/1{i % 10}", "二〇二" + "〇一二三四五六七八九"[i % 10] + "年"]
            for i, v in enumerate(SPELLED_DECOYS)]
    findings, _n = scan_table(["备注", "日期", "年度"], rows)
    assert findings == []


def test_a_reversed_number_beside_a_lone_surrogate_is_found() -> None:
    """python-bidi takes UTF-8 only: a lone surrogate must not make the folding raise."""
    assert d.detectors_in_text("备注 " + SPELLINGS["rlo_reversed"](ID) + " \ud800") == {d.RESIDENT_ID}


def test_the_masked_sample_of_a_spelled_number_is_masked() -> None:
    assert d.mask_text(f"证件：{SPELLINGS['chinese_numerals'](ID)}") == "证件:" + ID[:3] + "*" * 11 + ID[-4:]


@pytest.mark.parametrize("value", [
    "\u200b".join("91440101MA5CXXXX1X"),       # 统一社会信用代码
    "\u200b".join("202403150000012345"),       # an order number (wrong check character)
    "2024.03.15", "\u200b".join("20240315"),  # dates
    "020.8345.6789", "\u2060".join("02083456789"),  # an office landline, a contact point
    "١٢٣٤٥",                                       # a service number in Arabic-Indic digits
    "113.2643851",                                  # a coordinate
    "150000000.00", "13800138.000",                 # amounts: one dot is a decimal point
])
def test_disguised_decoys_stay_unflagged(value: str) -> None:
    assert d.classify(value) is None
    assert d.detectors_in_text(f"说明 {value} 结束") == set()


# --- through CKAN -----------------------------------------------------------------------------
CSV_SPELLINGS = ["zero_width_space", "soft_hyphen", "word_joiner", "arabic_indic_digits", "dotted_digits",
                 *sorted(SPELLED)]


@pytest.mark.usefixtures("worker")
def test_a_public_csv_of_disguised_ids_is_held() -> None:
    """Through the load job, every spelling: one upload with a pair of columns (ID numbers,
    mobiles) per spelling, so one worker run reads them all (one upload per spelling took 10 s
    each of CI); each pair is found, every cell of the spelled ones, and the dataset held."""
    makers = Makers(11)
    header = [f"{name}（{spelling}）" for spelling in CSV_SPELLINGS for name in ("身份证号码", "手机号码")]
    rows = [[cell for spelling in CSV_SPELLINGS
             for cell in (SPELLINGS[spelling](makers.id18()), SPELLINGS[spelling](_mobile(makers, spelling)))]
            for _ in range(30)]
    org = make_org("city")
    pkg = create(org["id"], resources=[{"upload": upload("people.csv", csv_bytes(header, rows)),
                                        "url": "people.csv", "name": "名单", "format": "CSV"}])
    row = wait_scan(pkg["id"], pkg["resources"][0]["id"])
    assert row["state"] == "findings", row
    found = {(f["column"], f["detector"]): f["count"] for f in row["findings"]}
    for spelling in CSV_SPELLINGS:
        for name, kind in (("身份证号码", d.RESIDENT_ID), ("手机号码", d.MOBILE)):
            count = found.get((f"{name}（{spelling}）", kind))
            assert count, (spelling, name, sorted(found))
            if spelling in SPELLED:  # every cell of the column
                assert count == 30, (spelling, name, count)
    assert show(pkg["id"])["private"] is True


@pytest.mark.usefixtures("gd")
@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_disguised_values_in_the_description_hold_the_dataset(spelling: str) -> None:
    org = make_org("city")
    pkg = create(org["id"], notes=f"联系人身份证 {SPELLINGS[spelling](ID)}")
    assert show(pkg["id"])["private"] is True
    state = tk.get_action("guangdong_safety_status")(as_user(None), {"id": pkg["id"]})
    assert "metadata" in state["holds"]
    assert ("notes", d.RESIDENT_ID) in {(f["column"], f["detector"]) for f in state["metadata"]["findings"]}


@pytest.fixture(scope="module")
def table(gd_plugins: None) -> dict[str, Any]:
    return editor_table()


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
@pytest.mark.parametrize("value", [ID, MOBILE])
def test_an_editors_upsert_of_disguised_values_is_refused(table: dict[str, Any], spelling: str, value: str) -> None:
    with pytest.raises(tk.ValidationError) as refused:
        tk.get_action("datastore_upsert")(as_user(table["editor"]), {
            "resource_id": table["rid"], "force": True, "method": "insert",
            "records": [{"城市": "广州市", "代码": SPELLINGS[spelling](value)}]})
    assert "代码" in str(refused.value.error_dict["records"])
    assert tk.get_action("datastore_search")(site_context(), {"resource_id": table["rid"]})["total"] == 0


# --- third round: the other paths the attack trial used (text uploads, resource view titles) ---
@pytest.mark.usefixtures("worker")
@pytest.mark.parametrize("spelling", sorted(THIRD))
def test_a_text_upload_with_a_third_round_spelling_is_held(spelling: str) -> None:
    spell = THIRD[spelling]
    text = f"办理情况说明\n经办人证件 {spell(ID)}，电话 {spell(MOBILE)}。\n"
    org = make_org("city")
    pkg = create(org["id"], resources=[{"upload": upload("notes.txt", text.encode()), "url": "notes.txt",
                                        "name": "说明", "format": "TXT"}])
    row = wait_scan(pkg["id"], pkg["resources"][0]["id"], loaded=False)
    assert row["state"] == "findings", row
    assert {f["detector"] for f in row["findings"]} >= {d.RESIDENT_ID, d.MOBILE}
    # held in the same commit as the findings (gate.hold): at once, not after a while
    assert show(pkg["id"])["private"] is True
    assert not anonymous_sees(pkg["id"])
    found = tk.get_action("package_search")({"user": "", "ignore_auth": False}, {"q": f'name:"{pkg["name"]}"'})
    assert found["count"] == 0


@pytest.mark.parametrize("spelling", sorted(THIRD))
def test_a_view_titled_with_a_third_round_spelling_is_refused(table: dict[str, Any], spelling: str) -> None:
    with pytest.raises(tk.ValidationError) as refused:
        tk.get_action("resource_view_create")(as_user(table["editor"]), {
            "resource_id": table["rid"], "view_type": "datatables_view", "title": f"名单 {THIRD[spelling](MOBILE)}"})
    assert "title" in refused.value.error_dict


# --- fourth round: glued numbers, cards and first-generation IDs, decoys in the same spelling ---
ORDER18 = "202403150000012345"      # an order number: no region, fails the check
ORDER19 = "3396217232166848475"     # 19 digits: no card (Luhn), no ID number inside
CREDIT = "91440101MA5CXXXX1X"       # 统一社会信用代码
CARD = "6222021234567894"           # UnionPay, Luhn-valid
BAD_CARD = "6281741040901610"       # the same shape failing Luhn
ID15 = "440106850319867"            # first generation: region, 1985-03-19, sequence
BAD_ID15 = "440106851319867"        # month 13

FOURTH_DECOYS = [WRONG_CHECK, ORDER18, ORDER19, CREDIT, BAD_CARD, BAD_ID15, "20240315", "02083456789"]


@pytest.mark.parametrize("spelling", sorted(FOURTH))
@pytest.mark.parametrize("value", FOURTH_DECOYS)
def test_fourth_round_decoys_in_the_same_spelling_stay_unflagged(spelling: str, value: str) -> None:
    spelled = FOURTH[spelling](value)
    assert d.classify(spelled) is None
    assert d.detectors_in_text(f"订单 {spelled} 已办结") == set()


@pytest.mark.parametrize("value", [
    "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11", "2020 / 1 / 2", "2020/01/02 / 2021/01/02", "1_2_3_4_5",
    "13,800,138,000", "13 , 800 , 138 , 000", "12, 345, 678, 901",   # amounts with thousands
    "13/80/01/38/00/0", "1380,013,8000,12", "2024_03_15_138",         # short groups, too long
    "第12<sup>注</sup>页", "139<i>x</i>1234567", "2024<b>年</b>0315<b>号</b>000001",
    WRONG_CHECK[:6] + "<i>x</i>" + WRONG_CHECK[6:],
    "**2020**\n**2021**\n**2022**\n**2023**",
    "4519\n9619\n8391\n4549", "**4519**\n**9619**\n**8391**\n**4549**",  # lines passing Luhn
    " / ".join("4519961983914549"), ", ".join("4519961983914549"),          # a list of digits
    "/".join(ID15), "\n".join([ID15[:6], ID15[6:12], ID15[12:]]), ", ".join(ID15),
])
def test_fourth_round_lists_amounts_and_markup_stay_unflagged(value: str) -> None:
    assert d.classify(value) is None
    assert d.detectors_in_text(f"说明 {value} 结束") == set()


# An ID number glued to digits or Chinese numerals on either side (a mobile is not looked for
# inside a longer run: 16-75 % of order numbers and timestamps hold a mobile-shaped window)
GLUED: dict[str, Callable[[str], str]] = {
    "digit_before": lambda v: "1" + v,
    "digit_before_letter_after": lambda v: f"1{v}x" if v[-1].isdigit() else "1" + v,
    "two_digits_before": lambda v: "20" + v,
    "digit_after": lambda v: v + "7" if v[-1].isdigit() else "7" + v,
    "chinese_numerals_glued": lambda v: ("1" + v).translate(_CN),
    "chinese_numeral_before_digits": lambda v: "一" + v,
    "glued_in_slash_groups": lambda v: _grouped("1" + v[:-1], "/") + v[-1],
}
GLUED_DECOYS = [WRONG_CHECK, ORDER18, ORDER19[:18], "2024031513800138000", "1733059200000" + "000000"]


@pytest.mark.parametrize("spelling", sorted(GLUED))
@pytest.mark.parametrize("value", [ID, ID_X])
def test_an_id_number_glued_to_digits_is_found(spelling: str, value: str) -> None:
    glued = GLUED[spelling](value)
    assert d.classify(glued) == d.RESIDENT_ID
    assert d.detectors_in_text(f"经办人证件：{glued}，请核对") == {d.RESIDENT_ID}


@pytest.mark.parametrize("spelling", sorted(GLUED))
@pytest.mark.parametrize("value", GLUED_DECOYS)
def test_glued_decoys_stay_unflagged(spelling: str, value: str) -> None:
    glued = GLUED[spelling](value)
    assert d.classify(glued) is None
    assert d.detectors_in_text(f"订单 {glued} 已办结") == set()


def test_a_glued_chance_pass_in_an_order_number_column_is_no_evidence() -> None:
    """1 in about 30,000 order numbers holds a valid ID number beside a digit: alone in a column
    of 500 it must not flag it (no strong evidence), while a column of glued IDs is found."""
    makers = Makers(3)
    orders = [[makers.order_number()] for _ in range(499)] + [["1" + ID]]
    assert scan_table(["订单编号"], orders)[0] == []
    glued = [["1" + makers.id18()] for _ in range(30)]
    assert {f.detector for f in scan_table(["证件号码"], glued)[0]} == {d.RESIDENT_ID}


# one piece or groups on one line: not a separator between every digit nor across lines (a list
# of digits or of numbers on consecutive lines passes Luhn one time in ten: decoys above)
CARD_SPELLINGS = ["chinese_numerals", "capital_numerals", "o_and_l_for_0_and_1", "middle_dot_groups",
                  "tab_groups", "chinese_numeral_groups",
                  *sorted(k for k in FOURTH if "between_digits" not in k and "across_lines" not in k)]


@pytest.mark.parametrize("spelling", CARD_SPELLINGS)
@pytest.mark.parametrize(("value", "kind"), [(CARD, d.BANK_CARD), (ID15, d.RESIDENT_ID)])
def test_a_card_or_first_generation_id_in_a_spelling_is_found(spelling: str, value: str, kind: str) -> None:
    spelled = SPELLINGS[spelling](value)
    assert d.classify(spelled) == kind
    assert d.detectors_in_text(f"账户 {spelled} 请核对") == {kind}


@pytest.mark.parametrize("spelling", CARD_SPELLINGS)
@pytest.mark.parametrize("value", [BAD_CARD, BAD_ID15, ORDER18, ORDER19, "4519961983914540"])
def test_card_and_first_generation_decoys_in_a_spelling_stay_unflagged(spelling: str, value: str) -> None:
    spelled = SPELLINGS[spelling](value)
    assert d.classify(spelled) is None
    assert d.detectors_in_text(f"订单 {spelled} 已办结") == set()


@pytest.mark.usefixtures("gd")
@pytest.mark.parametrize("spelling", sorted(GLUED))
def test_a_glued_id_in_the_description_holds_the_dataset(spelling: str) -> None:
    org = make_org("city")
    pkg = create(org["id"], notes=f"联系人身份证 {GLUED[spelling](ID)}")
    assert show(pkg["id"])["private"] is True


@pytest.mark.parametrize("spelling", ["chinese_numerals", "slash_groups", "html_element_with_text"])
def test_an_editors_upsert_of_a_spelled_card_is_refused(table: dict[str, Any], spelling: str) -> None:
    with pytest.raises(tk.ValidationError):
        tk.get_action("datastore_upsert")(as_user(table["editor"]), {
            "resource_id": table["rid"], "force": True, "method": "insert",
            "records": [{"城市": "广州市", "代码": SPELLINGS[spelling](CARD)}]})
