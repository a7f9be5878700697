"""SolrCloud spike (docs/deployment.md, "SolrCloud"): CKAN indexes into and searches a
collection of 2 shards x 2 replicas on 2 nodes with our config set in ZooKeeper, and with
one node stopped searches still answer and writes still land.

Needs Java and Maven (scripts/solr.sh) and the Solr port: `make test-solr` runs it
(GD_SOLR_CLOUD_TEST=1); elsewhere it is skipped."""
from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from gd_testing import make_sysadmin
from solr_helpers import run_solr_sh, solr_get, wait_for

pytestmark = [
    pytest.mark.solrcloud,
    pytest.mark.skipif(os.environ.get("GD_SOLR_CLOUD_TEST") != "1",
                       reason="needs Java, Maven and the Solr port; run by make test-solr "
                              "(scripts/test-solr.sh sets GD_SOLR_CLOUD_TEST=1)"),
]


@pytest.fixture
def make_dataset(solr_cloud: dict[str, Any]) -> Callable[..., dict[str, Any]]:
    import ckan.plugins.toolkit as tk
    from ckan.tests import factories
    admin = make_sysadmin()
    org = factories.Organization(name=f"cloud-{uuid.uuid4().hex[:10]}")

    def make(title: str, **overrides: Any) -> dict[str, Any]:
        data = {
            "type": "dataset", "name": f"cloud-{uuid.uuid4().hex[:12]}", "title": title,
            "notes": f"{title}。", "identifier": f"29000/{uuid.uuid4().int % 10**10:010d}",
            "owner_org": org["id"], "publisher_name": "广东省交通运输厅",
            "publisher_identifier": "11440000006940081X", "theme": ["民生服务"],
            "access_rights": "unconditional", "frequency": "monthly", "issued": "2020-01-01",
            "modified": "2020-02-01", "region_code": "440000", "contact_name": "数据科",
            "contact_email": "opendata@gd.gov.cn", "contact_phone": "020-12345678",
            "record_count": 10, "license_id": "cc-by",
        }
        data.update(overrides)  # the publisher puts 交通 into every dataset's text
        return tk.get_action("package_create")({"user": admin["name"], "ignore_auth": True}, data)
    make.org = org  # type: ignore[attr-defined]
    return make


def search(org: dict[str, Any], q: str = "*:*") -> set[str]:
    import ckan.plugins.toolkit as tk
    result = tk.get_action("package_search")(
        {"ignore_auth": True}, {"q": q, "fq": f'organization:{org["name"]}', "rows": 100})
    return {r["id"] for r in result["results"]}


def shard_counts(state: dict[str, Any], node: int, ids: set[str]) -> dict[str, int]:
    """Documents of ``ids`` per shard, asked of one node (each shard queried alone)."""
    url = f'{state["nodes"][node - 1]["url"]}/{state["collection"]}/select'
    fq = "id:(" + " OR ".join(ids) + ")"
    return {shard: solr_get(url, q="*:*", fq=fq, rows=0, shards=shard)["response"]["numFound"]
            for shard in state["shards"]}


def test_collection_layout_and_ckan_schema_check(solr_cloud: dict[str, Any]) -> None:
    from ckan.lib.search import check_solr_schema_version
    assert check_solr_schema_version() is True  # our schema.xml, read from ZooKeeper
    assert sorted(solr_cloud["shards"]) == ["shard1", "shard2"]
    names = {n["nodeName"] for n in solr_cloud["nodes"]}
    for shard, replicas in solr_cloud["shards"].items():
        # 2 replicas per shard, one on each node: either node can serve every shard
        assert {r["node"] for r in replicas} == names, shard
        assert all(r["state"] == "active" for r in replicas)
        assert sum(r["leader"] for r in replicas) == 1
    # the Chinese analysis of our config set is loaded on the cloud too
    tokens = solr_get(f'{solr_cloud["collection_url"]}/analysis/field',
                      **{"analysis.fieldtype": "text_zh", "analysis.fieldvalue": "交通運輸"})
    index = tokens["analysis"]["field_types"]["text_zh"]["index"]
    assert "运输" in [t["text"] for t in index[-1]]


