"""Column verdicts by counts, not by a share of all cells (issue 14, attack trial a8, H2/H3).

The attack trial published real values that a share rule let through: 4 mobiles among 10 cells
of a column named 字段3 (mob40.csv); 2 valid ID numbers among 7 with a wrong check character
in each of 4 columns (lookalike2.csv: the look-alike cap cancelled "one checksummed ID is
enough"); names and homes under 被执行人 + 地址 and 业主 + 房屋坐落 (exec2.csv, owner.csv); and
the same values written by datastore_upsert in small batches. The files are built here as the
attacker's mk.py built them; the decoys (wrong check characters only, 11-digit serial numbers,
order numbers, office addresses beside a contact person, 机构名称) stay unflagged."""
from __future__ import annotations

import random
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from safety_corpus import Makers
from safety_support import (
    anonymous_sees,
    api_token,
    as_user,
    create,
    csv_bytes,
    make_org,
    make_user,
    show,
    site_context,
    upload,
    valid_id,
    wait_scan,
)

from ckanext.guangdong.safety import detectors as d
from ckanext.guangdong.safety.scanner import scan_table

M = Makers(8)
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨敏", "黄磊", "赵强"]
HOMES = ["广东省广州市天河区体育西路101号1202室", "广东省深圳市福田区深南大道2001号3栋",
         "广东省东莞市南城街道莞太路88号", "广东省汕头市龙湖区长平路9号501室", "广东省佛山市禅城区祖庙路12号",
         "广东省珠海市香洲区凤凰路3号", "广东省惠州市惠城区江北街道8号", "广东省中山市石岐区民族路66号"]


def wrong_check(first17: str) -> str:
    right = d.id_check_character(first17)
    return first17 + next(c for c in "0123456789X" if c != right)


def lookalike2() -> tuple[list[str], list[list[str]]]:
    """lookalike2.csv: 4 columns of 9 numbers 440106198503121xxx, 2 of each with their right
    check character, 7 with a wrong one."""
    seqs = iter(range(100, 1000, 3))
    columns = []
    for _ in range(4):
        cells = [valid_id(f"44010619850312{next(seqs)}") for _ in range(2)]
        cells += [wrong_check(f"44010619850312{next(seqs)}") for _ in range(7)]
        columns.append(cells)
    rows = [[str(i + 1)] + [c[i] for c in columns] for i in range(9)]
    return ["序号", "编码A", "编码B", "编码C", "编码D"], rows


MOB40 = (["序号", "字段3", "金额"],
         [[str(i + 1), v, str(100 + i)] for i, v in enumerate(
             ["13800138000", "13912345678", "15012345678", "18688889999", "深圳", "珠海", "广州", "东莞", "广州", "佛山"])])
EXEC2 = (["序号", "被执行人", "地址", "执行标的(元)"],
         [[str(i + 1), n, h, str(10000 * (i + 1))] for i, (n, h) in enumerate(zip(NAMES, HOMES, strict=True))])
OWNER = (["序号", "业主", "房屋坐落"], [[str(i + 1), n, h] for i, (n, h) in enumerate(zip(NAMES, HOMES, strict=True))])


def kinds(header: list[str], rows: list[list[str]]) -> set[tuple[str, str]]:
    return {(f.column, f.detector) for f in scan_table(header, rows)[0]}


# --- the column verdict ---------------------------------------------------------------------------
def test_mobiles_among_words_flag_the_column() -> None:
    assert kinds(*MOB40) == {("字段3", d.MOBILE)}


def test_two_valid_ids_among_lookalikes_flag_every_column() -> None:
    header, rows = lookalike2()
    assert kinds(header, rows) == {(c, d.RESIDENT_ID) for c in header[1:]}
    found = {f.column: f.count for f in scan_table(header, rows)[0]}
    assert set(found.values()) == {2}  # the 7 look-alikes are not counted


def test_one_valid_id_among_many_lookalikes_flags_the_column() -> None:
    rnd = random.Random(3)
    wrong = [wrong_check(M.id18()[:17]) for _ in range(rnd.randint(40, 60))]
    assert kinds(["编码"], [[w] for w in wrong]) == set()  # wrong check characters only: decoys
    assert kinds(["编码"], [[w] for w in wrong] + [[M.id18()]]) == {("编码", d.RESIDENT_ID)}


