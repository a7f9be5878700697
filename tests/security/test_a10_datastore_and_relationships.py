"""Findings of attack trial a10 (issue 14), over HTTP against the real app (no worker: the
tables are written with datastore_create):

- M3: dataset relationships: only sysadmins create them; a public dataset's list leaves out a
  private one (name, comment), in package_show too; a hidden ``id2`` is "not found" like a
  missing one;
- M6: ``datastore_search_sql`` through an alias of a hidden table answers as for an unknown
  table named as typed (it named the hidden resource id);
- L1: ``/datastore/dump`` with a bad ``q`` / ``language`` is a 400 in zh/en (500), and XML of a
  table with a column named ``j`` is written (500);
- L2: its CSV and TSV write formula cells with a leading apostrophe (security/cells.py);
- L4: a ``datastore_search_sql`` answer over the size cap is a 409 in zh/en (30 MB answered).
"""
from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import pytest
from gd_testing import dataset_dict, make_org, make_user

pytestmark = pytest.mark.usefixtures("gd_plugins")

FORMULAS = ['=HYPERLINK("http://evil.example/","点我")', "+1+cmd|' /C calc'!A0", "@SUM(1+1)",
            "＝1+1", "\t=1+2", "-2+3"]


def _site() -> dict[str, Any]:
    from ckan.tests import helpers
    return {"user": helpers.call_action("get_site_user")["name"], "ignore_auth": True}


def _token(user: dict[str, Any]) -> str:
    from ckan.tests import helpers
    return helpers.call_action("api_token_create", _site(), user=user["name"], name="t")["token"]


@pytest.fixture(scope="module")
def world(gd_plugins: None) -> dict[str, Any]:
    from ckan.tests import helpers
    editor = make_user()
    org = make_org(users=[{"name": editor["name"], "capacity": "editor"}])

    def dataset(private: bool) -> dict[str, Any]:
        data = dataset_dict(org["id"], full=False, name=f"a10-{uuid.uuid4().hex[:10]}",
                            private=private, resources=[])
        return helpers.call_action("package_create", _site(), **data)

    public, other, private = dataset(False), dataset(False), dataset(True)

    def table(pkg: dict[str, Any], fields: list[dict[str, str]], records: list[dict[str, Any]],
              **extra: Any) -> str:
        return helpers.call_action("datastore_create", _site(), resource={
            "package_id": pkg["id"], "name": "表", "url_type": "datastore"},
            fields=fields, records=records, force=True, **extra)["resource_id"]

    formulas = table(public, [{"id": "名称", "type": "text"}, {"id": "j", "type": "text"},
                              {"id": "数量", "type": "int"}],
                     [{"名称": f, "j": "甲", "数量": -i} for i, f in enumerate(FORMULAS)])
    alias = f"a10_alias_{uuid.uuid4().hex[:8]}"
    table(private, [{"id": "名称", "type": "text"}], [{"名称": "秘密"}], aliases=alias)
    for obj, comment in ((private, "联系人 13800138000"), (other, "相关")):
        helpers.call_action("package_relationship_create", _site(), subject=public["id"],
                            object=obj["id"], type="links_to", comment=comment)
    from ckan.lib import search
    search.rebuild(public["id"])  # package_show reads the indexed dataset, with its relationships
    return {"editor": editor, "token": _token(editor), "public": public, "other": other,
            "private": private, "formulas": formulas, "alias": alias}


def _api(app: Any, action: str, lang: str = "zh-CN", token: str | None = None, **params: Any) -> tuple[int, Any]:
    headers = {"Accept-Language": lang, **({"Authorization": token} if token else {})}
    r = app.post(f"/api/3/action/{action}", json=params, headers=headers, status=None)
    body = r.json
    return r.status_code, body["result"] if r.status_code == 200 else body["error"]


