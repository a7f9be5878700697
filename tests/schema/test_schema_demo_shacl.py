"""Every public demo dataset has RDF and is listed on the catalog pages, and all of it conforms to
DCAT-AP 3 SHACL (that check skips, saying why, without the shapes: see test_schema_dcat).

The demo catalog goes through the same actions and validators as any input; loading it is
idempotent, so this costs its full time (about half a minute) only on a fresh database."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
import rdflib
import yaml
from test_schema_dcat import shacl_shapes

pytestmark = pytest.mark.usefixtures("gd")
DCAT_DATASET = rdflib.URIRef("http://www.w3.org/ns/dcat#dataset")
DEMO = Path(__file__).resolve().parents[2] / "ckanext-guangdong" / "ckanext" / "guangdong" / "demo"


def demo_org_names() -> list[str]:
    data = yaml.safe_load((DEMO / "data" / "publishers.yaml").read_text("utf-8"))
    return [f"city-{c['code']}" for c in data["cities"]] + [d["name"] for d in data["departments"]]


@pytest.fixture(scope="module")
def demo_rdf(gd_app) -> dict[str, Any]:
    """The demo catalog loaded; every public demo dataset's RDF and the catalog pages listing
    them, in one graph."""
    from ckanext.guangdong.demo.loader import load
    load()
    orgs = " OR ".join(demo_org_names())
    # Public ones only: other test folders may have left private (withdrawn) datasets in these
    # organizations, which an anonymous visitor rightly cannot fetch.
    found = tk.get_action("package_search")({}, {"fq": f"organization:({orgs}) +capacity:public",
                                                 "rows": 1000})
    graph = rdflib.Graph()
    statuses = {}
    for pkg in found["results"]:
        answer = gd_app.get(f"/dataset/{pkg['name']}.ttl")
        statuses[pkg["name"]] = answer.status_code
        if answer.status_code == 200:
            graph.parse(data=answer.body, format="turtle")
    listed: set[str] = set()
    for org in demo_org_names():
        # one publisher per request: ckanext-dcat cannot write a Hydra page URI with spaces
        page, pages = 1, 1
        while page <= pages:
            body = gd_app.get("/catalog.ttl", query_string={"fq": f"organization:{org}",
                                                             "page": page}).body
            page_graph = rdflib.Graph().parse(data=body, format="turtle")
            graph += page_graph
            listed |= {str(o) for o in page_graph.objects(None, DCAT_DATASET)}
            total = re.search(r"hydra:totalItems (\d+)", body)  # only when paged
            pages = (int(total.group(1)) + 99) // 100 if total else 1
            page += 1
    return {"found": found, "statuses": statuses, "listed": listed, "graph": graph}


@pytest.mark.search_engine_neutral
def test_demo_datasets_are_public_licensed_and_listed(demo_rdf) -> None:
    found = demo_rdf["found"]
    assert found["count"] >= 40, "the demo catalog should have loaded"
    licences = {pkg["license_id"] for pkg in found["results"]}
    assert licences >= {"cc-by", "cc-zero", "odc-by", "cc-by-sa"}, licences  # every one has one
    assert all(pkg["license_url"] for pkg in found["results"])
    for name, status in demo_rdf["statuses"].items():
        assert status == 200, name
    assert len(demo_rdf["listed"]) == found["count"]


@pytest.mark.search_engine_neutral
def test_demo_datasets_and_catalog_conform(demo_rdf) -> None:
    import pyshacl
    shapes = shacl_shapes()
    conforms, _, report = pyshacl.validate(demo_rdf["graph"], shacl_graph=shapes,
                                           inference="none", allow_warnings=True)
    assert conforms, report[:5000]
