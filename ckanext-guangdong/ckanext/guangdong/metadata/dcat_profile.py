"""``guangdong_dcat_ap``: our fields in DCAT-AP 3, layered on ckanext-dcat's ``euro_dcat_ap_3``.

ckanext-dcat writes the generic parts (title, keywords, identifier, dates, distributions, contact
name and email). This profile replaces what it cannot know — our theme names become concept URIs
of the scheme served at /vocab/themes, frequency and access rights become EU authority URIs,
GB/T 2260 codes become region concepts — and adds the rest (publisher code, phone, record count,
data items, access conditions). Every URI used as a concept is typed skos:Concept in the same
graph, because the DCAT-AP 3 SHACL shapes check classes. ``parse_dataset`` reads all of it back
into our field names, so a CKAN running this profile can harvest our catalog losslessly.
Internal fields (share_type, data_level, deidentified) are never written.

The terms and field tables are in ``dcat_terms``, the node writers in ``dcat_nodes``, the
readers in ``dcat_parse``; this class only puts them in order.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ckanext.dcat.profiles.base import RDFProfile
from rdflib import BNode, Literal
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import RDF, SKOS

from ckanext.guangdong.metadata import dcat_nodes as nodes
from ckanext.guangdong.metadata import dcat_parse as parse
from ckanext.guangdong.metadata import internal
from ckanext.guangdong.metadata.dcat_terms import CSVW, DCAT, EU_CODED_FIELDS, GD, REGION, THEMES


class GuangdongDCATProfile(RDFProfile):

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        d = internal.strip(dict(dataset_dict))
        g = self.g
        g.bind("gd", GD)
        g.bind("csvw", CSVW)
        g.bind("skos", SKOS)

        nodes.checksum_algorithms(g, dataset_ref)
        nodes.scheme_values(g, dataset_ref, d.get(THEMES.field) or [], THEMES)
        for field in EU_CODED_FIELDS:
            nodes.eu_coded(g, dataset_ref, d, field)
        if d.get("access_conditions"):
            g.add((dataset_ref, GD.accessConditions, Literal(d["access_conditions"], lang="zh")))
        region = d.get(REGION.field)
        nodes.scheme_values(g, dataset_ref, [region] if region else [], REGION)
        self._temporal(d, dataset_ref)
        nodes.publisher(g, dataset_ref, d)
        nodes.contact_phone(g, dataset_ref, d)
        nodes.record_count_and_page(g, dataset_ref, d)
        nodes.data_items(g, dataset_ref, d.get("data_items") or [])
        for resource in d.get("resources") or []:
            nodes.distribution(g, d, resource)
        nodes.types_for_shacl(g, dataset_ref)

    def _temporal(self, d: Mapping[str, Any], dataset_ref: Any) -> None:
        nodes.replace(self.g, dataset_ref, DCT.temporal)
        if not (d.get("temporal_start") or d.get("temporal_end")):
            return
        period = BNode()
        self.g.add((period, RDF.type, DCT.PeriodOfTime))
        # RDFProfile's date writer: xsd:date or xsd:dateTime by the value's form
        if d.get("temporal_start"):
            self._add_date_triple(period, DCAT.startDate, str(d["temporal_start"])[:10])
        if d.get("temporal_end"):
            self._add_date_triple(period, DCAT.endDate, str(d["temporal_end"])[:10])
        self.g.add((dataset_ref, DCT.temporal, period))

    def graph_from_catalog(self, catalog_dict: dict[str, Any] | None, catalog_ref: Any) -> None:
        nodes.catalog(self.g, catalog_ref)

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> dict[str, Any]:
        d = dataset_dict
        set_keys = parse.dataset_fields(self.g, dataset_ref)
        for key in ("issued", "modified"):
            if d.get(key):
                d[key] = str(d[key])[:10]
        for key, value in set_keys.items():
            if value not in (None, "", []):
                d[key] = value
            else:
                d.pop(key, None)
        for key in parse.DCAT_STRUCTURED:
            d.pop(key, None)
        d["extras"] = [e for e in d.get("extras", [])
                       if e.get("key") not in set_keys
                       and not e.get("key", "").startswith(parse.DCAT_EXTRA_PREFIXES)]
        for resource in d.get("resources", []):
            parse.distribution(self.g, resource)
        return d