def test_ckan_indexes_and_searches_across_shards(solr_cloud: dict[str, Any],
                                                 make_dataset: Callable[..., dict[str, Any]]) -> None:
    ids = {make_dataset(f"云端测试交通数据{i}")["id"] for i in range(8)}
    # its publisher is not the transport department (whose name would put 交通 in its text)
    other = make_dataset("云端测试气象数据", publisher_name="广东省气象局")["id"]
    org = make_dataset.org  # type: ignore[attr-defined]
    assert search(org) == ids | {other}
    assert search(org, "交通数据") == ids          # Chinese words inside the titles
    assert search(org, "氣象") == {other}          # traditional → simplified
    counts = shard_counts(solr_cloud, 1, ids | {other})
    assert sum(counts.values()) == 9 and all(counts.values()), counts  # both shards hold some


def test_one_node_down_searches_answer_and_writes_land(
        solr_cloud: dict[str, Any], make_dataset: Callable[..., dict[str, Any]]) -> None:
    import ckan.plugins.toolkit as tk
    org = make_dataset.org  # type: ignore[attr-defined]
    before = {make_dataset(f"节点测试数据{i}")["id"] for i in range(6)}
    assert search(org) == before

    run_solr_sh("cloud-node", "stop", "2")
    try:
        state = json.loads(solr_cloud["file"].read_text())
        assert [n["running"] for n in state["nodes"]] == [True, False]
        live = state["nodes"][0]["nodeName"]
        for shard, replicas in state["shards"].items():  # node 1 leads every shard now
            assert [r["node"] for r in replicas if r["leader"]] == [live], shard
        assert search(org) == before                          # reads: every document
        added = make_dataset("节点停机后新增数据")["id"]       # writes land
        assert search(org) == before | {added}
        gone = sorted(before)[0]
        tk.get_action("package_delete")({"ignore_auth": True, "user": make_sysadmin()["name"]},
                                        {"id": gone})
        assert search(org) == (before | {added}) - {gone}
    finally:
        run_solr_sh("cloud-node", "start", "2")
    # node 2 back: it caught up. Each of its cores, asked alone (distrib=false), holds
    # the current documents of its shard: together, every document, the deleted one gone.
    want = (before | {added}) - {gone}
    node2 = state["nodes"][1]
    cores = [r["core"] for replicas in state["shards"].values() for r in replicas
             if r["node"] == node2["nodeName"]]
    assert len(cores) == 2
    fq = "id:(" + " OR ".join(want | {gone}) + ")"

    def node2_ids() -> set[str]:
        return {d["id"] for core in cores for d in solr_get(
            f'{node2["url"]}/{core}/select', q="*:*", fq=fq, fl="id", rows=100,
            distrib="false")["response"]["docs"]}
    assert wait_for(lambda: node2_ids() == want), node2_ids()


def test_portal_on_the_collection_answers_like_one_node(solr_cloud: dict[str, Any]) -> None:
    """A slice of the differential cases (test_search_differential.py) on the 2-shard ×
    2-replica collection: the same counts, ids, pages and facet counts as the embedded
    backend — which the full differential run shows to answer like one Solr node — and
    still the same with node 2 stopped. GD_DIFF_CLOUD_CASES sets the slice (default 300)."""
    import random

    from diff_support import engines_with_catalog, run_cases
    seed = int(os.environ.get("GD_DIFF_SEED") or random.SystemRandom().randrange(10**6))
    cases = int(os.environ.get("GD_DIFF_CLOUD_CASES") or 300)
    print(f"\nSolrCloud differential slice: seed {seed}, {cases} cases, then {cases // 3} "
          "with node 2 stopped (replay: GD_DIFF_SEED)")
    with engines_with_catalog() as engines:
        stats, disagreements = run_cases(engines, seed, cases)
        print(f"  both nodes: {stats}, {len(disagreements)} disagreements")
        assert not disagreements, "\n".join(disagreements[:10])
        run_solr_sh("cloud-node", "stop", "2")
        try:
            stats, disagreements = run_cases(engines, seed + 1, cases // 3)
        finally:
            run_solr_sh("cloud-node", "start", "2")
        print(f"  node 2 stopped: {stats}, {len(disagreements)} disagreements")
        assert not disagreements, "\n".join(disagreements[:10])
