"""Masked ID numbers beside a birth-date column (issue 14, attack trial a9 N3): a column of
``440106********0015`` beside ``1985-03-12`` gives the whole number back (region + birth date +
last four), so the table is a finding named by both columns, whatever the date's spelling; a
masked ID column beside dates that do not fit (申请日期) or beside years stays clean; the
de-identified copy made by default generalises such a column to the year and passes the scan;
an editor's DataStore write of such rows is refused."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from safety_support import as_user, csv_bytes, editor_table, valid_id

from ckanext.guangdong.safety import deidentify as de
from ckanext.guangdong.safety import detectors as d
from ckanext.guangdong.safety.scanner import scan_table

# mask.csv of the trial: region, birth date and sequence of each person
PEOPLE = [("440106", "19850312", "001"), ("440304", "19900715", "123"), ("441900", "19781105", "234"),
          ("445202", "19950101", "345"), ("440103", "19620228", "071"), ("440981", "20011130", "502")]
IDS = [valid_id(r + b + s) for r, b, s in PEOPLE]
HEADER = ["序号", "身份证号", "出生日期", "性别"]


def masked(ident: str, keep_region: bool = True) -> str:
    return (ident[:6] if keep_region else "******") + "********" + ident[14:]


def spelled(birth: str, how: str) -> str:
    y, m, dd = birth[:4], birth[4:6], birth[6:]
    return {"iso": f"{y}-{m}-{dd}", "slash": f"{y}/{int(m)}/{int(dd)}", "digits": birth,
            "zh": f"{y}年{int(m)}月{int(dd)}日", "time": f"{y}-{m}-{dd} 00:00:00"}[how]


def table(dates: list[str], keep_region: bool = True, header: list[str] = HEADER) -> tuple[list[str], list[list[str]]]:
    rows = [[str(i), masked(ident, keep_region), date, "男"]
            for i, (ident, date) in enumerate(zip(IDS, dates, strict=True), 1)]
    return header, rows


@pytest.mark.parametrize("how", ["iso", "slash", "digits", "zh", "time"])
def test_masked_ids_beside_their_birth_dates_are_found(how: str) -> None:
    header, rows = table([spelled(b, how) for _r, b, _s in PEOPLE])
    findings, _n = scan_table(header, rows)
    assert [(f.column, f.detector, f.count, f.cells, f.columns) for f in findings] == [
        ("身份证号 + 出生日期", d.MASKED_ID_BIRTH, 6, 6, ("身份证号", "出生日期"))]
    assert findings[0].samples[0] == "440106********0015"  # the file's own masked text, no date
    assert findings[0].as_dict()["columns"] == ["身份证号", "出生日期"]


def test_dates_that_do_not_fit_and_years_stay_clean() -> None:
    # an application date column: real dates, but the rebuilt numbers' check fails
    applied = ["2023-03-12", "2023-07-15", "2022-11-05", "2024-01-01", "2021-02-28", "2020-11-30"]
    assert scan_table(*table(applied, header=["序号", "身份证号", "申请日期", "性别"]))[0] == []
    # the birth dates generalised to the year
    assert scan_table(*table([b[:4] for _r, b, _s in PEOPLE]))[0] == []
    # one birth date among six rows of other dates: below half
    one = [spelled(PEOPLE[0][1], "iso")] + applied[1:]
    assert scan_table(*table(one, header=["序号", "身份证号", "申请日期", "性别"]))[0] == []


def test_only_the_last_digits_left_count_beside_a_column_named_birth_date() -> None:
    # no region left: the check cannot be tried, so the header decides
    births = [spelled(b, "iso") for _r, b, _s in PEOPLE]
    found = scan_table(*table(births, keep_region=False))[0]
    assert [(f.detector, f.count) for f in found] == [(d.MASKED_ID_BIRTH, 6)]
    header = ["序号", "身份证号", "申请日期", "性别"]
    assert scan_table(*table(births, keep_region=False, header=header))[0] == []


def test_the_default_copy_generalises_birth_dates_and_passes(tmp_path: Path) -> None:
    births = [spelled(b, how) for (_r, b, _s), how in zip(PEOPLE, ["iso", "digits", "zh"] * 2, strict=True)]
    for name, ids in (("masked", None), ("full", IDS)):  # the trial's file; the same with full IDs
        header, rows = table(births)
        if ids:
            rows = [[r[0], ident, *r[2:]] for r, ident in zip(rows, ids, strict=True)]
        src, out = tmp_path / f"{name}.csv", tmp_path / f"{name}-out.csv"
        src.write_bytes(csv_bytes(header, rows))
        result = de.deidentify_file(str(src), "CSV", str(out), None, b"salt")
        assert result["rules"]["出生日期"] == "year", name
        with open(out, encoding="utf-8-sig", newline="") as f:
            got = list(csv.reader(f))
        assert [r[2] for r in got[1:]] == [b[:4] for _r, b, _s in PEOPLE], name
        assert scan_table(got[0], got[1:])[0] == [], name
    # the form offers the birth-date column the year (chosen) or leaving it out
    from ckanext.guangdong.safety.helpers import guangdong_safety_birth_columns, guangdong_safety_rules
    findings = [f.as_dict() for f in scan_table(*table(births))[0]]
    assert guangdong_safety_birth_columns({"findings": findings, "columns": HEADER}) == ["出生日期"]
    assert guangdong_safety_rules(d.MASKED_ID_BIRTH)[:2] == ["year", "drop"]


def test_a_rebuildable_negative_list_column_holds_raw_values() -> None:
    """身份证号 is a data item of the negative list: masked values there publish, unless the
    birth dates beside them give the numbers back (then no reviewer may clear it)."""
    from ckanext.guangdong.safety import gate, negative_list
    categories = negative_list.parse(negative_list.DEFAULT_FILE.read_text(encoding="utf-8"))
    births = [spelled(b, "iso") for _r, b, _s in PEOPLE]
    for where, birth_column in (("", "出生日期"), ("表2: ", "出生日期"), ("", "出生年份")):
        header, rows = table(births if birth_column == "出生日期" else [b[:4] for b in births],
                             header=["序号", "身份证号", birth_column, "性别"])
        findings = [dict(f.as_dict(), column=where + f.column) for f in scan_table(header, rows)[0]]
        row = {"state": "findings" if findings else "clean", "findings": findings,
               "columns": [where + h for h in header]}
        raw = {m.column: is_raw for m, is_raw in gate.negative_columns(row, categories)}
        assert raw == {where + "身份证号": birth_column == "出生日期"}, (where, birth_column)


@pytest.mark.usefixtures("gd_plugins")
def test_an_editors_datastore_rows_are_refused() -> None:
    t: dict[str, Any] = editor_table()
    # the table's two text columns (城市, 代码): the check character, not the header, decides
    records = [{"城市": masked(ident), "代码": spelled(b, "iso")}
               for ident, (_r, b, _s) in zip(IDS, PEOPLE, strict=True)]
    with pytest.raises(tk.ValidationError) as refused:
        tk.get_action("datastore_upsert")(as_user(t["editor"]), {
            "resource_id": t["rid"], "force": True, "method": "insert", "records": records})
    assert "城市 + 代码" in str(refused.value.error_dict["records"])
