"""Writers of our DCAT-AP 3 nodes: each adds one part of a dataset (or catalog) to an rdflib
graph, from the dataset's fields and the tables in ``dcat_terms``."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.dcat.utils import publisher_uri_organization_fallback, resource_uri
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import FOAF, RDF, RDFS, SKOS, XSD

from ckanext.guangdong.metadata import skos, vocab
from ckanext.guangdong.metadata.dcat_terms import (
    CSVW,
    DCAT,
    EU_LANGUAGE_ZH,
    GD,
    IANA_MEDIA,
    SPDX,
    VCARD,
    XSD_TYPES,
    EUCodedField,
    SchemeField,
)


def replace(g: Graph, subject: Any, predicate: URIRef) -> None:
    """Drop what an earlier profile wrote for ``predicate`` (and blank nodes it made)."""
    for obj in list(g.objects(subject, predicate)):
        g.remove((subject, predicate, obj))
        if isinstance(obj, BNode):
            g.remove((obj, None, None))


def eu_coded(g: Graph, dataset_ref: Any, d: Mapping[str, Any], field: EUCodedField) -> None:
    """A field coded by an EU authority URI, typed and labelled as a concept."""
    replace(g, dataset_ref, field.predicate)
    entry = vocab.entry(field.vocabulary, d.get(field.field))
    if entry and (uri := field.to_uri(entry["value"])):  # every entry has its EU URI
        ref = URIRef(uri)
        g.add((dataset_ref, field.predicate, ref))
        g.add((ref, RDF.type, SKOS.Concept))
        g.add((ref, RDF.type, field.rdf_class))
        for lang, tag in skos.RDF_LANG.items():
            g.add((ref, SKOS.prefLabel, Literal(entry["label"][lang], lang=tag)))


def scheme_values(g: Graph, dataset_ref: Any, values: Iterable[str], field: SchemeField) -> None:
    """Values of one of our SKOS schemes, each described as a concept of that scheme."""
    if field.replaces:
        replace(g, dataset_ref, field.predicate)
    for value in values:
        uri = field.to_uri(value)
        if not uri:
            continue
        ref = URIRef(uri)
        g.add((dataset_ref, field.predicate, ref))
        skos.add_concept(g, ref, field.scheme, vocab.entry(field.scheme, value))
        if field.extra_class is not None:
            g.add((ref, RDF.type, field.extra_class))


def publisher(g: Graph, dataset_ref: Any, d: Mapping[str, Any]) -> None:
    if not (d.get("publisher_name") or d.get("organization")):
        return
    replace(g, dataset_ref, DCT.publisher)
    # ckanext-dcat's fallback reads organization["id"]: an organization without one (an
    # index document made outside package_create) gets a blank node, not a 500 for the catalog.
    uri = publisher_uri_organization_fallback(d) if (d.get("organization") or {}).get("id") else None
    ref = URIRef(uri) if uri else BNode()
    g.add((dataset_ref, DCT.publisher, ref))
    g.add((ref, RDF.type, FOAF.Agent))
    name = d.get("publisher_name") or (d.get("organization") or {}).get("title")
    g.add((ref, FOAF.name, Literal(name, lang="zh")))
    if d.get("publisher_identifier"):
        g.add((ref, DCT.identifier, Literal(d["publisher_identifier"])))


def contact_phone(g: Graph, dataset_ref: Any, d: Mapping[str, Any]) -> None:
    if not d.get("contact_phone"):
        return
    contact = g.value(dataset_ref, DCAT.contactPoint)
    if contact is None:
        contact = BNode()
        g.add((dataset_ref, DCAT.contactPoint, contact))
        g.add((contact, RDF.type, VCARD.Organization))
        g.add((contact, VCARD.fn, Literal(d.get("publisher_name") or "")))
    phone = str(d["contact_phone"]).replace(" ", "")
    g.add((contact, VCARD.hasTelephone, URIRef("tel:" + phone)))


def record_count_and_page(g: Graph, dataset_ref: Any, d: Mapping[str, Any]) -> None:
    if d.get("record_count") not in (None, ""):
        g.add((dataset_ref, GD.recordCount,
               Literal(int(d["record_count"]), datatype=XSD.nonNegativeInteger)))
    if d.get("harvest_remote_url"):
        page = URIRef(d["harvest_remote_url"])
        g.add((dataset_ref, FOAF.page, page))
        g.add((page, RDF.type, FOAF.Document))


def data_items(g: Graph, dataset_ref: Any, items: Iterable[dict[str, Any]]) -> None:
    items = [i for i in items if isinstance(i, dict) and i.get("name")]
    if not items:
        return
    structure = BNode()
    g.add((dataset_ref, DCT.conformsTo, structure))
    g.add((structure, RDF.type, DCT.Standard))
    g.add((structure, RDF.type, CSVW.Schema))
    g.add((structure, DCT.title, Literal("信息项", lang="zh")))
    g.add((structure, DCT.title, Literal("Data items", lang="en")))
    for position, item in enumerate(items, start=1):
        column = BNode()
        g.add((structure, CSVW.column, column))
        g.add((column, RDF.type, CSVW.Column))
        g.add((column, CSVW.name, Literal(item["name"])))
        g.add((column, GD.position, Literal(position, datatype=XSD.integer)))
        if item.get("type") in XSD_TYPES:
            g.add((column, CSVW.datatype, XSD_TYPES[item["type"]]))
        if item.get("description"):
            g.add((column, DCT.description, Literal(item["description"])))


def distribution(g: Graph, d: Mapping[str, Any], resource: dict[str, Any]) -> None:
    dist = URIRef(resource_uri(resource))
    fmt = vocab.entry("formats", resource.get("format"))
    if fmt:
        replace(g, dist, DCT["format"])
        replace(g, dist, DCAT.mediaType)
        if fmt.get("eu"):
            ref = URIRef(vocab.EU_FILE_TYPE + fmt["eu"])
            g.add((dist, DCT["format"], ref))
            g.add((ref, RDF.type, DCT.MediaTypeOrExtent))
        else:  # 接口 / other: no EU file type; the label keeps the value
            g.add((dist, GD["format"], Literal(fmt["value"])))
        mimetype = resource.get("mimetype") or fmt.get("mimetype")
        if mimetype and "/" in mimetype:
            ref = URIRef(IANA_MEDIA + mimetype)
            g.add((dist, DCAT.mediaType, ref))
            g.add((ref, RDF.type, DCT.MediaType))
    # a format outside our list: ckanext-dcat writes the mimetype as text (text/markdown), which
    # DCAT-AP 3 refuses (dcat:mediaType is a dct:MediaType): the IANA IRI instead
    for value in list(g.objects(dist, DCAT.mediaType)):
        if isinstance(value, Literal):
            g.remove((dist, DCAT.mediaType, value))
            if "/" in str(value):
                ref = URIRef(IANA_MEDIA + str(value).strip())
                g.add((dist, DCAT.mediaType, ref))
                g.add((ref, RDF.type, DCT.MediaType))
    # a distribution without its own licence gets the dataset's (MQA "licence" points)
    if d.get("license_url") and (dist, DCT.license, None) not in g:
        ref = URIRef(d["license_url"])
        g.add((dist, DCT.license, ref))
        g.add((ref, RDF.type, DCT.LicenseDocument))


def checksum_algorithms(g: Graph, dataset_ref: Any) -> None:
    """DCAT-AP 3 requires a checksum's algorithm; the data feature's load job keeps the
    MD5 of the file it loaded in CKAN's ``hash`` (and no ``hash_algorithm``)."""
    for dist in g.objects(dataset_ref, DCAT.distribution):
        for checksum in g.objects(dist, SPDX.checksum):
            value = str(g.value(checksum, SPDX.checksumValue) or "")
            if g.value(checksum, SPDX.algorithm) is None and re.fullmatch(r"[0-9a-f]{32}", value):
                algorithm = SPDX.checksumAlgorithm_md5
                g.add((checksum, SPDX.algorithm, algorithm))
                g.add((algorithm, RDF.type, SPDX.ChecksumAlgorithm))


