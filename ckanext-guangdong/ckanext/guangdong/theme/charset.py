"""Every text answer of ours and of ckanext-dcat declares ``charset=utf-8``: a Turtle or RDF
file opened in a browser without it shows its Chinese as mojibake (ckanext-dcat sends
``text/turtle`` bare). Files people uploaded are served by CKAN's download views, which are not
touched: their encoding is whatever the publisher's (a GBK CSV must not be called UTF-8).

A download's file name in the page's language goes into its header the standard way too."""
from __future__ import annotations

import re
from urllib.parse import quote

from flask import Blueprint, Response, request

charset = Blueprint("guangdong_charset", __name__)

# The blueprints whose answers we (or ckanext-dcat) generate, always in UTF-8.
_GENERATED = ("dcat", "dcat_json_interface", "croissant")
_TEXT_SUBTYPES = ("json", "xml", "n-triples", "n-quads", "trig", "javascript", "csv")


def is_text(mimetype: str) -> bool:
    kind, _, subtype = mimetype.partition("/")
    return kind == "text" or subtype in _TEXT_SUBTYPES or subtype.endswith(("+json", "+xml"))


@charset.after_app_request
def declare_utf8(response: Response) -> Response:
    blueprint = request.blueprint or ""
    if ((blueprint in _GENERATED or blueprint.startswith("guangdong"))
            and response.mimetype and is_text(response.mimetype)
            and "charset" not in response.mimetype_params):
        response.mimetype_params["charset"] = "utf-8"
    return response


_FILENAME = re.compile(r'filename="([^"]*)"')


@charset.after_app_request
def file_name_in_utf8(response: Response) -> Response:
    """HTTP headers are Latin-1, but CKAN puts translated words into download names (the
    members list of a publisher: ``<name>-成员.csv``); gunicorn then fails the answer and
    werkzeug's server drops the connection. RFC 6266: an ASCII name, and the real one as
    ``filename*`` in UTF-8."""
    value = response.headers.get("Content-Disposition")
    match = _FILENAME.search(value) if value and not value.isascii() else None
    if match and value:  # (a match implies a value)
        name = match.group(1)
        fallback = name.encode("ascii", "replace").decode("ascii").replace("?", "_")
        response.headers["Content-Disposition"] = value.replace(
            match.group(0), f"filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}")
    return response
