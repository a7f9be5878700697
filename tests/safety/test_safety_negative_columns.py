"""A file column named as a negative-list data item (信息项: 身份证号 ...) is a negative-list
match of its dataset, as the same item in the metadata is (issue 14, found by a user trial: a
reviewer cleared the findings of a CSV's 身份证号 column, approved it, and the raw ID numbers
were public through datastore_search and the preview).

- the match shows in the review queue's 负面清单 column and on the safety page, with the list's
  reason and rule;
- with raw values in that column (the scan's findings) the dataset stays held: a reviewer's
  clear (and approval) is refused, over the API and through the safety page's form; only a new
  file or the de-identified copy releases it;
- a column so named whose values are masked is shown but does not hold;
- rows written straight into the DataStore under such a column with raw values are refused,
  sysadmins' too; a harvested record's file is held and listed in the harvest report.
Real worker, real uploads."""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from safety_corpus import Makers
from safety_support import (
    anonymous_sees,
    as_user,
    create,
    csv_bytes,
    dataset_dict,
    file_list_in_force,
    file_server,
    in_language,
    make_org,
    make_sysadmin,
    make_user,
    show,
    site_context,
    upload,
    wait_scan,
)

from ckanext.guangdong.safety import negative_list

pytestmark = [pytest.mark.usefixtures("worker"),
              pytest.mark.ckan_config("ckanext.guangdong.safety.scan_before_public", "true")]

M = Makers(41)
RULE_ZH, RULE_EN = "个人信息保护法》第二十八条", "Personal Information Protection Law, Article 28"


def people(n: int = 15) -> list[list[str]]:
    return [[f"{440100 + i}", M.id18(), "社保卡补办"] for i in range(n)]


def people_csv(id_header: str = "身份证号") -> bytes:
    return csv_bytes(["编号", id_header, "办理事项"], people())


def masked_csv() -> bytes:
    return csv_bytes(["编号", "身份证号", "办理事项"],
                     [[a, f"{b[:3]}***********{b[-4:]}", c] for a, b, c in people()])


def _token(user: dict[str, Any]) -> str:
    return tk.get_action("api_token_create")(site_context(), {"user": user["name"], "name": "t14"})["token"]


@pytest.fixture(scope="module", autouse=True)
def file_list(gd_plugins: None) -> None:
    file_list_in_force()


@pytest.fixture(scope="module")
def held() -> dict[str, Any]:
    """(Not changed by the tests that use it.)"""
    return held_dataset()


def held_dataset(id_header: str = "身份证号") -> dict[str, Any]:
    """A city editor's public dataset whose CSV has a 身份证号 column of raw ID numbers, once
    scanned (and loaded into the DataStore), with the organisation's admin (a reviewer)."""
    editor, admin = make_user(), make_user()
    org = make_org("city", users=[{"name": editor["name"], "capacity": "editor"},
                                  {"name": admin["name"], "capacity": "admin"}])
    pkg = create(org["id"], user=editor, resources=[{
        "upload": upload("people.csv", people_csv(id_header)), "url": "people.csv", "name": "办理名单",
        "format": "CSV"}])
    res = pkg["resources"][0]
    assert wait_scan(pkg["id"], res["id"])["state"] == "findings"
    return {"pkg": pkg, "res": res, "editor": editor, "admin": admin}


def test_file_columns_are_read_as_data_items() -> None:
    """The metadata's comparison (NFKC, no spaces, traditional as simplified), one match per
    column, the column named as the scan names it (a sheet, a file in an archive)."""
    categories = negative_list.parse(negative_list.default_text())
    found = negative_list.column_matches(categories, ["编号", "身份证 号", "表2: 公民身份号码",
                                                      "ｂａｎｋ", "銀行卡號", "备注: 说明"])
    assert [(m.column, m.value, m.category.id) for m in found] == [
        ("身份证 号", "身份证号", "sensitive-personal-information"),
        ("表2: 公民身份号码", "公民身份号码", "sensitive-personal-information"),
        ("銀行卡號", "银行卡号", "sensitive-personal-information")]
    # and the metadata's own matcher agrees on the same names
    assert negative_list.matches(categories, {"data_items": [{"name": "身份证 号"}]})[0].value == "身份证号"


