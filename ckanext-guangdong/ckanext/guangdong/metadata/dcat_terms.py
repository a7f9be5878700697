"""The RDF terms our DCAT-AP 3 output uses, and the tables that say how each coded field is
written: the profile's writers (``dcat_nodes``) and readers (``dcat_parse``) work from these
tables instead of spelling each vocabulary out by hand."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import XSD

from ckanext.guangdong.metadata import skos, vocab

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


@dataclass(frozen=True)
class EUCodedField:
    """A single-valued field whose vocabulary entries each carry an EU authority URI; the
    concept is described with its class and our labels."""
    field: str
    predicate: URIRef
    vocabulary: str
    to_uri: Callable[[Any], str | None]
    from_uri: Callable[[str], str | None]
    rdf_class: URIRef
    read_literals: bool  # whether a literal (not a URI) object is read as well


@dataclass(frozen=True)
class SchemeField:
    """A field whose values are concepts of one of our own SKOS schemes (skos.py)."""
    field: str
    predicate: URIRef
    scheme: str
    to_uri: Callable[[str], str | None]
    extra_class: URIRef | None  # besides skos:Concept
    replaces: bool  # drop what ckanext-dcat wrote for the predicate first


EU_CODED_FIELDS = (
    EUCodedField("frequency", DCT.accrualPeriodicity, "frequencies", vocab.frequency_uri,
                 vocab.frequency_from_uri, DCT.Frequency, read_literals=True),
    EUCodedField("access_rights", DCT.accessRights, "access_rights", vocab.access_rights_uri,
                 vocab.access_rights_from_uri, DCT.RightsStatement, read_literals=False),
)
THEMES = SchemeField("theme", DCAT.theme, "themes", skos.theme_uri, None, replaces=True)
REGION = SchemeField("region_code", DCT.spatial, "regions", skos.region_uri, DCT.Location,
                     replaces=False)
