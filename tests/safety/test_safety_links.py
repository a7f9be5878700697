"""Links are scanned like uploads (fetched through the project's URL policy, urlpolicy.py), and
a file declared CSV that is really a ZIP (a link or an upload) is read by its content when the
load cannot parse it, instead of being held as unscannable. A load error with parameters is
shown in the page's language. Real worker, real HTTP server on 127.0.0.1 (allow-listed in the
test ini, as harvest sources are)."""
from __future__ import annotations

from collections.abc import Iterator

import ckan.plugins.toolkit as tk
import pytest
from safety_support import anonymous_sees, as_user, create, file_server, make_org, show, upload, wait_scan
from test_safety_content import as_html, people_csv, zipped

pytestmark = [pytest.mark.usefixtures("worker"),
              pytest.mark.ckan_config("ckanext.guangdong.safety.scan_before_public", "true")]

FILES: dict[str, bytes] = {
    "/people.html": as_html(),
    "/people.txt": people_csv(),
    "/people-csv.zip": zipped("名单/people.csv", people_csv()),
}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with file_server(FILES) as url:
        yield url


def _finds_ids(row: dict, column_end: str = "身份证号码") -> bool:
    return any(f["detector"] == "resident_id" and f["column"].endswith(column_end) for f in row["findings"])


@pytest.mark.parametrize(("path", "fmt"), [("/people.html", "HTML"), ("/people.txt", "TXT")],
                         ids=["html-link", "txt-link"])
def test_a_link_in_a_format_that_is_not_loaded_is_scanned(server: str, path: str, fmt: str) -> None:
    org = make_org("city")
    pkg = create(org["id"], resources=[{"url": server + path, "name": "名单", "format": fmt}])
    assert pkg["private"] is True  # waiting for the scan
    row = wait_scan(pkg["id"], pkg["resources"][0]["id"], loaded=False)
    assert row["state"] == "findings", row
    assert _finds_ids(row)
    assert show(pkg["id"])["private"] is True and not anonymous_sees(pkg["id"])


def test_a_link_declared_csv_that_is_a_zip_is_read(server: str) -> None:
    org = make_org("city")
    pkg = create(org["id"], resources=[{"url": server + "/people-csv.zip", "name": "名单", "format": "CSV"}])
    row = wait_scan(pkg["id"], pkg["resources"][0]["id"])
    assert row["state"] == "findings", row  # not "failed": the ZIP's member was read
    assert _finds_ids(row)
    assert not anonymous_sees(pkg["id"])


def test_an_upload_declared_csv_that_is_a_zip_is_read() -> None:
    org = make_org("city")
    pkg = create(org["id"], resources=[{"upload": upload("people.csv", zipped("名单/people.csv", people_csv())),
                                        "url": "people.csv", "name": "名单", "format": "CSV"}])
    row = wait_scan(pkg["id"], pkg["resources"][0]["id"])
    assert row["state"] == "findings", row
    assert _finds_ids(row)
    assert not anonymous_sees(pkg["id"])


def test_a_link_outside_the_url_policy_is_not_fetched(server: str) -> None:
    """A link to an address the policy refuses (a private network) is never fetched: the
    scan fails with the policy's reason and the dataset is held."""
    org = make_org("city")
    pkg = create(org["id"], resources=[{"url": "http://10.255.255.1/people.txt", "name": "名单", "format": "TXT"}])
    row = wait_scan(pkg["id"], pkg["resources"][0]["id"], loaded=False)
    assert row["state"] == "failed", row
    assert show(pkg["id"])["private"] is True


def test_a_load_error_with_parameters_is_translated(server: str, gd_app: object) -> None:
    from safety_support import in_language
    org = make_org("city")
    pkg = create(org["id"], resources=[{"url": server + "/missing.csv", "name": "名单", "format": "CSV"}])
    row = wait_scan(pkg["id"], pkg["resources"][0]["id"])
    assert row["state"] == "failed", row
    for lang, words in (("zh_Hans_CN", "链接返回 HTTP 404"), ("en", "The link answered HTTP 404")):
        with in_language(gd_app, lang):
            state = tk.get_action("guangdong_safety_status")(as_user(None), {"id": pkg["id"]})
        assert state["files"][0]["error"] == words, state["files"][0]["error"]
