"""The local Solr (scripts/solr.sh) serves docker/solr/conf as it is, with its Chinese
analysis, and CKAN accepts it. Runs where the test ini selects Solr (make test-solr)."""
from __future__ import annotations

from typing import Any

import pytest
from solr_helpers import ROOT, solr_get

pytestmark = pytest.mark.solr


@pytest.fixture(scope="module")
def core_url(gd_plugins: None) -> str:
    import ckan.plugins.toolkit as tk
    if tk.config.get("ckanext.guangdong.search_backend") != "solr":
        pytest.skip("the test ini does not select Solr; make test-solr runs this")
    return tk.config["solr_url"]


def analyse(core_url: str, field_type: str, text: str) -> list[str]:
    result = solr_get(f"{core_url}/analysis/field",
                      **{"analysis.fieldtype": field_type, "analysis.fieldvalue": text})
    return [t["text"] for t in result["analysis"]["field_types"][field_type]["index"][-1]]


@pytest.mark.parametrize("name", ["schema.xml", "solrconfig.xml", "synonyms.txt", "protwords.txt"])
def test_core_serves_the_docker_config_files(core_url: str, name: str) -> None:
    import urllib.request
    with urllib.request.urlopen(f"{core_url}/admin/file?file={name}&contentType=text/plain",
                                timeout=30) as resp:
        served = resp.read()
    assert served == (ROOT / "docker" / "solr" / "conf" / name).read_bytes()


def test_ckan_accepts_the_schema(core_url: str) -> None:
    from ckan.lib.search import check_solr_schema_version
    assert check_solr_schema_version() is True


def test_chinese_analysis_loads_and_folds(core_url: str) -> None:
    tokens = analyse(core_url, "text_zh", "廣州交通運輸PM2.5")
    # ICU: traditional → simplified; CJK bigrams with single characters at index time;
    # a Latin token with its dot kept, lowercased
    assert {"广州", "交通", "运输", "通运", "广"} <= set(tokens)
    assert "pm2.5" in tokens
    assert not {"廣", "運輸"} & set(tokens)


def test_query_side_appends_the_chinese_fields(core_url: str) -> None:
    params: dict[str, Any] = solr_get(f"{core_url}/select", q="交通", defType="edismax",
                                      qf="title", rows=0, echoParams="all")["responseHeader"]["params"]
    qf = params["qf"] if isinstance(params["qf"], list) else [params["qf"]]
    assert "title_zh^4 text_zh" in qf and "title" in qf
