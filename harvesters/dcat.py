"""guangdong_dcat_harvester: DCAT catalogs (Turtle, JSON-LD, RDF/XML) with Hydra paging,
built on ckanext-dcat's RDF harvester and parser; records then go through our crosswalk
and import pipeline like every other city."""
from __future__ import annotations

from typing import Any, Iterator

from ckanext.dcat.harvesters.rdf import DCATRDFHarvester
from ckanext.dcat.processors import RDFParser, RDFParserException

from .base import GuangdongHarvesterBase, Listed
from .errors import HarvestError
from .http import Client
from .mapping import RemoteRecord
from .records import dataset_resources, flatten_dataset

MAX_PAGES = 10_000
ACCEPT = "text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.8"
FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml",
           "application/n-triples": "nt", "text/n3": "n3"}


def _parser() -> RDFParser:
    """Our configured profiles (DCAT-AP 3 + ours); DCAT-AP 3 alone if ours cannot load."""
    try:
        return RDFParser()
    except Exception:
        return RDFParser(profiles=["euro_dcat_ap_3"])


def _add_raw_values(graph: Any, dataset: dict[str, Any]) -> None:
    """Values the DCAT profiles drop because they are not in *our* vocabularies (a city's
    own theme URIs, say) are read from the graph, so the crosswalk can still map them."""
    from rdflib import URIRef
    from rdflib.namespace import DCAT, DCTERMS
    uri = dataset.get("uri") or next((e["value"] for e in dataset.get("extras", [])
                                      if e.get("key") == "uri"), None)
    if not uri:
        return
    ref = URIRef(uri)
    raw = {"theme": (DCAT.theme, True), "access_rights": (DCTERMS.accessRights, False),
           "frequency": (DCTERMS.accrualPeriodicity, False), "access_conditions": (DCTERMS.rights, False)}
    for key, (prop, many) in raw.items():
        if dataset.get(key):
            continue
        values = [str(o) for o in graph.objects(ref, prop)]
        if values:
            dataset[key] = values if many else values[0]


class GuangdongDCATHarvester(GuangdongHarvesterBase, DCATRDFHarvester):
    NAME = "guangdong_dcat"
    TITLE = "City portal: DCAT catalog"
    DESCRIPTION = "Harvests a DCAT catalog (Turtle/JSON-LD/RDF-XML, Hydra paging) onto the provincial schema."

    def list_records(self, source: Any, cfg: dict[str, Any], client: Client, job: Any) -> Iterator[Listed]:
        url: str | None = source.url
        visited: set[str] = set()
        for _ in range(MAX_PAGES):
            if not url or url in visited:
                return
            visited.add(url)
            text, ctype = client.text(url, ACCEPT)
            fmt = cfg.get("rdf_format") or FORMATS.get(ctype) or "turtle"
            parser = _parser()
            try:
                parser.parse(text, _format=fmt)
            except RDFParserException as e:
                raise HarvestError("malformed_rdf", f"{url}: {e}")
            for dataset in parser.datasets():
                _add_raw_values(parser.g, dataset)
                guid = self._get_guid(dataset, source_url=source.url)
                if not guid:
                    self.job_error(job, "missing_required", f"{url}: a dataset without identifier or URI was skipped")
                    continue
                fields = flatten_dataset(dataset)
                record = RemoteRecord(guid, fields, dataset_resources(dataset),
                                      remote_url=fields.get("uri") or url)
                yield Listed(guid, record.content_hash(), record)
            url = parser.next_page()
        raise HarvestError("invalid_response", f"{source.url}: more than {MAX_PAGES} pages")
