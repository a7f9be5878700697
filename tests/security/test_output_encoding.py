"""Nothing we render trusts data: links from data are http/https/mailto only, and every
spreadsheet we export writes formula-like text as text (OWASP's CSV-injection rule)."""
from __future__ import annotations

import csv
import io
import json
import uuid
from typing import Any

import pytest
import requests
from bs4 import BeautifulSoup
from leakcheck import fetch
from world import World

from ckanext.guangdong.security.cells import safe_cell
from ckanext.guangdong.security.links import safe_url

pytestmark = pytest.mark.usefixtures("gd_plugins")
HOSTILE = "javascript:alert(1)"
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "poster", "xlink:href", "background")


def live_links(html: str) -> list[str]:
    """Attribute values a browser would follow or run that are not http(s), mailto or a path."""
    soup = BeautifulSoup(html, "html.parser")
    bad = []
    for tag in soup.find_all(True):
        for attr in URL_ATTRIBUTES:
            value = tag.get(attr)
            if isinstance(value, str):
                squeezed = "".join(c for c in value.strip() if c not in "\t\r\n").lower()
                if squeezed.startswith(("javascript:", "vbscript:", "data:text", "data:image/svg")):
                    bad.append(f"<{tag.name} {attr}={value!r}>")
    return bad


@pytest.mark.parametrize("value, expected", [
    ("http://a.example/x", "http://a.example/x"), ("https://a.example", "https://a.example"),
    ("mailto:opendata@gd.gov.cn", "mailto:opendata@gd.gov.cn"), ("/dataset/x", "/dataset/x"),
    ("javascript:alert(1)", ""), (" JavaScript:alert(1)", ""), ("java\tscript:alert(1)", ""),
    ("\x01javascript:alert(1)", ""), ("data:text/html,<script>", ""), ("vbscript:x", ""),
    ("//evil.example/x", ""), ("http:alert(1)", ""), ("ftp://a.example/f", ""), (None, ""), (3, ""),
])
def test_which_urls_may_be_links(value: Any, expected: str) -> None:
    assert safe_url(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://127.0.0.1/\",\"点我\")", "'=HYPERLINK(\"http://127.0.0.1/\",\"点我\")"),
    ("+1", "'+1"), ("-1+2", "'-1+2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("＝1+1", "'＝1+1"), ("广州市", "广州市"), ("a=b", "a=b"), (-5, -5), (3.5, 3.5), (None, None),
])
def test_which_cells_are_neutralised(value: Any, expected: Any) -> None:
    assert safe_cell(value) == expected


@pytest.fixture(scope="module")
def hostile_data(leak_world: World, live_server: str) -> dict[str, Any]:
    """A dataset and an application made by an editor through the API, with script URLs
    wherever the schema accepts a URL or text."""
    import ckan.plugins.toolkit as tk
    from gd_testing import make_user
    editor = make_user()
    org = leak_world.orgs["a"]
    tk.get_action("organization_member_create")({"ignore_auth": True}, {
        "id": org["id"], "username": editor["name"], "role": "editor"})
    token = tk.get_action("api_token_create")({"ignore_auth": True, "user": editor["name"]},
                                              {"user": editor["name"], "name": "t"})["token"]
    base = {k: v for k, v in leak_world.packages["public"].items()
            if k in ("publisher_name", "theme", "access_rights", "frequency", "issued", "modified",
                     "region_code", "contact_name", "contact_email", "contact_phone",
                     "license_id", "share_type", "data_level", "deidentified")}

    def create(data: dict[str, Any]) -> dict[str, Any]:
        answer = requests.post(f"{live_server}/api/3/action/package_create", json=data, timeout=60,
                               headers={"Authorization": token}).json()
        assert answer["success"], answer
        return answer["result"]

    dataset = create({**base, "type": "dataset", "owner_org": org["id"], "title": "脚本链接测试",
                      "notes": f"[点我]({HOSTILE}) <a href=\"{HOSTILE}\">x</a>",
                      "identifier": f"29000/{uuid.uuid4().int % 10**10:010d}",
                      "harvest_remote_url": HOSTILE, "tag_string": "脚本",
                      "resources": [{"url": HOSTILE, "name": "脚本资源", "format": "CSV"}]})
    app = create({"type": "application", "owner_org": org["id"], "title": "脚本链接应用",
                  "notes": "简介", "developer_name": "某人", "developer_type": "person",
                  "application_kind": "web", "url": HOSTILE, "image_url": HOSTILE,
                  "used_datasets": [leak_world.packages["public"]["id"]]})
    return {"dataset": dataset, "app": app}


@pytest.mark.parametrize("lang", ["", "/en"])
def test_script_urls_from_data_are_never_links(hostile_data: dict[str, Any], live_server: str, lang: str) -> None:
    ds, app = hostile_data["dataset"], hostile_data["app"]
    res = ds["resources"][0]
    pages = [f"/dataset/{ds['name']}", f"/dataset/{ds['name']}/resource/{res['id']}",
             f"/application/{app['name']}", "/dataset/?q=脚本链接测试", "/application/?q=脚本链接应用",
             f"/dataset/{leak_world_public_name(hostile_data)}"]
    for path in pages:
        page = fetch(requests.Session(), live_server, lang + path)
        assert page.status_code == 200, path
        assert not live_links(page.text), (path, live_links(page.text))
    # shown, as text, under 来源网址 / Source page
    page = fetch(requests.Session(), live_server, f"{lang}/dataset/{ds['name']}").text
    assert ("来源网址" if not lang else "Source page") in page
    assert "javascript:alert(1)" in BeautifulSoup(page, "html.parser").get_text()


