"""guangdong_dcat_harvester: DCAT catalogs (Turtle, JSON-LD, RDF/XML) with Hydra paging,
built on ckanext-dcat's RDF harvester and parser; records then go through our crosswalk
and import pipeline like every other city."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from ckanext.dcat.harvesters.rdf import DCATRDFHarvester
from ckanext.dcat.processors import RDFParser, RDFParserException

from .base import GuangdongHarvesterBase, Listed
from .errors import HarvestError
from .fetch import Client
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


MAX_REMOTE_CONTEXTS = 10


def inline_remote_contexts(text: str, base: str, client: Client) -> str:
    """A JSON-LD document with every remote ``@context`` (and ``@import``) fetched through the
    URL policy and written inline. rdflib would otherwise fetch them itself, with urllib, from
    any address a city portal names (http://169.254.169.254/… included)."""
    try:
        document = json.loads(text)
    except ValueError as e:
        raise HarvestError("malformed_rdf", f"{base}: not valid JSON-LD ({e})") from e
    fetched: dict[str, Any] = {}

    def remote(url: str, depth: int) -> Any:
        url = urljoin(base, url)
        if url not in fetched:
            if len(fetched) >= MAX_REMOTE_CONTEXTS or depth > 3:
                raise HarvestError("malformed_rdf", f"{base}: too many or too deeply nested remote JSON-LD contexts")
            fetched[url] = {}  # a context that names itself ends here
            body = client.json("GET", url, headers={"Accept": "application/ld+json, application/json"})
            fetched[url] = context(body.get("@context", {}) if isinstance(body, dict) else {}, depth + 1)
        return fetched[url]

    def context(value: Any, depth: int) -> Any:
        if isinstance(value, str):
            return remote(value, depth)
        if isinstance(value, list):
            return [context(v, depth) for v in value]
        if isinstance(value, dict):
            out = {}
            for key, term in value.items():
                if key == "@import" and isinstance(term, str):
                    imported = remote(term, depth)
                    if isinstance(imported, dict):
                        out = {**imported, **out}
                    continue
                if isinstance(term, dict) and "@context" in term:  # scoped contexts
                    term = {**term, "@context": context(term["@context"], depth)}
                out[key] = term
            return out
        return value

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (context(v, 0) if k == "@context" else walk(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(n) for n in node]
        return node

    return json.dumps(walk(document), ensure_ascii=False)


# ckanext-dcat's harvester and ckanext-harvest's interface (our base) disagree on the names and
# return types of validate_config and fetch_stage; ours follow ckanext-harvest's interface
class GuangdongDCATHarvester(GuangdongHarvesterBase, DCATRDFHarvester):  # pyright: ignore[reportIncompatibleMethodOverride]
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
            if fmt == "json-ld":
                text = inline_remote_contexts(text, url, client)
            parser = _parser()
            try:
                parser.parse(text, _format=fmt)
            except RDFParserException as e:
                raise HarvestError("malformed_rdf", f"{url}: {e}") from e
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
