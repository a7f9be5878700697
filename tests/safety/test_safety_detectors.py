"""Every detector's positives and decoys, masking, headers, and the column verdicts measured on
a generated labelled corpus (a smaller one than bench/safety.py's; same generator)."""
from __future__ import annotations

import pytest
import safety_corpus
import safety_eval
from safety_corpus import Makers

from ckanext.guangdong.safety import detectors as d
from ckanext.guangdong.safety.scanner import TableScan, scan_table, scan_text_fields

M = Makers(2024)
ID18 = M.id18()


def with_check(first17: str) -> str:
    return first17 + d.id_check_character(first17)


@pytest.mark.parametrize("value, kind", [
    (ID18, d.RESIDENT_ID),
    (with_check("44010619491001003"), d.RESIDENT_ID),           # born 1949
    (with_check("11010520000229123"), d.RESIDENT_ID),           # 29 February of a leap year
    (with_check("11010520000229123").translate(str.maketrans("0123456789", "０１２３４５６７８９")),
     d.RESIDENT_ID),  # full-width digits
    (with_check("81000019800101123"), d.RESIDENT_ID),           # 港澳居民居住证 (81)
    ("440106491001003", d.RESIDENT_ID),                         # 15 digits, born 1949-10-01
    ("13800138000", d.MOBILE), ("+86 138-0013-8000", d.MOBILE), ("0086 19912345678", d.MOBILE),
    ("16612345678", d.MOBILE), ("145 1234 5678", d.MOBILE),
    ("6222021234567890128", d.BANK_CARD), ("4111 1111 1111 1111", d.BANK_CARD),
    ("5555555555554444", d.BANK_CARD), ("2221000000000009", d.BANK_CARD),
    ("E12345678", d.PASSPORT), ("EA1234567", d.PASSPORT), ("G12345678", d.PASSPORT),
    ("D1234567", d.PASSPORT),
    ("C12345678", d.TRAVEL_PERMIT), ("CA1234567", d.TRAVEL_PERMIT), ("H1234567890", d.TRAVEL_PERMIT),
    ("M12345678", d.TRAVEL_PERMIT), ("L12345678", d.TRAVEL_PERMIT), ("W12345678", d.TRAVEL_PERMIT),
    ("zhang.san@qq.com", d.EMAIL), ("li_si+1@163.com", d.EMAIL),
    ("粤A12345", d.PLATE), ("粤B·D12345", d.PLATE), ("粤BD12345", d.PLATE), ("京A12345F", d.PLATE),
    ("粤A1234学", d.PLATE), ("湘H-37887", d.PLATE),
])
def test_positives(value: str, kind: str) -> None:
    assert d.classify(value) == kind


@pytest.mark.parametrize("value, why", [
    (with_check("99010519900101123"), "no such province"),
    (with_check("44010519901301123"), "month 13"),
    (with_check("11010519000229123"), "29 February 1900 (not a leap year)"),
    (with_check("44010521000101123"), "born in the future"),
])
def test_id_decoys(value: str, why: str) -> None:
    """Not ID numbers (18 digits may still be a Luhn-valid card number: a card, not an ID)."""
    assert d.classify(value) != d.RESIDENT_ID, why


