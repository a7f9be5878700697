"""The home page and the dataset page of the theme, over HTTP from the live app: the counts are
what an anonymous visitor may see (never private, draft or 不予开放 datasets), the most viewed
datasets come from CKAN's tracking counts, and the API examples on a dataset page run."""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import ckan.plugins.toolkit as tk
import pytest
from browser_catalog import _context, ensure_org
from bs4 import BeautifulSoup

pytestmark = pytest.mark.usefixtures("browser_plugins")
PACKAGE = Path(__file__).resolve().parents[2] / "ckanext-guangdong" / "ckanext" / "guangdong"


def get(url: str, **headers: str) -> BeautifulSoup:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request) as answer:
        return BeautifulSoup(answer.read().decode("utf-8"), "html.parser")


def home(live_server: str, lang: str = "") -> BeautifulSoup:
    from ckanext.guangdong.theme import portal
    portal.clear()  # the home page keeps its figures for a minute
    return get(f"{live_server}{lang}/")


def count_of(page: BeautifulSoup, what: str) -> int:
    return int(page.select_one(f"[data-count={what}]").get_text())


def anonymous_count(**params: str) -> int:
    return tk.get_action("package_search")({"user": "", "ignore_auth": False}, {"rows": 0, **params})["count"]


def _dataset(org: dict, title: str, **extra) -> dict:
    data = {
        "type": "dataset", "title": title, "notes": "测试数据集。", "owner_org": org["id"],
        "identifier": f"29000/{uuid.uuid4().int % 10**10:010d}", "private": False,
        "publisher_name": org["title"], "publisher_identifier": "11440000006940081X", "theme": ["生态环保"],
        "access_rights": "unconditional", "frequency": "daily", "issued": "2019-01-01",
        "modified": "2025-03-04", "region_code": "440300", "contact_name": "数据科",
        "contact_email": "opendata@sz.gov.cn", "contact_phone": "0755-12345678",
        "data_items": [{"name": "监测点", "type": "string", "description": "监测点名称"}],
        "share_type": "conditional_share", "data_level": "level2", "deidentified": "true",
        "resources": [{"url": "http://127.0.0.1/air.json", "name": "空气质量", "format": "JSON"}],
    }
    data.update(extra)
    return tk.get_action("package_create")(_context(), data)


@pytest.fixture(scope="module")
def shenzhen(live_server):
    """A city with one open dataset and three that the public must not see."""
    org = ensure_org("city-440300", "深圳市", "440300", "city")
    uid = uuid.uuid4().hex[:6]
    public = _dataset(org, f"深圳市空气质量日报{uid}")
    hidden = [
        _dataset(org, f"深圳市内部名单{uid}", private=True),
        _dataset(org, f"深圳市不予开放清单{uid}", access_rights="not_open", private=True),
        _dataset(org, f"深圳市草稿数据{uid}", state="draft"),
    ]
    return {"org": org, "public": public, "hidden": hidden}


def test_home_counts_are_what_the_public_may_see(live_server, shenzhen, portal_catalog):
    page = home(live_server)
    assert count_of(page, "datasets") == anonymous_count() > 0
    assert count_of(page, "applications") == anonymous_count(fq="dataset_type:application")
    city = page.select_one("[data-region='440300'] a")
    assert city is not None and city["href"].endswith("/organization/city-440300")
    # Only what the public may see: the three hidden datasets of this run are not counted.
    public_in_city = anonymous_count(fq="organization:city-440300")
    assert f"{public_in_city} 个数据集" in city.get_text()
    sysadmin = {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]}
    assert tk.get_action("package_search")(sysadmin, {
        "rows": 0, "fq": "organization:city-440300", "include_private": True,
        "include_drafts": True})["count"] >= public_in_city + 2
    assert count_of(page, "cities") >= 1 and count_of(page, "departments") >= 1
    text = page.get_text()
    assert shenzhen["public"]["title"] in text  # among the latest
    for pkg in shenzhen["hidden"]:
        assert pkg["title"] not in text
    # A theme tile links to the search of that theme and shows its public count.
    tile = page.select_one("[data-theme='生态环保']")
    assert f"{anonymous_count(fq='theme:生态环保')} 个数据集" in tile.get_text()
    assert "theme=" in tile.a["href"]
    # Twenty-one cities, in English too.
    assert len(page.select(".gd-cities li")) == 21
    en = home(live_server, "/en")
    assert "Open datasets" in en.get_text() and "Shenzhen" in en.get_text()