def leak_world_public_name(hostile_data: dict[str, Any]) -> str:
    # the public dataset the application uses: its page lists the application
    return json.loads(json.dumps(hostile_data["app"]["used_datasets"]))[0]


def test_remote_record_links_on_the_job_page(leak_world: World, live_server: str) -> None:
    """The job report links each failed record's original URL: a city portal's script URL
    is not a link."""
    import datetime as dt

    from ckan import model
    from ckanext.harvest.model import HarvestObject, HarvestObjectError, HarvestSource
    now = dt.datetime.utcnow()
    obj = HarvestObject(guid=f"js-{uuid.uuid4().hex[:6]}", harvest_job_id=leak_world.jobs[0],
                        source=HarvestSource.get(leak_world.source["id"]), state="ERROR",
                        gathered=now, content=json.dumps({"remote_url": HOSTILE}))
    obj.save()
    HarvestObjectError(object=obj, stage="Import", message="坏记录").save()
    model.Session.commit()
    page = requests.get(f"{live_server}/harvest/{leak_world.source['name']}/job/{leak_world.jobs[0]}",
                        headers={"Authorization": leak_world.tokens["sysadmin"]}, timeout=60)
    assert page.status_code == 200 and obj.guid in page.text
    assert not live_links(page.text), live_links(page.text)


def test_harvest_error_csv_writes_formulas_as_text(leak_world: World, live_server: str) -> None:
    import datetime as dt

    from ckan import model
    from ckanext.harvest.model import HarvestObject, HarvestObjectError, HarvestSource
    formula = '=HYPERLINK("http://127.0.0.1/","点我")'
    obj = HarvestObject(guid=formula, harvest_job_id=leak_world.jobs[0], state="ERROR", gathered=dt.datetime.utcnow(),
                        source=HarvestSource.get(leak_world.source["id"]))
    obj.save()
    HarvestObjectError(object=obj, stage="Import", message="+1 记录无效 @x").save()
    model.Session.commit()
    answer = requests.get(f"{live_server}/harvest/{leak_world.source['name']}/job/{leak_world.jobs[0]}/errors.csv",
                          headers={"Authorization": leak_world.tokens["sysadmin"]}, timeout=60)
    assert answer.status_code == 200
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    mine = [dict(zip(header, r, strict=False)) for r in body if r[header.index("guid")].endswith(formula)]
    assert mine and mine[0]["guid"] == "'" + formula
    assert mine[0]["message"] == "'+1 记录无效 @x"
    assert not [cell for row in body for cell in row if cell.startswith(("=", "+", "-", "@"))]


@pytest.fixture(scope="module")
def formula_titles(leak_world: World) -> dict[str, str]:
    """An organization and a target whose titles are formulas, with an open dataset to count."""
    import ckan.plugins.toolkit as tk
    from ckan.tests import factories

    from ckanext.guangdong.harvesters.site import site_context
    org_title = '=HYPERLINK("http://127.0.0.1/","部门")'
    org = factories.Organization(name=f"org-{uuid.uuid4().hex[:8]}", title=org_title,
                                 org_type="department", region_code="440000")
    data = {k: v for k, v in leak_world.packages["public"].items()
            if k in ("publisher_name", "theme", "access_rights", "frequency", "issued", "modified",
                     "region_code", "license_id", "share_type", "data_level", "deidentified")}
    tk.get_action("package_create")(site_context(), {
        **data, "type": "dataset", "owner_org": org["id"], "title": "公式测试", "notes": "n",
        "identifier": f"29000/{uuid.uuid4().int % 10**10:010d}",
        "resources": [{"url": "http://127.0.0.1/f.csv", "name": "f", "format": "CSV"}]})
    target_title = "+SUM(1,2)目标"
    tk.get_action("guangdong_target_save")(site_context(), {
        "id": f"formula-{uuid.uuid4().hex[:6]}", "title_zh": target_title, "title_en": "",
        "scope": "province", "metric": "datasets", "deadline": "2099-12-31", "threshold": "10",
        "active": "true"})
    return {"org": org_title, "target": target_title}


def test_open_progress_csv_writes_formulas_as_text(formula_titles: dict[str, str], live_server: str) -> None:
    answer = requests.get(f"{live_server}/open-progress/export.csv", timeout=60)
    assert answer.status_code == 200
    cells = [c for row in csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))) for c in row]
    assert "'" + formula_titles["org"] in cells and "'" + formula_titles["target"] in cells
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]


def test_open_progress_xlsx_has_no_formulas(formula_titles: dict[str, str], live_server: str) -> None:
    from openpyxl import load_workbook
    answer = requests.get(f"{live_server}/open-progress/export.xlsx", timeout=60)
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = {c.value for c in cells}
    assert "'" + formula_titles["org"] in values and "'" + formula_titles["target"] in values
