"""Secrets in harvest source configs: sysadmins see them, everyone else sees them masked.

A secret is the value of any key whose name says token, secret, password, key, auth,
credential (or cookie, signature), the value of a header (``auth_header.value``, the values of
a ``headers`` object), and the password or secret query parameters of a URL in the config.
Masking keeps the shape of the config, so a form shows where the secret is; a masked value
sent back on edit (API or form) is replaced by the stored one, so nobody has to retype it.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "********"

_SECRET_WORDS = {"key", "token", "secret", "password", "passwd", "pwd", "auth", "authorization",
                 "credential", "credentials", "cookie", "signature", "apikey", "passphrase"}
_SECRET_PARTS = ("token", "secret", "passw", "credential", "auth")
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def is_secret_key(name: str) -> bool:
    """``api_key``, ``accessToken``, ``X-Auth-Token``, ``client_secret``, ``password`` ... yes;
    ``keyword``, ``region_code``, ``id_field`` no."""
    words = [w.lower() for w in _WORD.findall(str(name))]
    return any(w in _SECRET_WORDS or w.endswith(("key", "token", "secret", "password"))
               or w.startswith(_SECRET_PARTS) for w in words)


def _is_header_key(name: str) -> bool:
    return any(w.lower().startswith("header") for w in _WORD.findall(str(name)))


def mask_url(url: str) -> str:
    """A URL's (or a path's) password and secret-named query parameters masked; anything else
    unchanged."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not (parts.scheme and parts.netloc) and not (parts.query and url.startswith("/")):
        return url   # neither a URL nor a path with a query (an API path in the config)
    netloc = parts.netloc
    if parts.password:
        netloc = netloc.replace(":" + parts.password + "@", ":" + MASK + "@", 1)
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(is_secret_key(k) for k, _ in pairs):
            query = urlencode([(k, MASK if is_secret_key(k) else v) for k, v in pairs], safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def mask_value(value: Any, secret: bool = False) -> Any:
    """A copy of a parsed config with its secrets masked (``secret``: everything under this
    value is secret, except the name of a header)."""
    if isinstance(value, Mapping):
        if secret and set(value) >= {"name", "value"}:   # {"name": "Authorization", "value": ...}
            return {**value, "value": mask_value(value["value"], True)}
        return {k: mask_value(v, secret or is_secret_key(k) or (_is_header_key(k) and _is_headers(v)))
                for k, v in value.items()}
    if isinstance(value, list):
        return [mask_value(v, secret) for v in value]
    if isinstance(value, str):
        return MASK if secret and value else mask_url(value)
    if secret and value is not None and not isinstance(value, bool):
        return MASK
    return value


def _is_headers(value: Any) -> bool:
    return isinstance(value, (Mapping, list))


def mask_config(text: Any) -> Any:
    """The config text (JSON) with its secrets masked. Text that is not JSON is masked whole:
    nothing can be said about what it holds."""
    if not isinstance(text, str) or not text.strip():
        return text
    try:
        parsed = json.loads(text)
    except ValueError:
        return MASK
    masked = mask_value(parsed)
    return text if masked == parsed else json.dumps(masked, ensure_ascii=False, indent=2)


def restore_value(sent: Any, stored: Any) -> Any:
    """``sent`` with every masked value that stands where ``stored`` has one replaced by the
    stored value (a value typed anew is kept)."""
    if isinstance(sent, Mapping) and isinstance(stored, Mapping):
        return {k: restore_value(v, stored[k]) if k in stored else v for k, v in sent.items()}
    if isinstance(sent, list) and isinstance(stored, list) and len(sent) == len(stored):
        return [restore_value(a, b) for a, b in zip(sent, stored, strict=False)]
    if isinstance(sent, str) and MASK in sent and stored is not None:
        if sent == MASK or (isinstance(stored, str) and mask_url(stored) == sent):
            return stored
    return sent


def restore_config(sent: Any, stored: Any) -> Any:
    """The config text to save: ``sent`` with masked values put back from ``stored``."""
    if not isinstance(sent, str) or MASK not in sent or not isinstance(stored, str):
        return sent
    try:
        sent_parsed, stored_parsed = json.loads(sent), json.loads(stored)
    except ValueError:
        return stored if sent.strip() == MASK else sent
    restored = restore_value(sent_parsed, stored_parsed)
    return stored if restored == stored_parsed else json.dumps(restored, ensure_ascii=False, indent=2)


def mask_source(source: dict[str, Any], copies: bool = True) -> dict[str, Any]:
    """A harvest source dict (package_show, harvest_source_list, a search result or index
    document) masked in place: its config, URL, config extras, the config's keys that
    ckanext-harvest copies to the top level (``auth_header``) and, with ``copies``, the JSON
    copies of the source a search result holds (``data_dict``, ``validated_data_dict``)."""
    for key in ("config", "extras_config"):
        if key in source:
            source[key] = mask_config(source[key])
    if isinstance(source.get("url"), str):
        source["url"] = mask_url(source["url"])
    for key in list(source):
        if is_secret_key(key) or _is_header_key(key):
            source[key] = mask_value(source[key], True)
    for extra in source.get("extras") or []:
        if isinstance(extra, dict) and extra.get("key") == "config":
            extra["value"] = mask_config(extra.get("value"))
    for key in ("data_dict", "validated_data_dict") if copies else ():
        text = source.get(key)
        if isinstance(text, str) and text.startswith("{"):
            try:
                copy = json.loads(text)
            except ValueError:
                continue
            if isinstance(copy, dict):
                source[key] = json.dumps(mask_source(copy))
    return source