def test_the_match_holds_the_dataset_and_shows_in_the_queue_and_on_the_safety_page(
        held: dict[str, Any], gd_app: Any) -> None:
    pkg, admin = held["pkg"], held["admin"]
    state = tk.get_action("guangdong_safety_status")(as_user(admin), {"id": pkg["id"]})
    assert "negative_list" in state["holds"] and state["private"] is True
    cols = [m for m in state["negative_list"] if m.get("column")]
    assert [(m["column"], m["value"], m["raw"], m["file"]) for m in cols] == [("身份证号", "身份证号", True, "办理名单")]
    assert cols[0]["rule"] == RULE_EN and "personal information may not be opened" in cols[0]["reason"]
    queue = tk.get_action("guangdong_safety_review_queue")(as_user(admin), {})
    item = next(r for r in queue["results"] if r["id"] == pkg["id"])
    assert any(m.get("column") == "身份证号" for m in item["negative_list"])
    headers = {"Authorization": _token(admin)}
    page = gd_app.get("/review", headers=headers).get_data(as_text=True)
    row = next(r for r in page.split("<tr>") if pkg["name"] in r)
    cell = re.findall(r"<td>(.*?)</td>", row, re.S)[-1]
    assert "敏感个人信息（身份证号）" in cell and "身份证号" in cell and "不能放行" in cell, cell
    page = gd_app.get(f"/dataset/{pkg['name']}/safety", headers=headers).get_data(as_text=True)
    listed = page.split('class="gd-negative-list"')[1].split("</ul>")[0]
    assert "办理名单" in listed and RULE_ZH in listed and "不能放行" in listed, listed


def test_a_reviewer_cannot_clear_it_over_the_api(held: dict[str, Any], gd_app: Any) -> None:
    pkg, admin = held["pkg"], held["admin"]
    for user in (admin, make_sysadmin()):
        with pytest.raises(tk.ValidationError) as refused:
            tk.get_action("guangdong_safety_clear")(as_user(user), {"id": pkg["id"], "reason": "当事人同意（测试）"})
        assert "身份证号" in str(refused.value.error_dict) and RULE_EN in str(refused.value.error_dict)
        with pytest.raises(tk.ValidationError):
            tk.get_action("guangdong_safety_approve")(as_user(user), {"id": pkg["id"]})
    for lang, words in (("zh-CN", ("身份证号", RULE_ZH, "不能放行")), ("en", ("身份证号", RULE_EN, "cannot be cleared"))):
        answer = gd_app.post("/api/3/action/guangdong_safety_clear", status=None,
                             json={"id": pkg["id"], "reason": "当事人同意（测试）"},
                             headers={"Authorization": _token(admin), "Accept-Language": lang})
        assert answer.status_code == 409, answer.status_code
        assert all(w in str(answer.json["error"]) for w in words), (lang, answer.json["error"])
    state = tk.get_action("guangdong_safety_status")(as_user(admin), {"id": pkg["id"]})
    assert not any(f["cleared_at"] for f in state["files"])  # nothing was cleared
    assert show(pkg["id"])["private"] is True


def test_a_reviewer_cannot_clear_it_through_the_safety_page(held: dict[str, Any], gd_app: Any) -> None:
    pkg, admin = held["pkg"], held["admin"]
    headers = {"Authorization": _token(admin)}
    page = gd_app.get(f"/dataset/{pkg['name']}/safety", headers=headers).get_data(as_text=True)
    csrf = re.search(r'name="_csrf_token"\s+value="([^"]+)"', page)
    answer = gd_app.post(f"/dataset/{pkg['name']}/safety/clear", headers=headers, follow_redirects=False,
                         data={"reason": "当事人同意（测试）", **({"_csrf_token": csrf.group(1)} if csrf else {})})
    assert answer.status_code == 200, answer.status_code  # the page again, with the message
    error = answer.get_data(as_text=True).split('id="gd-safety-error">')[1].split("</div>")[0]
    assert "身份证号" in error and RULE_ZH in error and "去标识化" in error, error
    assert show(pkg["id"])["private"] is True


def test_anonymous_users_never_see_the_data(held: dict[str, Any], gd_app: Any) -> None:
    """Whatever a reviewer tries (放行检查结果, then 审核通过: what the trial's reviewer did)."""
    pkg, res = held["pkg"], held["res"]
    for action, data in (("guangdong_safety_clear", {"reason": "当事人同意（测试）"}), ("guangdong_safety_approve", {})):
        try:
            tk.get_action(action)(as_user(held["admin"]), {"id": pkg["id"], **data})
        except tk.ValidationError:
            pass
    assert not anonymous_sees(pkg["id"])
    assert gd_app.post("/api/3/action/package_show", json={"id": pkg["id"]}, status=None).status_code == 404
    search = gd_app.post("/api/3/action/datastore_search", json={"resource_id": res["id"]}, status=None)
    assert search.status_code in (403, 404), search.status_code
    assert gd_app.get(f"/dataset/{pkg['name']}", status=None).status_code == 404
    assert gd_app.get(f"/dataset/{pkg['name']}/resource/{res['id']}", status=None).status_code == 404


