"""``guangdong_dcat_ap``: our fields in DCAT-AP 3, layered on ckanext-dcat's ``euro_dcat_ap_3``.

ckanext-dcat writes the generic parts (title, keywords, identifier, dates, distributions, contact
name and email). This profile replaces what it cannot know — our theme names become concept URIs
of the scheme served at /vocab/themes, frequency and access rights become EU authority URIs,
GB/T 2260 codes become region concepts — and adds the rest (publisher code, phone, record count,
data items, access conditions). Every URI used as a concept is typed skos:Concept in the same
graph, because the DCAT-AP 3 SHACL shapes check classes. ``parse_dataset`` reads all of it back
into our field names, so a CKAN running this profile can harvest our catalog losslessly.
Internal fields (share_type, data_level, deidentified) are never written.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles.base import RDFProfile
from ckanext.dcat.utils import publisher_uri_organization_fallback
from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import FOAF, RDF, RDFS, SKOS, XSD

from ckanext.guangdong.metadata import internal, skos, vocab

DCAT = Namespace("http://www.w3.org/ns/dcat#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SCHEMA = Namespace("http://schema.org/")
CSVW = Namespace("http://www.w3.org/ns/csvw#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
# Our own terms, for the two elements DCAT-AP has no property for (documented in docs/schema.md).
GD = Namespace("https://open.gd.gov.cn/ns/opendata#")
IANA_MEDIA = vocab.IANA_MEDIA_TYPES
EU_LANGUAGE_ZH = URIRef("http://publications.europa.eu/resource/authority/language/ZHO")

# data item type -> XML Schema datatype (csvw:datatype)
XSD_TYPES: dict[str, URIRef] = {
    "string": XSD.string, "integer": XSD.integer, "decimal": XSD.decimal, "date": XSD.date,
    "datetime": XSD.dateTime, "boolean": XSD.boolean, "binary": XSD.base64Binary,
}


class GuangdongDCATProfile(RDFProfile):

    # --- writing ---------------------------------------------------------------------------

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        d = internal.strip(dict(dataset_dict))
        g = self.g
        g.bind("gd", GD)
        g.bind("csvw", CSVW)
        g.bind("skos", SKOS)

        self._checksum_algorithms(dataset_ref)
        self._replace(dataset_ref, DCAT.theme)
        for name in d.get("theme") or []:
            uri = skos.theme_uri(name)
            if uri:
                ref = URIRef(uri)
                g.add((dataset_ref, DCAT.theme, ref))
                skos.add_concept(g, ref, "themes", vocab.entry("themes", name))

        self._replace(dataset_ref, DCT.accrualPeriodicity)
        freq = vocab.entry("frequencies", d.get("frequency"))
        if freq and (uri := vocab.frequency_uri(freq["value"])):  # every entry has its EU URI
            ref = URIRef(uri)
            g.add((dataset_ref, DCT.accrualPeriodicity, ref))
            self._concept(ref, freq, DCT.Frequency)

        self._replace(dataset_ref, DCT.accessRights)
        rights = vocab.entry("access_rights", d.get("access_rights"))
        if rights and (uri := vocab.access_rights_uri(rights["value"])):  # every entry has its EU URI
            ref = URIRef(uri)
            g.add((dataset_ref, DCT.accessRights, ref))
            self._concept(ref, rights, DCT.RightsStatement)
        if d.get("access_conditions"):
            g.add((dataset_ref, GD.accessConditions, Literal(d["access_conditions"], lang="zh")))

        region = d.get("spatial_coverage")
        if region and (uri := skos.region_uri(region)):
            ref = URIRef(uri)
            g.add((dataset_ref, DCT.spatial, ref))
            skos.add_concept(g, ref, "regions", vocab.entry("regions", region))
            g.add((ref, RDF.type, DCT.Location))

        self._replace(dataset_ref, DCT.temporal)
        if d.get("temporal_start") or d.get("temporal_end"):
            period = BNode()
            g.add((period, RDF.type, DCT.PeriodOfTime))
            if d.get("temporal_start"):
                self._add_date_triple(period, DCAT.startDate, str(d["temporal_start"])[:10])
            if d.get("temporal_end"):
                self._add_date_triple(period, DCAT.endDate, str(d["temporal_end"])[:10])
            g.add((dataset_ref, DCT.temporal, period))

        self._publisher(d, dataset_ref)
        self._contact_phone(d, dataset_ref)

        if d.get("record_count") not in (None, ""):
            g.add((dataset_ref, GD.recordCount,
                   Literal(int(d["record_count"]), datatype=XSD.nonNegativeInteger)))
        self._data_items(d.get("data_items") or [], dataset_ref)
        if d.get("harvest_remote_url"):
            page = URIRef(d["harvest_remote_url"])
            g.add((dataset_ref, FOAF.page, page))
            g.add((page, RDF.type, FOAF.Document))

        for resource in d.get("resources") or []:
            self._distribution(d, resource, dataset_ref)
        self._type_for_shacl(dataset_ref)

    def _type_for_shacl(self, dataset_ref: Any) -> None:
        """The DCAT-AP 3 shapes check classes without inference: say explicitly that a vCard
        Organization is a vcard:Kind and that access/download URLs are rdfs:Resources."""
        g = self.g
        for contact in g.objects(dataset_ref, DCAT.contactPoint):
            g.add((contact, RDF.type, VCARD.Kind))
        for dist in g.objects(dataset_ref, DCAT.distribution):
            for predicate in (DCAT.accessURL, DCAT.downloadURL):
                for url in g.objects(dist, predicate):
                    g.add((url, RDF.type, RDFS.Resource))

    def graph_from_catalog(self, catalog_dict: dict[str, Any] | None, catalog_ref: Any) -> None:
        g = self.g
        publisher = URIRef(skos.base_uri() + "/#publisher")
        g.add((catalog_ref, DCT.publisher, publisher))
        g.add((publisher, RDF.type, FOAF.Agent))
        name = tk.config.get("ckanext.guangdong.schema.catalog_publisher") or tk.config.get(
            "ckan.site_title")
        g.add((publisher, FOAF.name, Literal(name, lang="zh")))
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

    # --- helpers for writing -----------------------------------------------------------------

    def _checksum_algorithms(self, dataset_ref: Any) -> None:
        """DCAT-AP 3 requires a checksum's algorithm; the data feature's load job keeps the
        MD5 of the file it loaded in CKAN's ``hash`` (and no ``hash_algorithm``)."""
        import re
        for dist in self.g.objects(dataset_ref, DCAT.distribution):
            for checksum in self.g.objects(dist, SPDX.checksum):
                value = str(self.g.value(checksum, SPDX.checksumValue) or "")
                if self.g.value(checksum, SPDX.algorithm) is None and re.fullmatch(r"[0-9a-f]{32}", value):
                    algorithm = SPDX.checksumAlgorithm_md5
                    self.g.add((checksum, SPDX.algorithm, algorithm))
                    self.g.add((algorithm, RDF.type, SPDX.ChecksumAlgorithm))

    def _replace(self, subject: Any, predicate: URIRef) -> None:
        """Drop what an earlier profile wrote for ``predicate`` (and blank nodes it made)."""
        for obj in list(self.g.objects(subject, predicate)):
            self.g.remove((subject, predicate, obj))
            if isinstance(obj, BNode):
                self.g.remove((obj, None, None))

    def _concept(self, ref: URIRef, entry: dict[str, Any], rdf_class: URIRef) -> None:
        self.g.add((ref, RDF.type, SKOS.Concept))
        self.g.add((ref, RDF.type, rdf_class))
        for lang, tag in skos.RDF_LANG.items():
            self.g.add((ref, SKOS.prefLabel, Literal(entry["label"][lang], lang=tag)))

    def _publisher(self, d: Mapping[str, Any], dataset_ref: Any) -> None:
        if not (d.get("publisher_name") or d.get("organization")):
            return
        self._replace(dataset_ref, DCT.publisher)
        uri = publisher_uri_organization_fallback(d) if d.get("organization") else None
        ref = URIRef(uri) if uri else BNode()
        g = self.g
        g.add((dataset_ref, DCT.publisher, ref))
        g.add((ref, RDF.type, FOAF.Agent))
        name = d.get("publisher_name") or (d.get("organization") or {}).get("title")
        g.add((ref, FOAF.name, Literal(name, lang="zh")))
        if d.get("publisher_id"):
            g.add((ref, DCT.identifier, Literal(d["publisher_id"])))

    def _contact_phone(self, d: Mapping[str, Any], dataset_ref: Any) -> None:
        if not d.get("contact_phone"):
            return
        contact = self.g.value(dataset_ref, DCAT.contactPoint)
        if contact is None:
            contact = BNode()
            self.g.add((dataset_ref, DCAT.contactPoint, contact))
            self.g.add((contact, RDF.type, VCARD.Organization))
            self.g.add((contact, VCARD.fn, Literal(d.get("publisher_name") or "")))
        phone = str(d["contact_phone"]).replace(" ", "")
        self.g.add((contact, VCARD.hasTelephone, URIRef("tel:" + phone)))

    def _data_items(self, items: Iterable[dict[str, Any]], dataset_ref: Any) -> None:
        items = [i for i in items if isinstance(i, dict) and i.get("name")]
        if not items:
            return
        g = self.g
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

    def _distribution(self, d: Mapping[str, Any], resource: dict[str, Any], dataset_ref: Any) -> None:
        from ckanext.dcat.utils import resource_uri
        g = self.g
        dist = URIRef(resource_uri(resource))
        fmt = vocab.entry("formats", resource.get("format"))
        if fmt:
            self._replace(dist, DCT["format"])
            self._replace(dist, DCAT.mediaType)
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
        # a distribution without its own licence gets the dataset's (MQA "licence" points)
        if d.get("license_url") and (dist, DCT.license, None) not in g:
            ref = URIRef(d["license_url"])
            g.add((dist, DCT.license, ref))
            g.add((ref, RDF.type, DCT.LicenseDocument))

    # --- reading -----------------------------------------------------------------------------

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> dict[str, Any]:
        g = self.g
        d = dataset_dict
        set_keys: dict[str, Any] = {}

        themes = []
        for ref in g.objects(dataset_ref, DCAT.theme):
            name = skos.theme_from_uri(str(ref)) or self._label_in(ref, "themes")
            if name and name not in themes:
                themes.append(name)
        # RDF has no order; the schema stores themes in vocabulary order
        set_keys["theme"] = [v for v in vocab.values("themes") if v in themes] or None

        ref = g.value(dataset_ref, DCT.accrualPeriodicity)
        set_keys["frequency"] = vocab.frequency_from_uri(str(ref)) if ref is not None else None
        ref = g.value(dataset_ref, DCT.accessRights)
        set_keys["access_rights"] = (vocab.access_rights_from_uri(str(ref))
                                     if isinstance(ref, URIRef) else None)
        set_keys["access_conditions"] = self._literal(dataset_ref, GD.accessConditions)

        region = None
        for ref in g.objects(dataset_ref, DCT.spatial):
            region = skos.region_from_uri(str(ref)) or self._literal(ref, SKOS.notation)
            if region and vocab.entry("regions", region):
                break
            region = None
        set_keys["spatial_coverage"] = region

        period = g.value(dataset_ref, DCT.temporal)
        if period is not None:
            start = g.value(period, DCAT.startDate) or g.value(period, SCHEMA.startDate)
            end = g.value(period, DCAT.endDate) or g.value(period, SCHEMA.endDate)
            set_keys["temporal_start"] = str(start)[:10] if start else None
            set_keys["temporal_end"] = str(end)[:10] if end else None

        publisher = g.value(dataset_ref, DCT.publisher)
        if publisher is not None:
            set_keys["publisher_name"] = self._literal(publisher, FOAF.name)
            set_keys["publisher_id"] = self._literal(publisher, DCT.identifier)

        contact = g.value(dataset_ref, DCAT.contactPoint)
        if contact is not None:
            set_keys["contact_name"] = self._literal(contact, VCARD.fn)
            email = g.value(contact, VCARD.hasEmail)
            set_keys["contact_email"] = str(email).replace("mailto:", "") if email else None
            phone = g.value(contact, VCARD.hasTelephone)
            if phone is not None:
                phone = g.value(phone, VCARD.hasValue) or phone  # vcard:hasValue form too
            set_keys["contact_phone"] = str(phone).replace("tel:", "") if phone else None

        count = g.value(dataset_ref, GD.recordCount)
        set_keys["record_count"] = int(count) if count is not None else None
        set_keys["data_items"] = self._parse_data_items(dataset_ref) or None
        page = g.value(dataset_ref, FOAF.page)
        set_keys["harvest_remote_url"] = str(page) if page is not None else None

        for key in ("issued", "modified"):
            if d.get(key):
                d[key] = str(d[key])[:10]

        for key, value in set_keys.items():
            if value not in (None, "", []):
                d[key] = value
            else:
                d.pop(key, None)
        # ckanext-dcat's own structured copies of what we just set as flat fields
        for key in ("publisher", "creator", "contact", "documentation", "conforms_to",
                    "temporal_coverage"):
            d.pop(key, None)
        d["extras"] = [e for e in d.get("extras", [])
                       if e.get("key") not in set_keys and not e.get("key", "").startswith(
                           ("spatial_", "publisher_", "contact_", "temporal_"))]

        for resource in d.get("resources", []):
            self._parse_distribution(resource)
        return d

    def _literal(self, subject: Any, predicate: URIRef) -> str | None:
        value = self.g.value(subject, predicate)
        return str(value) if value is not None else None

    def _label_in(self, ref: Any, vocabulary: str) -> str | None:
        """A concept from elsewhere whose Chinese label is one of our values."""
        for label in self.g.objects(ref, SKOS.prefLabel):
            if vocab.entry(vocabulary, str(label)):
                return str(label)
        return None

    def _parse_data_items(self, dataset_ref: Any) -> list[dict[str, Any]]:
        reverse = {str(uri): name for name, uri in XSD_TYPES.items()}
        items = []
        for structure in self.g.objects(dataset_ref, DCT.conformsTo):
            for column in self.g.objects(structure, CSVW.column):
                position = self.g.value(column, GD.position)
                datatype = self.g.value(column, CSVW.datatype)
                item = {"name": self._literal(column, CSVW.name),
                        "type": reverse.get(str(datatype)) if datatype else None,
                        "description": self._literal(column, DCT.description)}
                items.append((int(position) if position is not None else 0,
                              {k: v for k, v in item.items() if v is not None}))
        return [item for _, item in sorted(items, key=lambda pair: pair[0])]

    def _parse_distribution(self, resource: dict[str, Any]) -> None:
        ref = URIRef(resource.get("distribution_ref") or resource.get("uri") or "")
        fmt = self.g.value(ref, DCT["format"])
        value = None
        if fmt is not None:
            suffix = str(fmt).rsplit("/", 1)[-1]
            value = next((e["value"] for e in vocab.format_entries() if e.get("eu") == suffix),
                         None)
        value = value or self._literal(ref, GD["format"])
        if value:
            resource["format"] = value
        media = self.g.value(ref, DCAT.mediaType)
        if media is not None:
            resource["mimetype"] = str(media).replace(IANA_MEDIA, "")
        for key in ("issued", "modified"):
            if resource.get(key):
                resource[key] = str(resource[key])[:10]
