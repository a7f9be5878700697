"""De-identification (脱敏): column rules on CSV and XLSX, the action that adds the masked copy
and publishes it in one step (deidentified set, original removed), the CLI."""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import ckan.plugins.toolkit as tk
import pytest
from safety_corpus import Makers
from safety_support import anonymous_sees, as_user, create, csv_bytes, make_org, make_user, show, upload, wait_scan

from ckanext.guangdong.safety import deidentify as de
from ckanext.guangdong.safety import detectors as d

M = Makers(31)
SALT = b"test-salt"
HEADER = ["姓名", "身份证号码", "手机号码", "出生日期", "家庭住址", "银行卡号", "备注"]


def rows(n: int = 12) -> list[list[str]]:
    out = []
    for i in range(n):
        out.append([M.name(), M.id18(), M.mobile(), f"19{80 + i % 20}-0{1 + i % 9}-1{i % 10}",
                    M.address(), M.bank_card(), "正常"])
    return out


def read_csv(path: str) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_each_rule(tmp_path: Path) -> None:
    data = rows()
    data.append(list(data[0]))  # a repeated person: the hash must repeat
    src = tmp_path / "in.csv"
    src.write_bytes(csv_bytes(HEADER, data))
    out = tmp_path / "out.csv"
    result = de.deidentify_file(str(src), "CSV", str(out), {
        "身份证号码": "hash", "出生日期": "year", "银行卡号": "drop", "备注": "keep"}, SALT)
    assert result["rules"] == {"姓名": "mask", "身份证号码": "hash", "手机号码": "mask", "出生日期": "year",
                               "家庭住址": "truncate", "银行卡号": "drop", "备注": "keep"}
    got = read_csv(str(out))
    assert got[0] == ["姓名", "身份证号码", "手机号码", "出生日期", "家庭住址", "备注"]
    body = got[1:]
    assert len(body) == len(data) and result["rows"] == len(data)
    for before, after in zip(data, body, strict=False):
        assert after[0] == before[0][0] + "*" * (len(before[0]) - 1)
        assert len(after[1]) == 16 and after[1] != before[1] and before[1] not in "".join(after)
        digits = before[2].replace("+86", "").replace(" ", "").replace("-", "")
        assert after[2] == digits[:3] + "****" + digits[-4:]
        assert after[3] == before[3][:4]
        assert after[4] and len(after[4]) < len(before[4]) and after[4] == before[4][:len(after[4])]
        assert after[5] == "正常"
    assert body[0][1] == body[-1][1]  # equal values stay equal: a join key
    assert de.keyed_hash(data[0][1], b"other") != body[0][1]  # the salt matters
    # nothing personal is left for the scanner
    from ckanext.guangdong.safety.scanner import scan_table
    assert scan_table(got[0], body)[0] == []


def test_month_truncate_and_mask_details() -> None:
    assert de.generalise("2024年3月5日", "month") == "2024-03"
    assert de.generalise("2024-03-05 14:30", "year") == "2024"
    assert de.generalise("440103199001011236", "month") == "1990-01"  # an ID number's birth date
    assert de.generalise("44010319900101123X", "month") == "1990-01"  # mistyped (check character)
    assert de.generalise("440103900101123", "year") == "1990"  # the old 15-digit form
    assert de.generalise("99010319900101123X", "month") == "*"  # no province 99: not an ID number
    assert de.generalise("不详", "year") == "*"
    assert de.truncate("44010319900101123X", d.RESIDENT_ID) == "440103"
    assert de.truncate("zhang.san@qq.com", d.EMAIL) == "@qq.com"
    assert de.truncate("广东省广州市天河区天府路1号", d.ADDRESS) == "广东省广州市"
    assert de.mask("6222021234567890128", d.BANK_CARD) == "6222***********0128"


def test_xlsx_in_xlsx_out(tmp_path: Path) -> None:
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2024年办理名单"])  # a title row above the header
    sheet.append(HEADER)
    data = rows(5)
    for r in data:
        sheet.append(r)
    src = tmp_path / "in.xlsx"
    book.save(src)
    out = tmp_path / "out.xlsx"
    result = de.deidentify_file(str(src), "XLSX", str(out), {}, SALT)
    assert result["kind"] == "xlsx"
    got = list(openpyxl.load_workbook(out, read_only=True).active.iter_rows(values_only=True))
    assert list(got[0]) == HEADER and len(got) == 6
    assert all(data[i][1] not in [str(c) for c in got[i + 1]] for i in range(5))