def test_most_viewed_comes_from_ckans_tracking(live_server, portal_catalog):
    """Page views recorded by CKAN's tracking (as its JavaScript posts them), summed by
    ``ckan tracking update``, sort the home page's most viewed list."""
    from ckanext.tracking.cli.tracking import update_all
    name = portal_catalog["dataset"]["name"]
    for agent in ("a", "b", "c"):  # three visitors
        body = urllib.parse.urlencode({"url": f"/dataset/{name}", "type": "page"}).encode()
        urllib.request.urlopen(urllib.request.Request(
            f"{live_server}/_tracking", data=body, headers={"User-Agent": f"visitor-{agent}"}))
    update_all(dt.date.today().isoformat())
    page = home(live_server)
    viewed = page.select(".gd-most-viewed li a")
    assert viewed and viewed[0].get_text() == portal_catalog["title"]
    assert page.select_one(".gd-most-viewed [data-views]")["data-views"] == "3"
    dataset_page = get(f"{live_server}/dataset/{name}")
    assert dataset_page.select_one(".gd-views").get_text() == "3"


def test_dataset_page_facts_and_runnable_api_examples(live_server, portal_catalog, tmp_path):
    name = portal_catalog["dataset"]["name"]
    page = get(f"{live_server}/dataset/{name}")
    facts = page.select_one(".gd-facts")
    assert [b.get_text() for b in facts.select(".gd-format")] == ["CSV"]
    assert facts.select_one(".gd-frequency").get_text() == "每月"
    assert facts.select_one(".gd-modified").get_text() == "2024-07-01"
    assert facts.select_one(".gd-downloads").get_text().isdigit()
    en = get(f"{live_server}/en/dataset/{name}")
    assert en.select_one(".gd-frequency").get_text() == "Monthly"
    # The examples run as shown, against this portal.
    curl = page.select_one("#gd-api-curl").get_text()
    url = re.fullmatch(r'curl "([^"]+)"', curl).group(1)
    assert url.startswith(live_server)
    with urllib.request.urlopen(url) as answer:
        assert b'"success": true' in answer.read()
    script = tmp_path / "example.py"
    script.write_text(page.select_one("#gd-api-python").get_text(), encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert portal_catalog["resource"]["name"] in out.stdout and "CSV" in out.stdout


def test_private_dataset_page_offers_no_public_api_example(live_server, shenzhen):
    """A private dataset's page (seen by its editors only) shows no public API call."""
    sysadmin = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    pkg = shenzhen["hidden"][0]
    token = tk.get_action("api_token_create")({"user": sysadmin["name"], "ignore_auth": True},
                                              {"user": sysadmin["name"], "name": "t"})["token"]
    page = get(f"{live_server}/dataset/{pkg['name']}", Authorization=token)
    assert page.select_one(".gd-facts") is not None and page.select_one("#dataset-api") is None


TEMPLATE_MSGID = re.compile(r"""_\(\s*(['"])((?:(?!\1).)+)\1\s*[,)]""")


@pytest.mark.parametrize("feature", ["theme", "targets"])
def test_every_label_of_the_templates_is_in_both_catalogs(feature):
    from babel.messages.pofile import read_po
    used = set()
    for path in (PACKAGE / feature).rglob("*.html"):
        used |= {m.group(2).replace("\\'", "'") for m in TEMPLATE_MSGID.finditer(path.read_text("utf-8"))}
    for lang in ("zh_Hans_CN", "en"):
        po = PACKAGE / feature / "i18n" / lang / "LC_MESSAGES" / f"ckanext-guangdong-{feature}.po"
        # The feature's catalog as scripts/compile_translations.py builds it: the theme's .mo
        # also holds its override catalogs (CKAN's messages in the theme's copies of CKAN's
        # templates are translated there).
        known = set()
        for path in [po, *sorted((po.parent.parent / "overrides").glob("*.po"))]:
            with path.open("rb") as f:
                # English may leave msgstr empty (gettext then shows the msgid itself).
                known |= {m.id for m in read_po(f) if m.id and (m.string or lang == "en")}
        ckan_own = {"About {0}"}  # CKAN's catalog has these
        assert used - known - ckan_own == set(), f"{lang}: missing in {po.name}"