@pytest.mark.parametrize("value, why", [
    ("91440101MA5CXXXX1X", "统一社会信用代码 with letters"),
    ("11440000006940081X", "an all-digit 统一社会信用代码: its 'birth date' is an organisation code"),
    (ID18[:-1] + ("0" if ID18[-1] != "0" else "1"), "18 digits with a wrong check character"),
    (ID18[:-1] + ("X" if ID18[-1] != "X" else "1"), "a wrong X check character"),
    ("440106491301003", "15 digits with month 13"),
    ("202403150000123456", "an order number (date first)"),
    ("12345678", "an 8-digit invoice number"), ("044001900111", "a 12-digit invoice code"),
    ("24442000000123456789", "a 20-digit 全电发票 number"),
    ("2024-03-15", "a date"), ("20240315", "a date without separators"), ("2024年3月15日", "a Chinese date"),
    ("020-12345678", "an office landline with its area code"), ("(0755)82345678", "an office landline"),
    ("12345", "the government hotline"), ("95588", "a bank's service number"),
    ("400-820-8820", "a 400 service number"),
    ("10012345678", "100 is not a mobile block"), ("15412345678", "154 is not allocated"),
    ("6222021234567890127", "a card number with a wrong Luhn digit"),
    ("1234567890123452", "Luhn-valid but no card issuer starts with 1"),
    ("opendata@gd.gov.cn", "a government contact address"), ("bgs@gz.gov.cn", "a government contact address"),
    ("E1234567", "too short for a passport"), ("I12345678", "no such document letter"),
    ("粤I12345", "GA 36 never issues I"), ("440103", "a region code"), ("1,234,567.89", "an amount"),
    ("GD2024031500123", "a work order number"),
])
def test_decoys(value: str, why: str) -> None:
    assert d.classify(value) is None, why


def test_landlines_are_flagged_when_the_rule_says_so() -> None:
    strict = d.Options(landlines_are_contact_points=False)
    assert d.classify("020-83456789", strict) == d.LANDLINE
    assert d.classify("075582345678", strict) == d.LANDLINE
    assert d.classify("12345", strict) is None and d.classify("400-820-8820", strict) is None


def test_contact_domains_are_configurable() -> None:
    assert d.classify("someone@company.com.cn") == d.EMAIL
    assert d.classify("someone@company.com.cn", d.Options(contact_domains=("company.com.cn",))) is None


def test_names_and_addresses_only_under_their_headers() -> None:
    rows = [[M.name(), M.address(), M.name()] for _ in range(30)]
    findings, _n = scan_table(["姓名", "家庭住址", "备注"], rows)
    kinds = {(f.column, f.detector) for f in findings}
    assert kinds == {("姓名", d.PERSON_NAME), ("家庭住址", d.ADDRESS)}  # 备注 holds names, unflagged
    # generalised to the district (as de-identification's truncate leaves it): no home any more
    districts = [["广东省广州市"], ["广州市天河区"], ["广东省深圳市南山区"]] * 10
    assert scan_table(["家庭住址"], districts)[0] == []


def test_a_plain_address_column_counts_only_beside_personal_data() -> None:
    offices = [["广州市天河区政务服务中心", "广州市天河区天府路1号"] for _ in range(20)]
    assert scan_table(["单位名称", "地址"], offices)[0] == []
    people = [[M.id18(), M.address()] for _ in range(20)]
    kinds = {(f.column, f.detector) for f in scan_table(["证件号码", "地址"], people)[0]}
    assert kinds == {("证件号码", d.RESIDENT_ID), ("地址", d.ADDRESS)}


def test_ids_pasted_into_a_notes_column_are_found() -> None:
    rows = [["已受理"] for _ in range(200)] + [[f"申请人身份证号{M.id18()}，已受理"] for _ in range(3)]
    findings, _n = scan_table(["备注"], rows)
    assert [(f.column, f.detector, f.count) for f in findings] == [("备注", d.RESIDENT_ID, 3)]
    # one is enough: a checksummed ID number is strong evidence (below)
    findings, _n = scan_table(["备注"], rows[:-2])
    assert [(f.column, f.detector, f.count) for f in findings] == [("备注", d.RESIDENT_ID, 1)]


def test_one_valid_id_number_or_card_in_500_rows_flags_the_column() -> None:
    """Strong evidence: a checksummed value counts whatever the column's share (the attack
    trial hid one ID number among 500 rows)."""
    rows = [["无"] for _ in range(499)] + [[M.id18()]]
    assert [(f.detector, f.count) for f in scan_table(["字段7"], rows)[0]] == [(d.RESIDENT_ID, 1)]
    card = next(c for c in (M.bank_card() for _ in range(100)) if len(c) != 18)
    rows = [[f"办件{i:04d}"] for i in range(499)] + [[card]]
    assert [(f.detector, f.count) for f in scan_table(["备注"], rows)[0]] == [(d.BANK_CARD, 1)]