@pytest.mark.parametrize("data", [EXEC2, OWNER], ids=["exec2", "owner"])
def test_court_and_property_lists_hold_names_and_homes(data: tuple[list[str], list[list[str]]]) -> None:
    header, rows = data
    assert kinds(header, rows) == {(header[1], d.PERSON_NAME), (header[2], d.ADDRESS)}


@pytest.mark.parametrize("name_header", ["被执行人", "当事人", "业主", "户主", "权利人", "申请人", "产权人", "承租人"])
@pytest.mark.parametrize("home_header", ["地址", "房屋坐落", "坐落", "住所", "居住地", "户籍地"])
def test_name_and_home_headers(name_header: str, home_header: str) -> None:
    rows = [[M.name(), M.address()] for _ in range(20)]
    assert kinds([name_header, home_header], rows) == {(name_header, d.PERSON_NAME), (home_header, d.ADDRESS)}


def test_office_addresses_and_organisations_stay_unflagged() -> None:
    """单位地址 and 办公地址 are an office's even beside a contact person; an organisation's
    住所 or 坐落 with no person beside it is its seat; 机构名称 and 被执行人名称 of companies are
    no person names."""
    rows = [[M.name(), M.office_address(), M.office_address(), M.company()] for _ in range(20)]
    assert kinds(["联系人", "单位地址", "办公地址", "机构名称"], rows) == {("联系人", d.PERSON_NAME)}
    seats = [[M.company(), M.office_address(), M.office_address()] for _ in range(20)]
    assert kinds(["机构名称", "住所", "坐落"], seats) == set()
    assert kinds(["被执行人", "地址"], [[M.company(), M.office_address()] for _ in range(20)]) == set()


def test_number_decoys_stay_unflagged() -> None:
    rnd = random.Random(9)
    serials = [[str(rnd.randint(10**10, 10**11 - 1))] for _ in range(500)]  # ~6 % in a mobile block
    assert any(d.is_mobile(s[0]) for s in serials)
    assert kinds(["档案编号"], serials) == set()
    assert kinds(["统一社会信用代码"], [[M.credit_code()] for _ in range(200)]) == set()
    assert kinds(["办结日期"], [[M.date()] for _ in range(200)]) == set()
    assert kinds(["办公电话"], [[M.landline()] for _ in range(200)]) == set()
    assert kinds(["订单号"], [[M.order_number()] for _ in range(300)]) == set()


# --- through CKAN: an editor's upload to a public dataset, an editor's DataStore writes -----------
def _editor_dataset() -> tuple[dict[str, Any], dict[str, Any]]:
    """A city editor's dataset, public after the scan of its clean CSV."""
    editor = make_user()
    org = make_org("city", users=[{"name": editor["name"], "capacity": "editor"}])
    pkg = create(org["id"], user=editor, resources=[{
        "upload": upload("pop.csv", csv_bytes(["地区", "人口"], [["广州市", "1882"], ["深圳市", "1779"]])),
        "url": "pop.csv", "name": "人口", "format": "CSV"}])
    wait_scan(pkg["id"], pkg["resources"][0]["id"])
    assert anonymous_sees(pkg["id"])
    return editor, pkg


@pytest.mark.usefixtures("worker")
@pytest.mark.parametrize("name", ["mob40", "lookalike2", "exec2", "owner"])
def test_an_editors_upload_of_the_attack_files_is_held(name: str) -> None:
    header, rows = {"mob40": MOB40, "lookalike2": lookalike2(), "exec2": EXEC2, "owner": OWNER}[name]
    editor, pkg = _editor_dataset()
    res = tk.get_action("resource_create")(as_user(editor), {
        "package_id": pkg["id"], "upload": upload(f"{name}.csv", csv_bytes(header, rows)),
        "url": f"{name}.csv", "name": name, "format": "CSV"})
    row = wait_scan(pkg["id"], res["id"])
    assert row["state"] == "findings", row
    assert show(pkg["id"])["private"] is True
    assert not anonymous_sees(pkg["id"])
    with pytest.raises((tk.NotAuthorized, tk.ObjectNotFound)):
        tk.get_action("datastore_search")({"user": "", "ignore_auth": False}, {"resource_id": res["id"]})