# --- M3 ---------------------------------------------------------------------------------------
def test_relationships_name_no_hidden_dataset_and_only_sysadmins_write_them(gd_app: Any, world: dict) -> None:
    public, private, other = world["public"], world["private"], world["other"]
    status, listed = _api(gd_app, "package_relationships_list", id=public["name"])
    assert status == 200 and [r["object"] for r in listed] == [other["name"]], listed
    assert "13800138000" not in str(listed)
    status, shown = _api(gd_app, "package_show", id=public["name"])
    assert status == 200 and private["id"] not in str(shown) and "13800138000" not in str(shown)
    assert [r["comment"] for r in shown["relationships_as_subject"]] == ["相关"], shown["relationships_as_subject"]
    # nor does the search index name it (CKAN's indexer put related names in links_to …)
    for query in ({"fq": f'links_to:"{private["name"]}"'}, {"q": private["name"]}):
        status, found = _api(gd_app, "package_search", **query)
        assert status == 200 and found["count"] == 0, (query, found["count"])
    status, found = _api(gd_app, "package_search", fq=f'links_to:"{other["name"]}"')
    assert status == 200 and found["count"] == 0, found["count"]
    # a hidden id2 is answered as a missing one
    missing = _api(gd_app, "package_relationships_list", id=public["name"], id2=f"gd-missing-{uuid.uuid4().hex[:6]}")
    assert missing[0] == 404, missing
    assert _api(gd_app, "package_relationships_list", id=public["name"], id2=private["name"]) == missing
    assert _api(gd_app, "package_relationships_list", id=public["name"], id2=private["id"]) == missing
    # the organisation's editor (who may read the private dataset) sees it, but may not write
    status, listed = _api(gd_app, "package_relationships_list", token=world["token"], id=public["name"])
    assert status == 200 and {r["object"] for r in listed} == {other["name"], private["name"]}
    for lang, word in (("zh-CN", "系统管理员"), ("en", "system administrator")):
        status, error = _api(gd_app, "package_relationship_create", lang, token=world["token"],
                             subject=public["id"], object=other["id"], type="child_of", comment="x")
        assert status == 403 and word in error["message"], error
        status, error = _api(gd_app, "package_relationship_update", lang, token=world["token"],
                             subject=public["id"], object=other["id"], type="links_to", comment="y")
        assert status == 403 and word in error["message"], error
    # nor through the dataset's own lists (package_patch / package_update)
    status, _ = _api(gd_app, "package_patch", token=world["token"], id=other["id"], relationships_as_subject=[
        {"subject_package_id": other["id"], "object_package_id": private["id"], "type": "links_to", "comment": "z"}])
    assert status == 200
    import ckan.model as model
    model.Session.remove()
    assert not model.Session.query(model.PackageRelationship).filter_by(subject_package_id=other["id"]).count()


# --- M6 ---------------------------------------------------------------------------------------
def test_an_alias_of_a_hidden_table_is_an_unknown_table_named_as_typed(gd_app: Any, world: dict) -> None:
    alias = world["alias"]
    twin = f"a10_alias_{uuid.uuid4().hex[:8]}"  # a missing alias of the same length
    for lang in ("zh-CN", "en"):
        for shape in ("SELECT * FROM {}", 'SELECT * FROM "{}"', "SELECT 1 FROM public.{} WHERE 1 = 1"):
            unknown = _api(gd_app, "datastore_search_sql", lang, sql=shape.format(twin))
            assert unknown[0] == 409 and twin in unknown[1]["query"][0], unknown
            answer = _api(gd_app, "datastore_search_sql", lang, sql=shape.format(alias))
            assert answer == (409, {**unknown[1], "query": [unknown[1]["query"][0].replace(twin, alias)]}), \
                (answer, unknown)