@pytest.mark.parametrize("rules, expected", [
    ({"没有这一列": "mask"}, "没有名为"),
    ({"姓名": "encrypt"}, "mask"),
    ("not json", "JSON"),
    (["姓名"], "对象"),
])
def test_bad_rules(tmp_path: Path, rules, expected: str) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(csv_bytes(HEADER, rows(2)))
    with pytest.raises(de.BadRules) as e:
        de.deidentify_file(str(src), "CSV", str(tmp_path / "o.csv"), rules, SALT)
    assert expected in " ".join(zh for zh, _en in e.value.problems)


@pytest.mark.usefixtures("worker")
@pytest.mark.ckan_config("ckanext.guangdong.safety.scan_before_public", "true")
def test_publish_the_masked_copy_in_one_step() -> None:
    editor = make_user()
    org = make_org("city", users=[{"name": editor["name"], "capacity": "editor"}])
    pkg = create(org["id"], user=editor, resources=[{
        "upload": upload("people.csv", csv_bytes(HEADER, rows())), "url": "people.csv",
        "name": "办理名单", "format": "CSV"}])
    res = pkg["resources"][0]
    assert wait_scan(pkg["id"], res["id"])["state"] == "findings"
    stranger = make_user()
    with pytest.raises(tk.NotAuthorized):
        tk.get_action("guangdong_safety_deidentify")(as_user(stranger), {"resource_id": res["id"]})
    with pytest.raises(tk.ValidationError):
        tk.get_action("guangdong_safety_deidentify")(as_user(editor), {
            "resource_id": res["id"], "rules": {"不存在": "mask"}})
    result = tk.get_action("guangdong_safety_deidentify")(as_user(editor), {
        "resource_id": res["id"], "rules": {"身份证号码": "hash"}, "publish": "true"})
    assert result["findings"] == [] and result["rules"]["身份证号码"] == "hash"
    after = show(pkg["id"])
    assert [r["id"] for r in after["resources"]] == [result["resource"]["id"]]
    assert after["deidentified"] == "true" and after["private"] is False and anonymous_sees(pkg["id"])
    # the job scans the copy too, and finds nothing
    assert wait_scan(pkg["id"], result["resource"]["id"])["state"] == "clean"
    assert show(pkg["id"])["private"] is False


def test_cli_on_a_local_file(tmp_path: Path, request) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(csv_bytes(HEADER, rows(3)))
    out = tmp_path / "out.csv"
    ckan = str(Path(sys.executable).parent / "ckan")
    done = subprocess.run([ckan, "-c", request.config.getoption("ckan_ini"), "guangdong", "deidentify",
                           "--file", str(src), "--output", str(out), "--rule", "身份证号码=hash",
                           "--rule", "备注=drop"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    got = read_csv(str(out))
    assert "备注" not in got[0] and len(got) == 4
    assert "身份证号码=hash" in done.stdout or "hash" in done.stdout
    bad = subprocess.run([ckan, "-c", request.config.getoption("ckan_ini"), "guangdong", "deidentify",
                          "--file", str(src), "--output", str(out), "--rule", "姓名"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr


def test_rules_nested_too_deeply_are_bad_rules() -> None:
    with pytest.raises(de.BadRules):
        de.check_rules("[" * 3000 + "]" * 3000, ["姓名"])


def test_a_number_split_across_columns_is_left_out_of_the_copy(tmp_path: Path) -> None:
    """An ID number split across two columns (4401061985 | 03198672) was a finding named
    "证件号前段 + 证件号后段": the form posted a rule for that name, which is no column ("没有名为…
    的列"), and the copy by default kept both parts. Each part now has its rule, drop suggested."""
    from ckanext.guangdong.safety.scanner import scan_table
    header = ["序号", "证件号前段", "证件号后段", "备注"]
    data = [[str(i), (n := M.id18())[:10], n[10:], "正常"] for i in range(12)]
    found, _rows = scan_table(header, data)
    split = [f for f in found if f.detector == d.RESIDENT_ID]
    assert split and split[0].columns == ("证件号前段", "证件号后段")
    src = tmp_path / "split.csv"
    src.write_bytes(csv_bytes(header, data))
    out = tmp_path / "copy.csv"
    result = de.deidentify_file(str(src), "CSV", str(out), {}, SALT)
    assert result["rules"] == {"序号": "keep", "证件号前段": "drop", "证件号后段": "drop", "备注": "keep"}
    got = read_csv(str(out))
    assert got[0] == ["序号", "备注"] and scan_table(got[0], got[1:])[0] == []
    # the rules the page's form posts: one per part column
    result = de.deidentify_file(str(src), "CSV", str(out), {"证件号前段": "hash", "证件号后段": "drop"}, SALT)
    assert result["rules"]["证件号前段"] == "hash"
