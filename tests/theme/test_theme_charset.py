"""Every text answer of ours and of ckanext-dcat declares charset=utf-8 (once): Turtle opened
in a browser used to show its Chinese as mojibake (``text/turtle`` without a charset)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from gd_chromium import chromium_session, needs_chromium
from gd_testing import dataset_dict, make_org, make_sysadmin

pytestmark = pytest.mark.usefixtures("gd")

TITLE = "字符集测试：广州市公交线路"


@pytest.fixture(scope="module")
def dataset(gd_plugins: None) -> dict:
    org = make_org(image_url="")
    return tk.get_action("package_create")({"user": make_sysadmin()["name"]},
                                           dataset_dict(org["id"], title=TITLE))


def _paths(name: str) -> list[str]:
    rdf = ["ttl", "rdf", "xml", "jsonld", "n3"]
    return ([f"/catalog.{ext}" for ext in rdf] + [f"/dataset/{name}.{ext}" for ext in rdf]
            + [f"/vocab/themes.{ext}" for ext in ("ttl", "rdf", "jsonld", "nt")]
            + ["/open-progress/export.csv", "/api/i18n/zh_Hans_CN"])


def test_text_answers_declare_utf8(gd_app, dataset):
    for path in _paths(dataset["name"]):
        res = gd_app.get(path)
        assert res.status_code == 200, path
        content_type = res.headers["Content-Type"].replace(" ", "").lower()
        assert content_type.count("charset=utf-8") == 1, (path, content_type)


@needs_chromium
def test_turtle_reads_as_chinese_in_a_browser(live_server, dataset):
    with chromium_session(live_server) as b:
        page = b.open(f"/dataset/{dataset['name']}.ttl")
        assert TITLE in page.inner_text("body")


def test_download_names_in_chinese_reach_the_browser(live_server, dataset):
    """CKAN names a publisher's member list "<name>-成员.csv" on Chinese pages; raw in the
    header, that name is not Latin-1 and the answer never arrived (the server dropped it)."""
    import urllib.request

    from ckan.tests import factories
    admin = make_sysadmin()
    token = factories.APIToken(user=admin["name"])["token"]
    org = make_org(image_url="", users=[{"name": admin["name"], "capacity": "admin"}])
    request = urllib.request.Request(f"{live_server}/organization/member_dump/{org['name']}",
                                     headers={"Authorization": token})
    with urllib.request.urlopen(request, timeout=30) as answer:
        disposition = answer.headers["Content-Disposition"]
        assert answer.status == 200 and admin["name"] in answer.read().decode("utf-8-sig")
    assert disposition.isascii()
    assert f"filename*=UTF-8''{org['name']}-%E6%88%90%E5%91%98.csv" in disposition, disposition
