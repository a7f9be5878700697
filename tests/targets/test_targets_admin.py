"""Targets as data: seeded from config/targets.yaml, edited by sysadmins with an audit trail;
snapshots; CSV and XLSX exports equal to the API."""
from __future__ import annotations

import csv
import io

import ckan.model as model
import pytest
from ckan.logic import NotAuthorized, ValidationError
from ckan.tests import factories, helpers
from click.testing import CliRunner
from gd_testing import make_sysadmin, make_user
from openpyxl import load_workbook
from sqlalchemy import text

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "guangdong_events guangdong_targets"),
    pytest.mark.ckan_config("ckan.search.automatic_indexing", "false"),
    pytest.mark.usefixtures("with_plugins"),
]


def test_seeded_from_the_targets_file(catalog):
    targets = {t["id"]: t for t in helpers.call_action("guangdong_target_list")}
    assert (targets["province-datasets-2018"]["threshold"], targets["province-datasets-2018"]["deadline"]) == (350, "2018-12-31")
    assert targets["province-datasets-2018"]["emphasis"] == {"theme": "民生服务"}
    assert (targets["province-applications-2018"]["threshold"], targets["province-applications-2020"]["threshold"]) == (30, 50)
    assert targets["province-datasets-2020"]["threshold"] == 500
    assert (targets["heyuan-datasets-2018"]["scope"], targets["heyuan-datasets-2018"]["threshold"]) == ("city:441600", 40)
    audit = helpers.call_action("guangdong_target_audit", context={"ignore_auth": True, "user": "x"})
    assert {a["action"] for a in audit} == {"loaded"} and len(audit) == 5


def test_only_sysadmins_edit_and_every_edit_is_audited(catalog):
    user = make_user()
    with pytest.raises(NotAuthorized):
        helpers.call_action("guangdong_target_save", context={"user": user["name"], "ignore_auth": False},
                            id="x-1", title_zh="x", scope="province", metric="datasets",
                            deadline="2030-01-01", threshold=1)
    admin = make_sysadmin()
    ctx = {"user": admin["name"], "ignore_auth": False}
    with pytest.raises(ValidationError) as error:
        helpers.call_action("guangdong_target_save", context=dict(ctx), id="x-1", title_zh="x",
                            scope="county:1", metric="things", deadline="soon", threshold=0)
    assert set(error.value.error_dict) == {"scope", "metric", "deadline", "threshold"}
    helpers.call_action("guangdong_target_save", context=dict(ctx), id="province-datasets-2020",
                        title_zh="2020年底全省开放数据集不少于600个", scope="province", metric="datasets",
                        deadline="2020-12-31", threshold=600)
    helpers.call_action("guangdong_target_delete", context=dict(ctx), id="heyuan-datasets-2018")
    audit = helpers.call_action("guangdong_target_audit", context=dict(ctx))
    assert [(a["action"], a["target_id"], a["changed_by"]) for a in audit[:2]] == [
        ("deleted", "heyuan-datasets-2018", admin["name"]), ("updated", "province-datasets-2020", admin["name"])]
    assert (audit[1]["before"]["threshold"], audit[1]["after"]["threshold"]) == (500, 600)
    # A deactivated target is not brought back from the file, and edits are not overwritten.
    from ckanext.guangdong.targets import db
    assert db.load_targets_file(db.connection()) == 0
    ids = [t["id"] for t in helpers.call_action("guangdong_target_list")]
    assert "heyuan-datasets-2018" not in ids
    assert {t["id"]: t["threshold"] for t in helpers.call_action("guangdong_target_list")}["province-datasets-2020"] == 600