def test_the_masked_copy_releases_it() -> None:
    held = held_dataset()
    pkg, res, editor = held["pkg"], held["res"], held["editor"]
    result = tk.get_action("guangdong_safety_deidentify")(as_user(editor), {
        "resource_id": res["id"], "rules": {"身份证号": "mask"}, "publish": "true"})
    assert result["findings"] == []
    after = show(pkg["id"])
    assert [r["id"] for r in after["resources"]] == [result["resource"]["id"]]
    assert after["private"] is False and anonymous_sees(pkg["id"])
    assert wait_scan(pkg["id"], result["resource"]["id"])["state"] == "clean"
    # the masked column is still shown as a match, and holds nothing
    state = tk.get_action("guangdong_safety_status")(as_user(held["admin"]), {"id": pkg["id"]})
    assert "negative_list" not in state["holds"] and state["private"] is False
    assert [(m["column"], m["raw"]) for m in state["negative_list"] if m.get("column")] == [("身份证号", False)]


def test_a_masked_column_so_named_is_shown_but_does_not_hold() -> None:
    org = make_org("city")
    pkg = create(org["id"], resources=[{"upload": upload("masked.csv", masked_csv()), "url": "masked.csv",
                                        "name": "脱敏名单", "format": "CSV"}])
    res = pkg["resources"][0]
    assert wait_scan(pkg["id"], res["id"])["state"] == "clean"
    state = tk.get_action("guangdong_safety_status")(as_user(make_sysadmin()), {"id": pkg["id"]})
    assert state["holds"] == [] and state["private"] is False and anonymous_sees(pkg["id"])
    assert [(m["column"], m["raw"]) for m in state["negative_list"] if m.get("column")] == [("身份证号", False)]


def test_a_cleared_file_becomes_held_when_the_column_is_on_the_list(gd_app: Any) -> None:
    """Findings cleared in a column the list did not name (a list without ``detectors``: the
    header 证件号码 is no data item) go public; once the list names the detector (the file's
    list), a public dataset with raw ID numbers there is held again: a clearance does not count."""
    admin = make_sysadmin()
    shown = tk.get_action("guangdong_safety_negative_list_show")(as_user(admin), {})
    without = re.sub(r"\n    detectors: \[[^\]]*\]", "", shown["content"])
    assert without != shown["content"] and "detectors:" not in without.split("categories:")[1]
    tk.get_action("guangdong_safety_negative_list_update")(as_user(admin), {"content": without, "comment": "测试"})
    try:
        org = make_org("city")
        pkg = create(org["id"], resources=[{"upload": upload("ids.csv", people_csv("证件号码")), "url": "ids.csv",
                                            "name": "名单", "format": "CSV"}])
        wait_scan(pkg["id"], pkg["resources"][0]["id"])
        state = tk.get_action("guangdong_safety_clear")(as_user(admin), {"id": pkg["id"], "reason": "测试：已核对"})
        assert state["private"] is False
    finally:
        tk.get_action("guangdong_safety_negative_list_update")(as_user(admin), {
            "content": shown["content"], "comment": "恢复"})
    from ckanext.guangdong.safety import gate
    assert show(pkg["id"])["private"] is True or gate.settle(pkg["id"]) == "held"
    assert show(pkg["id"])["private"] is True and not anonymous_sees(pkg["id"])


