"""Readers of DCAT-AP 3 back into our field names (the inverse of ``dcat_nodes``), so that a
CKAN running our profile harvests our catalog losslessly."""
from __future__ import annotations

from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import FOAF, SKOS

from ckanext.guangdong.metadata import skos, vocab
from ckanext.guangdong.metadata.dcat_terms import (
    CSVW,
    DCAT,
    EU_CODED_FIELDS,
    GD,
    IANA_MEDIA,
    SCHEMA,
    VCARD,
    XSD_TYPES,
)

# ckanext-dcat's own structured copies of what we set as flat fields (its spatial_coverage is
# a list of locations, not our region_code), and the prefixes of the extras it makes from the
# same nodes
DCAT_STRUCTURED = ("publisher", "creator", "contact", "documentation", "conforms_to",
                   "temporal_coverage", "spatial_coverage")
DCAT_EXTRA_PREFIXES = ("spatial_", "publisher_", "contact_", "temporal_")


def literal(g: Graph, subject: Any, predicate: URIRef) -> str | None:
    value = g.value(subject, predicate)
    return str(value) if value is not None else None


def _label_in(g: Graph, ref: Any, vocabulary: str) -> str | None:
    """A concept from elsewhere whose Chinese label is one of our values."""
    for label in g.objects(ref, SKOS.prefLabel):
        if vocab.entry(vocabulary, str(label)):
            return str(label)
    return None


def themes(g: Graph, dataset_ref: Any) -> list[str] | None:
    found = []
    for ref in g.objects(dataset_ref, DCAT.theme):
        name = skos.theme_from_uri(str(ref)) or _label_in(g, ref, "themes")
        if name and name not in found:
            found.append(name)
    # RDF has no order; the schema stores themes in vocabulary order
    return [v for v in vocab.values("themes") if v in found] or None


def eu_coded(g: Graph, dataset_ref: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in EU_CODED_FIELDS:
        ref = g.value(dataset_ref, field.predicate)
        readable = isinstance(ref, URIRef) or (field.read_literals and ref is not None)
        out[field.field] = field.from_uri(str(ref)) if readable else None
    return out


def region(g: Graph, dataset_ref: Any) -> str | None:
    for ref in g.objects(dataset_ref, DCT.spatial):
        code = skos.region_from_uri(str(ref)) or literal(g, ref, SKOS.notation)
        if code and vocab.entry("regions", code):
            return code
    return None


def temporal(g: Graph, dataset_ref: Any) -> dict[str, Any]:
    period = g.value(dataset_ref, DCT.temporal)
    if period is None:
        return {}
    start = g.value(period, DCAT.startDate) or g.value(period, SCHEMA.startDate)
    end = g.value(period, DCAT.endDate) or g.value(period, SCHEMA.endDate)
    return {"temporal_start": str(start)[:10] if start else None,
            "temporal_end": str(end)[:10] if end else None}


def publisher(g: Graph, dataset_ref: Any) -> dict[str, Any]:
    ref = g.value(dataset_ref, DCT.publisher)
    if ref is None:
        return {}
    return {"publisher_name": literal(g, ref, FOAF.name),
            "publisher_identifier": literal(g, ref, DCT.identifier)}


def contact(g: Graph, dataset_ref: Any) -> dict[str, Any]:
    ref = g.value(dataset_ref, DCAT.contactPoint)
    if ref is None:
        return {}
    email = g.value(ref, VCARD.hasEmail)
    phone = g.value(ref, VCARD.hasTelephone)
    if phone is not None:
        phone = g.value(phone, VCARD.hasValue) or phone  # vcard:hasValue form too
    return {"contact_name": literal(g, ref, VCARD.fn),
            "contact_email": str(email).replace("mailto:", "") if email else None,
            "contact_phone": str(phone).replace("tel:", "") if phone else None}


def data_items(g: Graph, dataset_ref: Any) -> list[dict[str, Any]]:
    reverse = {str(uri): name for name, uri in XSD_TYPES.items()}
    items = []
    for structure in g.objects(dataset_ref, DCT.conformsTo):
        for column in g.objects(structure, CSVW.column):
            position = g.value(column, GD.position)
            datatype = g.value(column, CSVW.datatype)
            item = {"name": literal(g, column, CSVW.name),
                    "type": reverse.get(str(datatype)) if datatype else None,
                    "description": literal(g, column, DCT.description)}
            items.append((int(position) if isinstance(position, Literal) else 0,
                          {k: v for k, v in item.items() if v is not None}))
    return [item for _, item in sorted(items, key=lambda pair: pair[0])]


def dataset_fields(g: Graph, dataset_ref: Any) -> dict[str, Any]:
    """Every field of ours the dataset node carries (None where it has none)."""
    count = g.value(dataset_ref, GD.recordCount)
    page = g.value(dataset_ref, FOAF.page)
    return {
        "theme": themes(g, dataset_ref),
        **eu_coded(g, dataset_ref),
        "access_conditions": literal(g, dataset_ref, GD.accessConditions),
        "region_code": region(g, dataset_ref),
        **temporal(g, dataset_ref),
        **publisher(g, dataset_ref),
        **contact(g, dataset_ref),
        "record_count": int(count) if isinstance(count, Literal) else None,
        "data_items": data_items(g, dataset_ref) or None,
        "harvest_remote_url": str(page) if page is not None else None,
    }


def distribution(g: Graph, resource: dict[str, Any]) -> None:
    ref = URIRef(resource.get("distribution_ref") or resource.get("uri") or "")
    fmt = g.value(ref, DCT["format"])
    value = None
    if fmt is not None:
        suffix = str(fmt).rsplit("/", 1)[-1]
        value = next((e["value"] for e in vocab.format_entries() if e.get("eu") == suffix), None)
    value = value or literal(g, ref, GD["format"])
    if value:
        resource["format"] = value
    media = g.value(ref, DCAT.mediaType)
    if media is not None:
        resource["mimetype"] = str(media).replace(IANA_MEDIA, "")
    for key in ("issued", "modified"):
        if resource.get(key):
            resource[key] = str(resource[key])[:10]