def test_lookalikes_cap_the_strong_evidence() -> None:
    """Order numbers of a card's length: one in ten passes Luhn by chance; with look-alikes
    around them (same shape, failing the check) those passes are no evidence."""
    import random
    rnd = random.Random(5)
    orders = ["62" + "".join(rnd.choice("0123456789") for _ in range(15)) for _ in range(300)]
    passing = [o for o in orders if d.is_bank_card(o)]
    assert passing  # chance passes are there
    assert scan_table(["订单号"], [[o] for o in orders])[0] == []
    assert scan_table(["字段3"], [[o] for o in orders])[0] == []
    # 18-digit codes laid out as ID numbers with a wrong check character stay unflagged; one
    # with its right check character among them is a real ID (attack trial a8): no cap for IDs
    wrong = []
    while len(wrong) < 50:
        v = M.id18()
        if v[17] != "X":
            wrong.append(v[:17] + str((int(v[17]) + 1) % 10))
    rows = [[w] for w in wrong if not d.is_resident_id(w)]
    assert scan_table(["编码"], rows)[0] == []
    assert [(f.detector, f.count) for f in scan_table(["编码"], rows + [[M.id18()]])[0]] == [(d.RESIDENT_ID, 1)]
    # 统一社会信用代码 stay decoys, all-digit ones too
    uscc = [[M.credit_code()] for _ in range(300)]
    assert scan_table(["统一社会信用代码"], uscc)[0] == []


@pytest.mark.parametrize("cell", ['"+86 138 0013 8000"', "'+8613800138000", '="+8613800138000"',
                                  "(+86)138 0013 8000", "（+86）13800138000", "“+86 13800138000”",
                                  "+86 138-0013-8000"])
def test_mobiles_written_with_plus86_in_quoted_cells(cell: str) -> None:
    import csv
    import io
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL).writerows([["联系方式"]] + [[cell] for _ in range(10)])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[1] == [cell]  # the file's quoting is undone, the cell's own quotes stay
    assert [(f.detector, f.count) for f in scan_table(rows[0], rows[1:])[0]] == [(d.MOBILE, 10)]
    assert d.classify(cell) == d.MOBILE


def test_header_hint_lowers_the_share() -> None:
    rows = [[M.passport() if i % 5 == 0 else "无"] for i in range(100)]  # 20 % passports
    assert scan_table(["护照号码"], rows)[0] and not scan_table(["字段1"], rows)[0]


def test_masks_never_hold_the_value() -> None:
    assert d.mask(d.RESIDENT_ID, "44010319900101123X") == "440***********123X"
    assert d.mask(d.MOBILE, "+86 138-0013-8000") == "138****8000"
    assert d.mask(d.BANK_CARD, "6222021234567890128") == "6222***********0128"
    assert d.mask(d.EMAIL, "zhang.san@qq.com") == "z***@qq.com"
    scan = TableScan(["身份证号码"])
    scan.add_rows([[M.id18()] for _ in range(10)])
    (finding,) = scan.findings()
    assert finding.samples and all("*" in s for s in finding.samples)


def test_metadata_text_findings() -> None:
    found = scan_text_fields([("notes", f"咨询请联系张先生 13800138000，身份证 {ID18}。"),
                              ("title", "广州市各区人口"), ("notes", "办公电话 020-12345678")])
    assert {(f.column, f.detector) for f in found} == {("notes", d.MOBILE), ("notes", d.RESIDENT_ID)}
    assert all(ID18 not in s and "13800138000" not in s for f in found for s in f.samples)


def test_hostile_cells_are_not_errors() -> None:
    scan = TableScan(["a", "b"])
    scan.add_rows([["\x00" * 50, "<script>alert(1)</script>"], ["x" * 200_000, "１" * 18],
                   ["13800138000" * 1000, "@" * 100], ["", ""], ["a"]])
    assert scan.rows == 5
    scan.findings()


