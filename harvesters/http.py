"""HTTP to city portals: URL rules, timeouts, and failures turned into error kinds.

The source URL rules (http/https, no credentials, no private/loopback address unless
allow-listed) are checked when a source is saved *and* on every request, including
redirects, because a public host name can later resolve to an internal address.
"""
from __future__ import annotations

import ipaddress
import json
import socket
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from .errors import HarvestError

MAX_REDIRECTS = 5
USER_AGENT = "ckanext-guangdong-harvester/1.0 (+https://open.gd.gov.cn)"


def _allowed_hosts() -> list[str]:
    import ckan.plugins.toolkit as tk
    return tk.aslist(tk.config.get("ckanext.guangdong.harvest.allowed_hosts") or [])


def _host_allowed(host: str, allowed: list[str]) -> bool:
    host = host.lower().strip("[]")
    for entry in allowed:
        entry = entry.lower().strip()
        if not entry:
            continue
        if host == entry:
            return True
        try:
            if ipaddress.ip_address(host) in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            pass
    return False


def check_url(url: str, allowed: list[str] | None = None, resolve: bool = True) -> None:
    """Raise HarvestError('url_refused', reason) unless the URL may be harvested."""
    if not isinstance(url, str) or not url.strip():
        raise HarvestError("url_refused", "the URL is empty")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise HarvestError("url_refused", f"only http and https URLs are allowed, not {parts.scheme or 'none'!r}")
    if parts.username or parts.password or "@" in parts.netloc:
        raise HarvestError("url_refused", "the URL must not contain a user name or password; "
                           "put credentials in the source config (auth_header)")
    host = parts.hostname
    if not host:
        raise HarvestError("url_refused", "the URL has no host")
    allowed = _allowed_hosts() if allowed is None else allowed
    if _host_allowed(host, allowed):
        return
    addresses: list[str] = []
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        if host in ("localhost",) or host.endswith(".localhost"):
            addresses = ["127.0.0.1"]
        elif resolve:
            try:
                addresses = sorted({info[4][0] for info in socket.getaddrinfo(host, parts.port or 80)})
            except socket.gaierror:
                raise HarvestError("url_refused", f"the host {host!r} cannot be resolved")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
                or ip.is_multicast or ip.is_unspecified):
            if _host_allowed(address, allowed):
                continue
            raise HarvestError("url_refused", f"{host} is a private or loopback address ({address}); "
                               "allow it with ckanext.guangdong.harvest.allowed_hosts")


class Client:
    """A requests session with our timeout, redirect checking and error kinds."""

    def __init__(self, timeout: float = 30.0, headers: dict[str, str] | None = None,
                 max_bytes: int = 50 * 1024 * 1024) -> None:
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers.update(headers or {})
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._allowed = _allowed_hosts()

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url, self._allowed)
            try:
                resp = self.session.request(method, url, timeout=self.timeout,
                                            allow_redirects=False, **kwargs)
            except requests.Timeout:
                raise HarvestError("timeout", f"{method} {url}: no answer within {self.timeout:g} s")
            except requests.RequestException as e:
                raise HarvestError("connection_error", f"{method} {url}: {type(e).__name__}")
            if resp.is_redirect and resp.headers.get("location"):
                url = urljoin(url, resp.headers["location"])
                if resp.status_code in (301, 302, 303):
                    method, kwargs = "GET", {k: v for k, v in kwargs.items() if k not in ("json", "data")}
                continue
            if len(resp.content) > self.max_bytes:
                raise HarvestError("invalid_response", f"{url}: response larger than {self.max_bytes} bytes")
            if resp.status_code >= 400:
                raise HarvestError("http_error", f"{method} {url}: HTTP {resp.status_code} "
                                   f"{_snippet(resp)}")
            return resp
        raise HarvestError("http_error", f"{url}: too many redirects")

    def json(self, method: str, url: str, **kwargs: Any) -> Any:
        resp = self.request(method, url, **kwargs)
        return parse_json(resp, url)

    def text(self, url: str, accept: str) -> tuple[str, str]:
        resp = self.request("GET", url, headers={"Accept": accept})
        if _looks_like_html(resp):
            raise HarvestError("html_error_page", f"{url}: an HTML page was returned "
                               f"({_snippet(resp)})")
        resp.encoding = resp.encoding or "utf-8"
        return resp.text, resp.headers.get("content-type", "").split(";")[0].strip()


def _looks_like_html(resp: requests.Response) -> bool:
    ctype = resp.headers.get("content-type", "").lower()
    head = resp.content[:200].lstrip().lower()
    return "text/html" in ctype or head.startswith((b"<!doctype html", b"<html"))


def _snippet(resp: requests.Response) -> str:
    text = resp.text[:200] if resp.content else ""
    from .sanitize import clean_text
    return clean_text(text, multiline=False)[:120]


def parse_json(resp: requests.Response, url: str) -> Any:
    if _looks_like_html(resp):
        raise HarvestError("html_error_page", f"{url}: an HTML page was returned where JSON "
                           f"was expected ({_snippet(resp)})")
    try:
        return json.loads(resp.content.decode(resp.encoding or "utf-8", errors="replace"))
    except ValueError as e:
        raise HarvestError("malformed_json", f"{url}: not valid JSON ({e})")