@pytest.fixture()
def public_table() -> dict[str, Any]:
    """A city editor's public dataset with a DataStore table (序号, 编码A, 字段3) holding clean
    rows written by the site: {"editor", "rid", "pkg"}."""
    editor = make_user()
    org = make_org("city", users=[{"name": editor["name"], "capacity": "editor"}])
    pkg = create(org["id"], user=editor, resources=[
        {"url": "http://127.0.0.1/table.csv", "name": "表", "format": "CSV"}])
    rid = pkg["resources"][0]["id"]
    tk.get_action("datastore_create")(site_context(), {
        "resource_id": rid, "force": True,
        "fields": [{"id": "序号", "type": "text"}, {"id": "编码A", "type": "text"}, {"id": "字段3", "type": "text"}],
        "records": [{"序号": str(i), "编码A": wrong_check(M.id18()[:17]), "字段3": M.city()} for i in range(6)]})
    return {"editor": editor, "rid": rid, "pkg": pkg}


def _rows(rid: str) -> int:
    return tk.get_action("datastore_search")(site_context(), {"resource_id": rid})["total"]


@pytest.mark.usefixtures("gd_plugins")
@pytest.mark.parametrize("records", [
    [{"编码A": valid_id("44030419900715500")}, {"编码A": valid_id("44030419900715501")},
     *({"编码A": wrong_check(f"4403041990071550{i}")} for i in (2, 3, 4))],
    [{"字段3": "13800138000"}, {"字段3": "深圳"}, {"字段3": "珠海"}],
], ids=["two-ids-among-lookalikes", "one-mobile-among-cities"])
def test_an_editors_small_upsert_is_refused(public_table: dict[str, Any], records: list[dict[str, str]]) -> None:
    before = _rows(public_table["rid"])
    with pytest.raises(tk.ValidationError) as refused:
        tk.get_action("datastore_upsert")(as_user(public_table["editor"]), {
            "resource_id": public_table["rid"], "force": True, "method": "insert", "records": records})
    assert next(iter(records[0])) in str(refused.value.error_dict["records"])  # the column named
    assert _rows(public_table["rid"]) == before


@pytest.mark.usefixtures("gd_plugins")
def test_a_write_is_judged_with_the_rows_the_table_has(public_table: dict[str, Any]) -> None:
    """1 mobile among 5 other 11-digit numbers is a chance share (17 %) in a batch alone; with
    the table's 3 mobiles already in that column it is not (4 of 9): refused."""
    rid, editor = public_table["rid"], public_table["editor"]
    rnd = random.Random(4)
    others = [str(rnd.randint(2 * 10**10, 9 * 10**10)) for _ in range(5)]  # never a mobile block
    batch = [{"字段3": "13800138000"}, *({"字段3": o} for o in others)]
    assert scan_table(["字段3"], [[r["字段3"]] for r in batch])[0] == []  # the batch alone: no finding
    tk.get_action("datastore_upsert")(site_context(), {
        "resource_id": rid, "force": True, "method": "insert",
        "records": [{"字段3": m} for m in ("13912345678", "15012345678", "18688889999")]})
    before = _rows(rid)
    with pytest.raises(tk.ValidationError):
        tk.get_action("datastore_upsert")(as_user(editor), {
            "resource_id": rid, "force": True, "method": "insert", "records": batch})
    assert _rows(rid) == before
    # numbers that are not mobiles are written
    tk.get_action("datastore_upsert")(as_user(editor), {
        "resource_id": rid, "force": True, "method": "insert", "records": [{"字段3": o} for o in others]})
    assert _rows(rid) == before + 5


@pytest.mark.usefixtures("gd_plugins")
def test_the_refusal_is_409_in_both_languages(public_table: dict[str, Any], gd_app: Any) -> None:
    token = api_token(public_table["editor"])
    for lang, word in (("zh-CN", "个人信息"), ("en", "personal data")):
        resp = gd_app.post("/api/3/action/datastore_upsert", status=None, json={
            "resource_id": public_table["rid"], "force": True, "method": "insert",
            "records": [{"字段3": "13800138000"}, {"字段3": "深圳"}, {"字段3": "珠海"}]},
            headers={"Authorization": token, "Accept-Language": lang})
        assert resp.status_code == 409, (lang, resp.status_code)
        assert word in str(resp.json["error"]["records"]), lang
    assert anonymous_sees(public_table["pkg"]["id"])
    found = tk.get_action("datastore_search")({"user": "", "ignore_auth": False}, {"resource_id": public_table["rid"]})
    assert "13800138000" not in str(found["records"])