@pytest.fixture(scope="module")
def corpus() -> list[safety_corpus.Table]:
    # 120 columns x 200 cells (bench/safety.py runs 220 x 500)
    return safety_corpus.make_corpus(columns=120, cells=200, seed=99)


def test_corpus_goals(corpus: list[safety_corpus.Table]) -> None:
    """The issue's goal: column recall >= 0.99 at precision >= 0.98 for ID numbers, mobiles and
    bank cards; the other detectors must not fall far behind."""
    score = safety_eval.evaluate(corpus, safety_eval.ours())
    report = "\n".join(safety_eval.table_lines(score)) + f"\nfalse: {score.false_columns}\nmissed: {score.missed_columns}"
    for kind in (d.RESIDENT_ID, d.MOBILE, d.BANK_CARD):
        c = score.columns[kind]
        assert c.tp >= 5, report
        assert c.recall >= 0.99 and c.precision >= 0.98, report
    for kind in (d.PASSPORT, d.TRAVEL_PERMIT, d.EMAIL, d.PLATE, d.PERSON_NAME, d.ADDRESS):
        c = score.columns[kind]
        assert c.recall >= 0.9 and c.precision >= 0.9, report
    assert score.any_column.precision >= 0.98 and score.any_column.recall >= 0.99, report
    assert sum(len(t.columns) for t in corpus if t.name.startswith(("office", "mixed"))) == 120
    # the attack trial's files (a8) and the court, property and contact lists are scored too
    assert {"a8-lookalike2", "a8-mob40", "court", "property", "contacts", "seats"} <= {t.name for t in corpus}


def test_the_corpus_has_decoys_a_naive_rule_would_flag(corpus: list[safety_corpus.Table]) -> None:
    """Control: a detector that takes any 18-character or 11-digit value for personal data
    fails the precision goal on this corpus, so the goal above measures something."""
    def naive(table: safety_corpus.Table):  # type: ignore[no-untyped-def]
        verdicts, cells = {}, []
        for i, col in enumerate(table.columns):
            kinds = [({d.RESIDENT_ID} if len(v) == 18 else set()) for v in col.cells]
            cells.append(kinds)
            verdicts[i] = {d.RESIDENT_ID} if sum(map(bool, kinds)) > len(col.cells) / 2 else set()
        return verdicts, cells
    score = safety_eval.evaluate(corpus, naive, [d.RESIDENT_ID])
    assert score.columns[d.RESIDENT_ID].precision < 0.98


@pytest.mark.parametrize("text", [
    f"app-{ID18.lower()}-927458",            # a URL name: the ID, then a short id made of digits
    f"证件 {ID18}-1，电话 13800138000-2",       # a suffix after a hyphen
    "13800138000-13800138001",                 # two numbers joined by a hyphen
])
def test_a_number_joined_to_other_digits_by_a_hyphen_is_found(text: str) -> None:
    """A hyphen between a number and more digits made one run that no detector took (a stored
    URL name was not held when its short id happened to be all digits: 1 name in 18)."""
    assert d.detectors_in_text(text) & {d.RESIDENT_ID, d.MOBILE}


@pytest.mark.parametrize("text", ["订单 2024-0101-1234567", "2020-01-02", "13800138000.5",
                                  "020-12345678", "1234-5678-9012-3456"])
def test_hyphenated_codes_and_amounts_stay_unflagged(text: str) -> None:
    assert not d.detectors_in_text(text)


@pytest.mark.parametrize("text", [
    f"身份证 {ID18}.0", f"{ID18}.00", "联系电话 13800138000.00", "+8613800138000.0", "(15012345678.0)",
    "4.40106198503120015E17", "1.3800138E10", ",".join(["440", "106", "198", "503", "120", "015"]),
])
def test_a_number_in_a_floats_or_thousands_form_is_found(text: str) -> None:
    """A JSON float or a spreadsheet's number format shows the number whole (attack trial a9:
    13800138000.0 and 440106198503120015.0 passed every detector, in metadata, files and the
    DataStore)."""
    assert d.detectors_in_text(text) & {d.RESIDENT_ID, d.MOBILE}, text


