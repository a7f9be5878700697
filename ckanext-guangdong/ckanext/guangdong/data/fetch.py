"""Getting a resource's file for loading: an uploaded file is read from the portal's own storage;
a link is fetched through the project's one URL policy for server-side fetches (http/https only,
no credentials, every address the host resolves to must be public unless allow-listed, checked
again on every redirect hop, streamed to disk and abandoned past the size limit).

``fetch_to_file`` is the one place this feature fetches a URL. While the shared policy module
(``ckanext.guangdong.urlpolicy``) is not in this tree, a minimal stand-in below applies the same
rules (without the connection-level DNS pinning); when the module is present it is used.
"""
from __future__ import annotations

import ipaddress
import os
import shutil
import socket
from typing import Any, Optional, Sequence
from urllib.parse import urljoin, urlsplit

import requests

import ckan.plugins.toolkit as tk

from .messages import LoadError, N_

TIMEOUT = 30
MAX_REDIRECTS = 5
_CHUNK = 64 * 1024


def allowed_hosts() -> list[str]:
    return tk.aslist(tk.config.get("ckanext.guangdong.harvest.allowed_hosts") or [])


# --- stand-in for the shared URL policy (used only when ckanext.guangdong.urlpolicy is absent) ---

def _check_form(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise LoadError(N_("Only http and https links can be loaded, not %(url)s"), url=url[:200])
    if parts.username or parts.password or "@" in parts.netloc:
        raise LoadError(N_("The link must not contain a user name or password"))
    if not parts.hostname or any(ord(ch) < 33 for ch in url):
        raise LoadError(N_("The link cannot be read: %(url)s"), url=url[:200])
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def _is_allowed(host: str, address: str, allowed: Sequence[str]) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    inner = getattr(ip, "ipv4_mapped", None)
    if inner is not None:
        ip = inner
    if ip.is_global and not ip.is_multicast:
        return True
    for entry in allowed:
        entry = entry.strip().lower()
        if entry == host.lower():
            return True
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def _check_address(url: str, allowed: Sequence[str]) -> None:
    host, port = _check_form(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise LoadError(N_("The host of the link cannot be found: %(host)s"), host=host)
    for info in infos:
        if not _is_allowed(host, str(info[4][0]), allowed):
            raise LoadError(N_("The link points to a private address (%(host)s); the portal does "
                               "not fetch it"), host=host)


def _standin_get(url: str, max_bytes: int, dest: str) -> None:
    allowed = allowed_hosts()
    s = requests.Session()
    s.trust_env = False
    for _hop in range(MAX_REDIRECTS + 1):
        _check_address(url, allowed)
        resp = s.get(url, timeout=TIMEOUT, allow_redirects=False, stream=True)
        if resp.is_redirect and resp.headers.get("location"):
            resp.close()
            url = urljoin(url, resp.headers["location"])
            continue
        _stream(resp, url, max_bytes, dest)
        return
    raise LoadError(N_("The link redirects more than %(n)s times"), n=MAX_REDIRECTS)


def _stream(resp: requests.Response, url: str, max_bytes: int, dest: str) -> None:
    with resp:
        if resp.status_code >= 400:
            raise LoadError(N_("The link answered HTTP %(status)s"), status=resp.status_code)
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise too_large(max_bytes)
        size = 0
        with open(dest, "wb") as out:
            for chunk in resp.iter_content(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise too_large(max_bytes)
                out.write(chunk)


# --- the interface ---------------------------------------------------------------------------

def too_large(max_bytes: int) -> LoadError:
    return LoadError(N_("The file is larger than %(mb)s MB, the most this portal loads"),
                     mb=round(max_bytes / 1e6, 1))


def fetch_to_file(url: str, max_bytes: int, dest: str) -> None:
    """Download ``url`` to ``dest`` through the URL policy; LoadError with a clear message."""
    try:
        from ckanext.guangdong import urlpolicy  # type: ignore[attr-defined]
    except ImportError:
        urlpolicy = None
    try:
        if urlpolicy is None:
            _standin_get(url, max_bytes, dest)
            return
        session = urlpolicy.session()
        for _hop in range(urlpolicy.MAX_REDIRECTS + 1):
            urlpolicy.check_url_form(url)
            resp = session.get(url, timeout=TIMEOUT, allow_redirects=False, stream=True)
            if resp.is_redirect and resp.headers.get("location"):
                resp.close()
                url = urljoin(url, resp.headers["location"])
                continue
            _stream(resp, url, max_bytes, dest)
            return
        raise LoadError(N_("The link redirects more than %(n)s times"), n=urlpolicy.MAX_REDIRECTS)
    except LoadError:
        raise
    except requests.RequestException as e:
        raise LoadError(N_("The link could not be fetched: %(error)s"), error=str(e)[:200])
    except Exception as e:  # the shared policy's refusals (URLRefused)
        if type(e).__name__ == "URLRefused":
            raise LoadError(N_("The link is refused by the portal's URL policy: %(reason)s"),
                            reason=getattr(e, "message", str(e)))
        raise


def resource_file(resource: dict[str, Any], max_bytes: int, dest: str) -> None:
    """The resource's data into ``dest``: an upload from storage, a link through the policy."""
    if resource.get("url_type") == "upload":
        from ckan.lib.uploader import get_resource_uploader
        path = get_resource_uploader(resource).get_path(resource["id"])
        if not os.path.exists(path):
            raise LoadError(N_("The uploaded file is missing from the portal's storage"))
        if os.path.getsize(path) > max_bytes:
            raise too_large(max_bytes)
        shutil.copyfile(path, dest)
        return
    url = (resource.get("url") or "").strip()
    if not url:
        raise LoadError(N_("The resource has no file or link"))
    fetch_to_file(url, max_bytes, dest)
