"""The DCAT publisher node of a dataset whose organization carries no id (a search-index
document made outside package_create, as the relevance tests make): a blank node with the
organization's title, not ckanext-dcat's KeyError, which answered 500 for the whole catalog."""
from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF

from ckanext.guangdong.metadata import dcat_nodes


def test_an_organization_without_an_id_gets_a_blank_publisher_node() -> None:
    g = Graph()
    dataset = URIRef("http://127.0.0.1/dataset/x")
    dcat_nodes.publisher(g, dataset, {"organization": {"name": "relevance-x", "title": "测试机构"}})
    node = g.value(dataset, DCTERMS.publisher)
    assert isinstance(node, BNode)
    assert g.value(node, FOAF.name) == Literal("测试机构", lang="zh")
