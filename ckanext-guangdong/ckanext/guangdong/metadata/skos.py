"""Our SKOS concept schemes (themes, regions) as RDF, and the URIs the DCAT profile uses.

Concept URIs are hash URIs under the portal's base URI (``ckanext.dcat.base_uri`` or
``ckan.site_url``), e.g. ``<site>/vocab/themes#livelihood-services``; the scheme document itself
is served at ``/vocab/themes`` (and ``/vocab/themes.ttl`` etc.) by views.py, so they resolve.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from ckanext.guangdong.metadata import vocab

DCAT = Namespace("http://www.w3.org/ns/dcat#")
RDF_LANG = {"zh_Hans_CN": "zh", "en": "en"}  # BCP 47 tags for our two UI locales
SCHEMES = ("themes", "regions")


def base_uri() -> str:
    return (tk.config.get("ckanext.dcat.base_uri") or tk.config.get("ckan.site_url") or "").rstrip("/")


def scheme_uri(scheme: str) -> str:
    return f"{base_uri()}/vocab/{scheme}"


def theme_uri(name: str) -> str | None:
    found = vocab.entry("themes", name)
    return f"{scheme_uri('themes')}#{found['slug']}" if found else None


def theme_from_uri(uri: str) -> str | None:
    if "#" not in uri:
        return None
    found = vocab.theme_by_slug(uri.rsplit("#", 1)[1])
    return found["value"] if found else None


def region_uri(code: str) -> str | None:
    return f"{scheme_uri('regions')}#{code}" if vocab.entry("regions", code) else None


def region_from_uri(uri: str) -> str | None:
    code = uri.rsplit("#", 1)[-1]
    return code if vocab.entry("regions", code) else None


def _labels(graph: Graph, subject: URIRef, entry: dict) -> None:
    for lang, tag in RDF_LANG.items():
        graph.add((subject, SKOS.prefLabel, Literal(entry["label"][lang], lang=tag)))


def add_scheme(graph: Graph, scheme: str) -> URIRef:
    """Add a whole concept scheme (scheme node and every concept) to ``graph``."""
    scheme_ref = URIRef(scheme_uri(scheme))
    graph.bind("skos", SKOS)
    graph.bind("dct", DCTERMS)
    graph.add((scheme_ref, RDF.type, SKOS.ConceptScheme))
    if scheme == "themes":
        title = vocab.theme_scheme().get("title") or {}
        for lang, tag in RDF_LANG.items():
            if title.get(lang):
                graph.add((scheme_ref, DCTERMS.title, Literal(title[lang], lang=tag)))
        for entry in vocab.entries("themes"):
            concept = URIRef(f"{scheme_uri('themes')}#{entry['slug']}")
            add_concept(graph, concept, "themes", entry)
            if entry.get("eu"):
                eu = URIRef(vocab.EU_DATA_THEME + entry["eu"])
                graph.add((concept, SKOS.closeMatch, eu))
    else:
        graph.add((scheme_ref, DCTERMS.title, Literal("广东省行政区划（GB/T 2260）", lang="zh")))
        graph.add((scheme_ref, DCTERMS.title,
                   Literal("Administrative divisions of Guangdong (GB/T 2260)", lang="en")))
        for entry in vocab.entries("regions"):
            concept = URIRef(f"{scheme_uri('regions')}#{entry['value']}")
            add_concept(graph, concept, "regions", entry)
            graph.add((concept, RDF.type, DCTERMS.Location))
    return scheme_ref


def add_concept(graph: Graph, concept: URIRef, scheme: str, entry: dict[str, Any] | None) -> None:
    """One concept with its labels, notation and scheme (enough for SHACL class checks)."""
    if entry is None:  # not in the vocabulary: nothing to describe
        return
    graph.add((concept, RDF.type, SKOS.Concept))
    graph.add((concept, SKOS.inScheme, URIRef(scheme_uri(scheme))))
    graph.add((concept, SKOS.notation, Literal(entry["value"])))
    _labels(graph, concept, entry)


def scheme_graph(scheme: str) -> Graph:
    graph = Graph()
    add_scheme(graph, scheme)
    return graph