def test_the_list_names_the_scanners_detectors() -> None:
    """Issue 14, trial 9: a column of raw ID numbers (bank cards) is the list's, whatever its
    header (证件号): the scanner's findings, not the word, make it a data item of the category;
    masked numbers are no finding. The synonyms in use are data items too."""
    from ckanext.guangdong.safety import detectors as d
    from ckanext.guangdong.safety import gate
    categories = negative_list.parse(negative_list.default_text())
    named = negative_list.column_matches(categories, ["居民身份证号", "居民身份证号码", "银行账号", "证件号"])
    assert [m.column for m in named] == ["居民身份证号", "居民身份证号码", "银行账号"]
    row = {"state": "findings", "columns": ["编号", "证件号", "卡", "电话", "身份证号"],
           "findings": [{"column": "证件号", "detector": d.RESIDENT_ID}, {"column": "卡", "detector": d.BANK_CARD},
                        {"column": "电话", "detector": d.MOBILE}, {"column": "身份证号", "detector": d.RESIDENT_ID}]}
    found = [(m.column, m.value, raw, m.category.id) for m, raw in gate.negative_columns(row, categories)]
    assert sorted(found) == [("卡", "银行卡号", True, "sensitive-personal-information"),
                             ("证件号", "居民身份证号", True, "sensitive-personal-information"),
                             ("身份证号", "身份证号", True, "sensitive-personal-information")]
    en = next(m for m, _raw in gate.negative_columns(row, categories) if m.column == "证件号").as_dict("en")
    assert en["value"] == "resident ID number" and en["detector"] == d.RESIDENT_ID
    # masked numbers: no finding, so nothing holds; only the listed header is shown (not raw)
    masked = gate.negative_columns({**row, "state": "clean", "findings": []}, categories)
    assert [(m.column, raw) for m, raw in masked] == [("身份证号", False)]
    assert set(negative_list.DETECTOR_NAMES) == set(d.DETECTORS)


@pytest.mark.parametrize("lang, words", [("zh-CN", ("未知的检测项", "id_card", "resident_id")),
                                         ("en", ("unknown detector", "id_card", "resident_id"))])
def test_the_list_editor_refuses_an_unknown_detector(gd_app: Any, lang: str, words: tuple[str, ...]) -> None:
    admin = make_sysadmin()
    content = negative_list.default_text().replace("detectors: [resident_id, bank_card]",
                                                   "detectors: [resident_id, id_card]")
    answer = gd_app.post("/api/3/action/guangdong_safety_negative_list_update", status=None,
                         json={"content": content, "comment": "测试"},
                         headers={"Authorization": _token(admin), "Accept-Language": lang})
    assert answer.status_code == 409, answer.status_code
    assert all(w in str(answer.json["error"]) for w in words), answer.json["error"]
    assert "id_card" not in tk.get_action("guangdong_safety_negative_list_show")(as_user(admin), {})["content"]


def test_raw_id_numbers_under_any_header_cannot_be_cleared_until_masked(gd_app: Any) -> None:
    """The trial's steps with a header the list does not name (证件号): the editor's CSV is
    held, the reviewer's 放行检查结果 is refused (409, the sentence), and so is 审核通过; the
    masked copy (脱敏) is approved and public."""
    held = held_dataset("证件号")
    pkg, admin = held["pkg"], held["admin"]
    answer = gd_app.post("/api/3/action/guangdong_safety_clear", status=None,
                         json={"id": pkg["id"], "reason": "当事人同意（测试）"},
                         headers={"Authorization": _token(admin), "Accept-Language": "zh-CN"})
    assert answer.status_code == 409, answer.status_code
    error = str(answer.json["error"])
    assert "证件号" in error and "居民身份证号" in error and RULE_ZH in error and "不能放行" in error, error
    with pytest.raises(tk.ValidationError):
        tk.get_action("guangdong_safety_approve")(as_user(admin), {"id": pkg["id"]})
    assert show(pkg["id"])["private"] is True and not anonymous_sees(pkg["id"])
    result = tk.get_action("guangdong_safety_deidentify")(as_user(held["editor"]), {
        "resource_id": held["res"]["id"], "rules": {"证件号": "mask"}, "publish": "true"})
    assert result["findings"] == []
    if show(pkg["id"])["private"]:
        tk.get_action("guangdong_safety_approve")(as_user(admin), {"id": pkg["id"]})
    assert show(pkg["id"])["private"] is False and anonymous_sees(pkg["id"])


