"""Texts the portal renders as Markdown are read as a reader sees them too (attack trial a8,
issue 14: H5 and M1). A Markdown link inside a number (``445202[19950101](https://…)3450``) or
inside a word of the negative list (``[国](https://…)家秘密``) is stored split and shown whole:
a dataset's or a file's description is held, an organisation's or a user's text, a view's
description and a DataStore column's notes refused, an open dataset with such a description
refused by the negative list. Japanese variant characters (渉 for 涉) match the list too.
Writes and anonymous reads over HTTP, messages in zh and en."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest
import requests
from safety_support import (
    api_token,
    as_user,
    create,
    dataset_dict,
    editor_table,
    make_org,
    make_sysadmin,
    make_user,
    show,
    valid_id,
)

pytestmark = pytest.mark.usefixtures("gd")

ID = valid_id("44520219950101345")
MOBILE = "18688889999"
SITE = "https://www.gd.gov.cn"


def split_by_link(link: str = SITE) -> str:
    """The attack's text: the ID number and the mobile each with a link in the middle."""
    return f"证件号 {ID[:6]}[{ID[6:14]}]({link}){ID[14:]}，电话 {MOBILE[:3]}[{MOBILE[3:]}]({link})"


SPLIT = {
    "inline_link": split_by_link(),
    "relative_link": split_by_link("/dataset"),
    "reference_link": f"证件号 {ID[:6]}[{ID[6:14]}][1]{ID[14:]}，电话 {MOBILE[:3]}[{MOBILE[3:]}][1]\n\n[1]: {SITE}",
    "emphasis_in_link": f"证件号 {ID[:6]}[**{ID[6:10]}**{ID[10:14]}]({SITE}){ID[14:]}，电话 {MOBILE[:3]}[{MOBILE[3:]}]({SITE})",
}
# Markdown links and numbers that are no personal data: the dataset stays public
DECOY = (f"共 [1,386]({SITE}) 条记录，统计至 2024-[01](/dataset)-02，咨询 020-8345[6789]({SITE})。"
         f"详见[附件][1]。\n\n[1]: {SITE}/a.pdf")


@pytest.fixture(scope="module")
def world(gd_plugins: None) -> dict[str, Any]:
    editor = make_user()
    org = make_org("city", users=[{"name": editor["name"], "capacity": "admin"}])
    return {"editor": editor, "org": org, "token": api_token(editor)}


def post(base: str, action: str, token: str | None, lang: str = "zh-CN", **data: Any) -> requests.Response:
    headers = {"Accept-Language": lang, **({"Authorization": token} if token else {})}
    return requests.post(f"{base}/api/3/action/{action}", json=data, headers=headers, timeout=60)


def metadata_findings(pkg_id: str) -> set[tuple[str, str]]:
    state = tk.get_action("guangdong_safety_status")(as_user(None), {"id": pkg_id})
    assert "metadata" in state["holds"], state["holds"]
    return {(f["column"], f["detector"]) for f in state["metadata"]["findings"]}


def anonymous_page(base: str, path: str) -> requests.Response:
    return requests.get(base + path, timeout=60, headers={"Accept-Language": "zh-CN"})


# --- H5: the numbers ------------------------------------------------------------------------
@pytest.mark.parametrize("spelling", sorted(SPLIT))
def test_a_description_split_by_markdown_holds_the_dataset(world: dict[str, Any], live_server: str,
                                                           spelling: str) -> None:
    pkg = create(world["org"]["id"], user=world["editor"])
    answer = post(live_server, "package_patch", world["token"], id=pkg["id"], notes=DECOY)
    assert answer.status_code == 200 and answer.json()["result"]["private"] is False, answer.text[:300]
    assert anonymous_page(live_server, f"/dataset/{pkg['name']}").status_code == 200  # the decoy stays public
    answer = post(live_server, "package_patch", world["token"], id=pkg["id"], notes=SPLIT[spelling])
    assert answer.status_code == 200 and answer.json()["result"]["private"] is True, answer.text[:300]
    assert metadata_findings(pkg["id"]) >= {("notes", "resident_id"), ("notes", "mobile")}
    page = anonymous_page(live_server, f"/dataset/{pkg['name']}")
    assert page.status_code == 404 and ID not in page.text and MOBILE not in page.text
    shown = requests.get(f"{live_server}/api/3/action/package_show", params={"id": pkg["id"]}, timeout=60)
    assert shown.status_code == 404 and ID[6:14] not in shown.text


def test_a_file_description_split_by_markdown_holds_the_dataset(world: dict[str, Any], live_server: str) -> None:
    pkg = create(world["org"]["id"], user=world["editor"], resources=[
        {"url": "https://www.gd.gov.cn/data/list.csv", "name": "名单", "format": "CSV"}])
    assert show(pkg["id"])["private"] is False
    rid = pkg["resources"][0]["id"]
    answer = post(live_server, "resource_patch", world["token"], id=rid, description=split_by_link())
    assert answer.status_code == 200, answer.text[:300]
    assert show(pkg["id"])["private"] is True
    assert metadata_findings(pkg["id"]) >= {("resources.description", "resident_id"),
                                            ("resources.description", "mobile")}
    page = anonymous_page(live_server, f"/dataset/{pkg['name']}/resource/{rid}")
    assert page.status_code == 404 and ID not in page.text