def types_for_shacl(g: Graph, dataset_ref: Any) -> None:
    """The DCAT-AP 3 shapes check classes without inference: say explicitly that a vCard
    Organization is a vcard:Kind and that access/download URLs are rdfs:Resources."""
    for contact in g.objects(dataset_ref, DCAT.contactPoint):
        g.add((contact, RDF.type, VCARD.Kind))
    for dist in g.objects(dataset_ref, DCAT.distribution):
        for predicate in (DCAT.accessURL, DCAT.downloadURL):
            for url in g.objects(dist, predicate):
                g.add((url, RDF.type, RDFS.Resource))


def catalog(g: Graph, catalog_ref: Any) -> None:
    """The portal as publisher, Chinese as an EU language, the theme scheme, the province."""
    publisher_ref = URIRef(skos.base_uri() + "/#publisher")
    g.add((catalog_ref, DCT.publisher, publisher_ref))
    g.add((publisher_ref, RDF.type, FOAF.Agent))
    name = tk.config.get("ckanext.guangdong.schema.catalog_publisher") or tk.config.get(
        "ckan.site_title")
    g.add((publisher_ref, FOAF.name, Literal(name, lang="zh")))
    # the catalog's language as an EU authority URI instead of the locale literal
    for lang in list(g.objects(catalog_ref, DCT.language)):
        g.remove((catalog_ref, DCT.language, lang))
    g.add((catalog_ref, DCT.language, EU_LANGUAGE_ZH))
    g.add((EU_LANGUAGE_ZH, RDF.type, DCT.LinguisticSystem))
    for homepage in g.objects(catalog_ref, FOAF.homepage):
        g.add((homepage, RDF.type, FOAF.Document))
    g.add((catalog_ref, DCAT.themeTaxonomy, skos.add_scheme(g, "themes")))
    province_uri = skos.region_uri("440000")
    assert province_uri is not None  # the province is in schemas/vocab/regions.yaml
    province = URIRef(province_uri)
    g.add((catalog_ref, DCT.spatial, province))
    skos.add_concept(g, province, "regions", vocab.entry("regions", "440000"))
    g.add((province, RDF.type, DCT.Location))
