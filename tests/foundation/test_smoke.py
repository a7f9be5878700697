"""The real app over real HTTP, with the demo catalog loaded: the pages a visitor opens first."""
from __future__ import annotations

from urllib.parse import quote

import pytest
import requests

from ckanext.guangdong.demo.loader import load


@pytest.fixture(scope="module")
def demo_site(live_server: str, gd_plugins: None, reset_db, reset_index) -> str:
    # gd_plugins: the site's plugins, whatever an earlier folder left loaded (the live app may
    # have been built by an earlier folder, and tests/events runs with a reduced set).
    reset_db()
    reset_index()
    counts = load()
    assert counts["datasets"] >= 50
    return live_server


def _get(url: str, **params: str) -> requests.Response:
    response = requests.get(url, params=params, timeout=30)
    assert response.status_code == 200, (url, response.status_code, response.text[:500])
    return response


def test_home_is_chinese(demo_site: str) -> None:
    body = _get(demo_site + "/").text
    assert "开放广东" in body
    assert 'lang="zh' in body or "zh_Hans" in body


@pytest.mark.search_engine_neutral
def test_dataset_search_page_lists_chinese_datasets(demo_site: str) -> None:
    newest = _get(demo_site + "/api/3/action/package_search", rows="3").json()["result"]
    body = _get(demo_site + "/dataset/").text
    assert "数据集" in body
    assert newest["count"] >= 50
    for dataset in newest["results"]:
        assert dataset["title"] in body


@pytest.mark.search_engine_neutral
def test_organization_page_lists_cities(demo_site: str) -> None:
    body = _get(demo_site + "/organization/", q="河源").text
    assert "河源市" in body


def test_dataset_page(demo_site: str) -> None:
    found = _get(demo_site + "/api/3/action/package_search", q="河源 医疗机构").json()["result"]
    assert found["count"] >= 1
    name = found["results"][0]["name"]
    body = _get(f"{demo_site}/dataset/{quote(name)}").text
    assert "河源市医疗机构名录" in body


def test_status_show(demo_site: str) -> None:
    result = _get(demo_site + "/api/3/action/status_show").json()["result"]
    assert result["site_title"] == "开放广东"
    assert "guangdong_search" in result["extensions"]


@pytest.mark.search_engine_neutral
def test_package_search_with_a_chinese_query(demo_site: str) -> None:
    result = _get(demo_site + "/api/3/action/package_search", q="空气质量").json()["result"]
    titles = [r["title"] for r in result["results"]]
    assert result["count"] >= 5
    assert all("空气" in t or "空气" in r.get("notes", "") for t, r in zip(titles, result["results"], strict=False))


def test_english_is_offered(demo_site: str) -> None:
    body = _get(demo_site + "/en/").text
    assert "Datasets" in body


def test_demo_history_counts_from_issued_dates(demo_site: str) -> None:
    """The demo's datasets count for the targets from their own issued dates, so /open-progress
    shows a history instead of everything published on the day the demo was loaded."""
    found = _get(demo_site + "/api/3/action/package_search", rows="1000").json()["result"]["results"]
    by_2018 = sum(1 for d in found if d["issued"][:10] <= "2018-12-31")
    assert 0 < by_2018 < len(found)
    stats = _get(demo_site + "/api/3/action/guangdong_open_stats", as_of="2018-12-31").json()["result"]
    assert stats["datasets"] == by_2018
    progress = _get(demo_site + "/api/3/action/guangdong_target_progress", as_of="2019-06-30",
                    id="province-datasets-2018").json()["result"]["targets"][0]
    assert progress["count_at_deadline"] == by_2018 and progress["shortfall"] == 350 - by_2018
    assert len(stats["series"]["datasets"]) > 12  # month by month since the first issued date