@pytest.mark.parametrize("text", ["13800138000.5", "13,800,138,000.00", "150000000.00", "1.5E10", "2.5E3",
                                  "4.4E17", "440,106,198,503,120,016", "12345678901.0", "3.14159265358979"])
def test_amounts_and_wrong_numbers_in_those_forms_stay_unflagged(text: str) -> None:
    assert not d.detectors_in_text(text), text


def test_a_code_beside_a_hotline_is_no_split_mobile() -> None:
    """Neighbouring cells are joined only into ID numbers (a check character): 区划代码 130102
    beside 服务热线 12345 made the mobile 13010212345 and flagged both columns (bench corpus)."""
    header = ["区划代码", "服务热线"]
    rows = [["130102", "12345"] for _ in range(20)]
    assert not scan_table(header, rows)[0]


# attack trial a10 (H1, H2): spellings a spreadsheet opens, and a numeric column stores, as the number
A10_SPELLINGS = ["13800138000e0", "1380013800e1", "1380013800.0e1", "138001380.00e2", ".13800138000e11",
                 "0.13800138e11", "13800138.000e3", "138001380000000e-4", "440106198503120015e0",
                 "44010619850312001.5e1", "44010619850312001.50E1", "013800138000", "00013800138000",
                 "000440106198503120015", "00000000000013800138000"]


@pytest.mark.parametrize("text", A10_SPELLINGS + [f"电话 {s}" for s in A10_SPELLINGS[:4]] + ["身份证 440106198503120015e0"])
def test_any_exponent_form_and_leading_zeros_are_read_as_the_number(text: str) -> None:
    assert d.detectors_in_text(text) & {d.RESIDENT_ID, d.MOBILE}, text


@pytest.mark.parametrize("text", ["6.02e23", "2.5e3 吨", "1.5E10", "12345678901e0", "075583765432",
                                  "000012345678901", "0440106198503120016",
                                  "1380013800.5e0", "version 1e10"])
def test_other_exponent_forms_and_zero_padded_codes_stay_unflagged(text: str) -> None:
    assert not d.detectors_in_text(text), text


@pytest.mark.parametrize(("sent", "stored"), [
    ("013800138000", "13800138000"), (" 013800138000 ", "13800138000"), ("-013800138000", "-13800138000"),
    ("0.13800138e11", "13800138000"), ("44010619850312001.5e1", "440106198503120015"),
    ("13800138000.50", "13800138000.5"), ("1.5", "1.5"), ("NaN", None), ("abc", None), ("1e400", None),
])
def test_a_numeric_columns_value_is_read_as_postgresql_stores_it(sent: str, stored: str | None) -> None:
    assert d.plain_decimal(sent) == stored


def test_the_datastore_guard_reads_numeric_columns_as_stored() -> None:
    """The write guard's cell: a numeric, integer or float column's value as its stored number,
    a text column's as sent (a10 H1: 013800138000 into numeric was public as 13800138000)."""
    from ckanext.guangdong.safety import stored
    assert all(stored.numeric(t) for t in ("numeric", "int8", "float8", "_int8", "numeric(20,0)", "double precision"))
    assert not any(stored.numeric(t) for t in ("text", "timestamp", "json", "money", ""))
    assert stored.cell(" 013800138000 ", True) == "13800138000"
    assert stored.cell([" 013800138000 ", "1"], True) == "13800138000\n1"
    assert stored.cell(" 013800138000 ", False) == " 013800138000 "
    for value in ("000440106198503120015", "1380013800e1", "-013800138000"):
        assert d.classify(stored.cell(value, True)) in (d.RESIDENT_ID, d.MOBILE), value