# --- L1, L2 -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("fmt", "delimiter"), [("csv", ","), ("tsv", "\t")])
def test_dumps_write_formula_cells_as_text(gd_app: Any, world: dict, fmt: str, delimiter: str) -> None:
    r = gd_app.get(f"/datastore/dump/{world['formulas']}?format={fmt}", status=200)
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True)), delimiter=delimiter))
    assert rows[0] == ["_id", "名称", "j", "数量"], rows[0]
    assert [row[1] for row in rows[1:]] == ["'" + f for f in FORMULAS]
    assert [row[3] for row in rows[1:]] == [str(-i) for i in range(len(FORMULAS))]  # numbers stay numbers


def test_dump_bad_search_is_a_400_and_xml_with_a_column_j_is_written(gd_app: Any, world: dict) -> None:
    rid = world["formulas"]
    for prefix, word in (("", "搜索参数"), ("/en", "search parameters")):
        for query in ("plain=false&q=%28", "language=xx&q=a"):
            r = gd_app.get(f"{prefix}/datastore/dump/{rid}?{query}", status=None)
            assert r.status_code == 400 and word in r.get_data(as_text=True), (query, r.status_code)
    r = gd_app.get(f"/datastore/dump/{rid}?format=xml", status=200)
    text = r.get_data(as_text=True)
    assert text.count("<record>") == len(FORMULAS) and "甲" in text and "@SUM(1+1)" in text


# --- L4 ---------------------------------------------------------------------------------------
def test_an_sql_answer_over_the_cap_is_refused(gd_app: Any) -> None:
    for lang, word in (("zh-CN", "太大"), ("en", "too large")):
        status, error = _api(gd_app, "datastore_search_sql", lang, sql="SELECT repeat('x', 5000000) AS l")
        assert status == 409 and word in error["query"][0], error
    status, result = _api(gd_app, "datastore_search_sql", sql="SELECT repeat('x', 1000) AS l")
    assert status == 200 and len(result["records"][0]["l"]) == 1000


# --- M5 ---------------------------------------------------------------------------------------
def _png_with_text_and_zip() -> bytes:
    import zipfile

    from PIL import Image, PngImagePlugin
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "联系人 13800138000 ID 440106198503120015")
    out = io.BytesIO()
    Image.new("RGB", (2, 2), (200, 30, 30)).save(out, "PNG", pnginfo=info)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("people.csv", "张伟,440106198503120015,13800138000\n")
    return out.getvalue() + archive.getvalue()


def test_avatars_and_logos_are_reencoded_without_text_or_trailing_bytes(gd_app: Any) -> None:
    from ckan.tests import helpers
    from PIL import Image
    user = make_user()
    org = make_org(users=[{"name": user["name"], "capacity": "admin"}])
    headers = {"Authorization": _token(user)}
    raw = _png_with_text_and_zip()
    assert b"13800138000" in raw and b"PK\x03\x04" in raw
    for action, obj in (("user_patch", user), ("organization_patch", org)):
        r = gd_app.post(f"/api/3/action/{action}", headers=headers, status=None,
                        data={"id": obj["id"], "image_upload": (io.BytesIO(raw), "avatar.png")})
        assert r.status_code == 200, r.json
        url = r.json["result"]["image_display_url"]
        served = gd_app.get(url[url.index("/uploads/"):], status=200).get_data()
        assert b"13800138000" not in served and b"PK\x03\x04" not in served and b"tEXt" not in served
        with Image.open(io.BytesIO(served)) as image:
            assert image.format == "PNG" and image.size == (2, 2) and image.getpixel((0, 0)) == (200, 30, 30)
    # something that is no picture is refused, in zh and en
    for lang, word in (("zh-CN", "图片"), ("en", "picture")):
        r = gd_app.post("/api/3/action/user_patch", headers={**headers, "Accept-Language": lang}, status=None,
                        data={"id": user["id"], "image_upload": (io.BytesIO(b"PK\x03\x04 not a picture"), "a.png")})
        assert r.status_code == 409 and word in str(r.json["error"]["image_upload"]), r.json
    assert helpers.call_action("user_show", _site(), id=user["id"])["image_url"].endswith("avatar.png")