# --- DataStore writes ------------------------------------------------------------------------
def test_datastore_records_with_raw_values_under_a_listed_column_are_refused_for_everyone(gd_app: Any) -> None:
    """Before: an editor's records were refused as any personal data is (no rule named), a
    sysadmin's written, and public with the dataset. Now refused for both, naming the column
    and the rule; the header alone, and masked values, are written."""
    editor = make_user()
    org = make_org("city", users=[{"name": editor["name"], "capacity": "editor"}])
    pkg = create(org["id"], user=editor)
    fields = [{"id": "城市", "type": "text"}, {"id": "身份证号", "type": "text"}]
    sysadmin = make_sysadmin()
    for user in (editor, sysadmin):
        with pytest.raises(tk.ValidationError) as refused:
            tk.get_action("datastore_create")(as_user(user), {
                "resource": {"package_id": pkg["id"], "name": "名单"}, "fields": fields,
                "records": [{"城市": "广州市", "身份证号": M.id18()}]})
        assert "身份证号" in str(refused.value.error_dict["records"]) and RULE_EN in str(refused.value.error_dict)
    # raw ID numbers under a header the list does not name: the list's detectors (issue 14, trial 9)
    with pytest.raises(tk.ValidationError) as refused:
        tk.get_action("datastore_create")(as_user(sysadmin), {
            "resource": {"package_id": pkg["id"], "name": "名单"},
            "fields": [{"id": "城市", "type": "text"}, {"id": "证件号", "type": "text"}],
            "records": [{"城市": "广州市", "证件号": M.id18()}]})
    assert "证件号" in str(refused.value.error_dict["records"]) and RULE_EN in str(refused.value.error_dict)
    assert show(pkg["id"])["resources"] == []  # nothing made
    rid = tk.get_action("datastore_create")(as_user(editor), {
        "resource": {"package_id": pkg["id"], "name": "名单"}, "fields": fields})["resource_id"]
    for user in (editor, sysadmin):
        with pytest.raises(tk.ValidationError) as refused:
            tk.get_action("datastore_upsert")(as_user(user), {
                "resource_id": rid, "method": "insert", "records": [{"城市": "广州市", "身份证号": M.id18()}]})
        assert "身份证号" in str(refused.value.error_dict["records"]) and RULE_EN in str(refused.value.error_dict)
    with in_language(gd_app, "zh_Hans_CN"):
        with pytest.raises(tk.ValidationError) as refused:
            tk.get_action("datastore_upsert")(as_user(sysadmin), {
                "resource_id": rid, "method": "insert", "records": [{"城市": "广州市", "身份证号": M.id18()}]})
    assert RULE_ZH in str(refused.value.error_dict["records"])
    assert tk.get_action("datastore_search")(site_context(), {"resource_id": rid})["total"] == 0
    # masked values under that name are written
    from ckanext.guangdong.safety import detectors as d
    tk.get_action("datastore_upsert")(as_user(editor), {
        "resource_id": rid, "method": "insert",
        "records": [{"城市": "广州市", "身份证号": d.mask(d.RESIDENT_ID, M.id18())}]})
    assert tk.get_action("datastore_search")(site_context(), {"resource_id": rid})["total"] == 1


# --- the harvest path ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def portal() -> Iterator[str]:
    with file_server({"/people.csv": people_csv()}, "text/csv") as url:
        yield url


def test_a_harvested_record_with_such_a_column_stays_held_and_is_in_the_report(portal: str, gd_app: Any) -> None:
    """As the harvester writes (the site user, provenance fields, a link to the city's file),
    with the harvest object the job's report reads."""
    from ckan import model
    from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource

    from ckanext.guangdong.harvesters.site import site_context as harvest_context
    from ckanext.guangdong.safety.helpers import guangdong_safety_harvest_held
    org = make_org("city")
    source = HarvestSource(url=f"{portal}/api/{uuid.uuid4().hex[:6]}", type="guangdong_ckan")
    source.save()
    job = HarvestJob(source=source)
    job.save()
    data = dataset_dict(org["id"], private=False, harvest_source_id=source.id,
                        harvest_remote_id="r1", harvest_remote_url=f"{portal}/dataset/r1",
                        resources=[{"url": f"{portal}/people.csv", "name": "办理名单", "format": "CSV"}])
    pkg = tk.get_action("package_create")(harvest_context(), data)
    HarvestObject(guid="r1", job=job, source=source, package_id=pkg["id"], current=True).save()
    model.Session.commit()
    wait_scan(pkg["id"], pkg["resources"][0]["id"])
    admin = make_sysadmin()
    with pytest.raises(tk.ValidationError):
        tk.get_action("guangdong_safety_clear")(as_user(admin), {"id": pkg["id"], "reason": "测试"})
    assert show(pkg["id"])["private"] is True and not anonymous_sees(pkg["id"])
    with gd_app.flask_app.test_request_context("/"):
        tk.g.user = admin["name"]
        report = guangdong_safety_harvest_held(job.id)
    item = next(i for i in report if i["status"]["id"] == pkg["id"])
    assert "negative_list" in item["holds"]
    assert any(m.get("column") == "身份证号" and m["raw"] for m in item["status"]["negative_list"])
