"""``/vocab/<scheme>[.ttl|.rdf|.jsonld]``: our SKOS concept schemes, so theme and region URIs
in the DCAT output resolve to their labels."""
from __future__ import annotations

from flask import Blueprint, Response, abort

from ckanext.guangdong.metadata import skos

vocab_blueprint = Blueprint("guangdong_vocab", __name__)
__all__ = ["vocab_blueprint"]

_FORMATS = {"ttl": ("turtle", "text/turtle"), "rdf": ("xml", "application/rdf+xml"),
            "jsonld": ("json-ld", "application/ld+json"), "nt": ("nt", "application/n-triples")}


@vocab_blueprint.route("/vocab/<filename>")
def scheme(filename: str) -> Response:
    # one rule, split here: "themes.ttl" must not be read as a scheme named "themes.ttl"
    scheme, _, ext = filename.partition(".")
    ext = ext or "ttl"
    if scheme not in skos.SCHEMES or ext not in _FORMATS:
        abort(404)
    rdf_format, mimetype = _FORMATS[ext]
    body = skos.scheme_graph(scheme).serialize(format=rdf_format)
    return Response(body, mimetype=mimetype)