def test_an_application_description_split_by_markdown_holds_it(world: dict[str, Any]) -> None:
    used = create(world["org"]["id"], user=world["editor"])
    app = tk.get_action("package_create")(as_user(world["editor"]), {
        "type": "application", "title": "粤游导览", "notes": split_by_link(), "owner_org": world["org"]["id"],
        "developer_name": "广州某科技有限公司", "developer_type": "organization",
        "application_kind": "mini_program", "url": "https://example.com/app", "theme": ["文化休闲"],
        "private": False, "used_datasets": [used["name"]]})
    assert show(app["id"])["private"] is True
    assert ("notes", "resident_id") in metadata_findings(app["id"])


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_a_users_about_split_by_markdown_is_refused(live_server: str, lang: str) -> None:
    user = make_user()
    token = api_token(user)
    answer = post(live_server, "user_patch", token, lang, id=user["id"], about=split_by_link("/dataset"))
    assert answer.status_code == 409, answer.text[:300]
    message = " ".join(answer.json()["error"]["about"])
    assert ("personal data" in message) if lang == "en" else ("个人信息" in message and "简介" in message), message
    page = anonymous_page(live_server, f"/user/{user['name']}")
    assert page.status_code == 200 and ID not in page.text and MOBILE not in page.text
    # (CKAN's spam check refuses outside links in a user's text: relative ones here)
    answer = post(live_server, "user_patch", token, lang, id=user["id"],
                  about="数据爱好者，常看[数据集](/dataset)，已下载 [1,386](/dataset) 次，生于 19[95](/dataset) 年。")
    assert answer.status_code == 200, answer.text[:300]


def test_an_organisations_view_and_column_texts_split_by_markdown_are_refused(
        world: dict[str, Any], live_server: str) -> None:
    answer = post(live_server, "organization_patch", world["token"], id=world["org"]["id"],
                  description=split_by_link())
    assert answer.status_code == 409 and "description" in answer.json()["error"], answer.text[:300]
    with pytest.raises(tk.ValidationError) as refused:
        tk.get_action("group_create")(as_user(make_sysadmin()), {
            "name": f"g-{make_user()['name'][-8:]}", "title": "民生", "description": split_by_link()})
    assert "description" in refused.value.error_dict
    table = editor_table()
    with pytest.raises(tk.ValidationError) as refused:
        tk.get_action("resource_view_create")(as_user(table["editor"]), {
            "resource_id": table["rid"], "view_type": "datatables_view", "title": "表格",
            "description": split_by_link()})
    assert "description" in refused.value.error_dict
    with pytest.raises(tk.ValidationError) as refused:
        tk.get_action("datastore_create")(as_user(table["editor"]), {
            "resource_id": table["rid"], "force": True,
            "fields": [{"id": "城市", "type": "text", "info": {"notes": split_by_link()}}]})
    assert "fields.info.notes" in refused.value.error_dict


def test_the_findings_of_a_text_without_hidden_markup_stay_the_same() -> None:
    """A text whose numbers show as stored gives the same findings (and so the same fingerprint:
    a reviewer's clearance holds) whether or not it is also read as shown."""
    from ckanext.guangdong.safety import reading, scanner
    seen = reading.markdown_reader(["notes"])
    plain = [("notes", f"**说明**：身份证 {ID}，[官网]({SITE})，手机 {MOBILE}。"), ("title", "名单")]
    assert scanner.scan_text_fields(plain, seen=seen) == scanner.scan_text_fields(plain)
    split = [("notes", SPLIT["inline_link"])]
    assert not scanner.scan_text_fields(split)
    assert {(f.detector, f.count) for f in scanner.scan_text_fields(split, seen=seen)} == {
        ("resident_id", 1), ("mobile", 1)}
    assert not scanner.scan_text_fields([("title", SPLIT["inline_link"])], seen=seen)  # shown as typed


# --- M1: the negative list --------------------------------------------------------------------
REFUSED = {
    "japanese_variant": {"title": "渉密人员名册"},
    "japanese_among_traditional": {"title": "全省渉密檔案（廣東）"},
    "link_inside_the_word": {"notes": f"本数据集为[国]({SITE})家秘密文件清单"},
    "reference_link_inside_the_word": {"notes": f"本数据集为[涉][1]密文件清单\n\n[1]: {SITE}"},
}


@pytest.mark.parametrize("spelling", sorted(REFUSED))
def test_the_negative_list_reads_variants_and_the_shown_description(world: dict[str, Any], live_server: str,
                                                                     spelling: str) -> None:
    data = dataset_dict(world["org"]["id"], private=False, **REFUSED[spelling])
    for lang, words in (("zh-CN", ("涉及国家秘密", "不予开放")), ("en", ("State Secrets", "not open"))):
        answer = post(live_server, "package_create", world["token"], lang, **data)
        assert answer.status_code == 409, answer.text[:300]
        message = " ".join(answer.json()["error"]["access_rights"])
        assert all(w in message for w in words), (lang, message)
    # the form's check as the publisher types says the same
    check = post(live_server, "guangdong_safety_negative_list_check", world["token"], "zh-CN",
                 title=data["title"], notes=data["notes"]).json()["result"]
    assert [m["category"] for m in check["matches"]] == ["state-secrets"], check
    # 不予开放 and private: accepted
    assert post(live_server, "package_create", world["token"], **{
        **data, "name": data["name"] + "-n", "identifier": data["identifier"] + "1",
        "access_rights": "not_open", "private": True}).status_code == 200


def test_words_that_only_look_alike_are_not_refused(world: dict[str, Any]) -> None:
    """Simplified text passes jp2t and t2s unchanged in meaning: ordinary titles stay open."""
    from ckanext.guangdong.safety import negative_list
    categories, _v = negative_list.current()
    for title in ("广东省文艺演出场次", "广州市芸术馆开放时间", "国家级非物质文化遗产名录", "秘鲁进口水果检验检疫数据"):
        assert not negative_list.matches(categories, {"title": title, "notes": f"[{title}]({SITE})"}), title
    assert negative_list.matches(categories, {"title": "渉密人员名册"})  # fails without the variant folding