def test_edit_page_for_sysadmins(catalog, app):
    admin = factories.SysadminWithToken()
    anonymous = app.get("/open-progress/targets", status=403)
    assert anonymous.status_code == 403
    headers = {"Authorization": admin["token"]}
    page = app.get("/open-progress/targets", headers=headers)
    assert "province-datasets-2018" in page.body
    app.post("/open-progress/targets", headers=headers, data={
        "id": "guangzhou-2019", "title_zh": "广州市2019年开放数据集", "title_en": "", "scope": "city:440100",
        "metric": "datasets", "deadline": "2019-12-31", "threshold": "80", "filter_theme": "",
        "emphasis_theme": "", "note": "", "active": "true"})
    saved = {t["id"]: t for t in helpers.call_action("guangdong_target_list")}["guangzhou-2019"]
    assert (saved["scope"], saved["threshold"]) == ("city:440100", 80)
    page = app.get("/open-progress/targets", headers=headers)
    assert "guangzhou-2019" in page.body and admin["name"] in page.body


def test_snapshot_command_stores_the_day(catalog):
    org = catalog.org("dept-a", "440000", "department")
    catalog.dataset(org)
    from ckanext.guangdong.targets.plugin import GuangdongTargetsPlugin
    [guangdong] = GuangdongTargetsPlugin().get_commands()  # the `ckan guangdong` group, as CKAN's CLI gets it
    result = CliRunner().invoke(guangdong, ["snapshot", "--as-of", "2099-01-01"])
    assert result.exit_code == 0, result.output
    assert "1 open datasets" in result.output
    stored = helpers.call_action("guangdong_targets_snapshot_show", date="2099-01-01")
    assert stored["stats"]["datasets"] == 1
    assert {p["id"]: p["count"] for p in stored["progress"]}["province-datasets-2020"] == 1
    rows = model.Session.execute(text("SELECT count(*) FROM guangdong_targets_snapshot")).scalar()
    CliRunner().invoke(guangdong, ["snapshot", "--as-of", "2099-01-01"])  # same day: replaced
    assert model.Session.execute(text("SELECT count(*) FROM guangdong_targets_snapshot")).scalar() == rows


def test_exports_equal_the_api(catalog, app):
    gz = catalog.org("city-440100", "440100", "city")
    with catalog.at("2018-05-05"):
        ds = catalog.dataset(gz, themes=["民生服务"])
        catalog.dataset(gz, themes=["道路交通"])
        catalog.application(gz, [ds])
    progress = helpers.call_action("guangdong_target_progress", as_of="2018-06-30")
    stats = helpers.call_action("guangdong_open_stats", as_of="2018-06-30")
    body = app.get("/open-progress/export.csv?as_of=2018-06-30").body
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    target_rows = {r[0]: r for r in rows if len(r) == 13 and r[1] in ("province", "city:441600")}
    for t in progress["targets"]:
        assert int(target_rows[t["title"]["zh_Hans_CN"]][3]) == t["count"]
        assert target_rows[t["title"]["zh_Hans_CN"]][9] == t["status"]
        # count at the deadline, day met, shortfall: empty before the deadline
        assert target_rows[t["title"]["zh_Hans_CN"]][10:] == ["", "", ""]
    city_row = [r for r in rows if r and r[0] == "440100"][0]
    assert (int(city_row[2]), int(city_row[3])) == (stats["by_city"][0]["datasets"], stats["by_city"][0]["applications"]) == (2, 1)
    response = app.get("/open-progress/export.xlsx?as_of=2018-06-30")
    book = load_workbook(io.BytesIO(response.data))
    sheets = book.sheetnames
    assert len(sheets) == 5
    targets_sheet = list(book[sheets[0]].iter_rows(values_only=True))
    assert {r[0]: r[3] for r in targets_sheet[1:]} == {t["title"]["zh_Hans_CN"]: t["count"] for t in progress["targets"]}
    themes = {r[0]: r[1] for r in list(book[sheets[3]].iter_rows(values_only=True))[1:]}
    assert themes == {t["value"]: t["datasets"] for t in stats["by_theme"]} == {"民生服务": 1, "道路交通": 1}
    monthly = list(book[sheets[4]].iter_rows(values_only=True))[1:]
    assert monthly == [("2018-05", 2, 1), ("2018-06", 2, 1)]
