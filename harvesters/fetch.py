"""HTTP to city portals: timeouts, and failures turned into error kinds. Every request goes
through the one URL policy (ckanext.guangdong.urlpolicy): http/https, no credentials, public
addresses unless allow-listed, checked when a source is saved and on every connection and
redirect, answers streamed and stopped at the size limit.
"""
from __future__ import annotations

import json
from typing import Any

import requests

from ckanext.guangdong import urlpolicy

from .errors import HarvestError

MAX_REDIRECTS = urlpolicy.MAX_REDIRECTS
USER_AGENT = "ckanext-guangdong-harvester/1.0 (+https://open.gd.gov.cn)"


def check_url(url: str, allowed: list[str] | None = None, resolve: bool = True) -> None:
    """Raise HarvestError('url_refused', reason) unless the URL may be harvested."""
    try:
        urlpolicy.check_url(url, allowed, resolve_host=resolve)
    except urlpolicy.URLRefused as e:
        raise HarvestError("url_refused", e.message) from e


class Client:
    """A session under the URL policy with our timeout and error kinds."""

    def __init__(self, timeout: float = 30.0, headers: dict[str, str] | None = None,
                 max_bytes: int = urlpolicy.DEFAULT_MAX_BYTES,
                 allowed: list[str] | None = None) -> None:
        self.session = urlpolicy.session(allowed, {"User-Agent": USER_AGENT, **(headers or {})})
        self.timeout = timeout
        self.max_bytes = max_bytes

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            resp, final_url = urlpolicy.fetch(self.session, method, url, timeout=self.timeout,
                                              max_bytes=self.max_bytes, **kwargs)
        except urlpolicy.URLRefused as e:
            raise HarvestError("url_refused", f"{method} {url}: {e.message}") from e
        except urlpolicy.ResponseTooLarge as exc:
            raise HarvestError("invalid_response", f"{url}: response larger than {self.max_bytes} bytes") from exc
        except requests.Timeout as exc:
            raise HarvestError("timeout", f"{method} {url}: no answer within {self.timeout:g} s") from exc
        except requests.RequestException as e:
            raise HarvestError("connection_error", f"{method} {url}: {type(e).__name__}") from e
        if resp.status_code >= 400:
            raise HarvestError("http_error", f"{method} {final_url}: HTTP {resp.status_code} "
                               f"{_snippet(resp)}")
        return resp

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
        raise HarvestError("malformed_json", f"{url}: not valid JSON ({e})") from e
