"""Getting a resource's file for loading: an uploaded file is read from the portal's own storage;
a link is fetched through the project's one URL policy (``ckanext.guangdong.urlpolicy``:
http/https only, no credentials, every address the host resolves to must be public unless
allow-listed, checked when each connection opens, so on every redirect hop too). Unlike
``urlpolicy.fetch``, which keeps the answer in memory (harvest records), a data file is streamed
to disk and abandoned as soon as it passes the size limit.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import time
from typing import Any
from urllib.parse import urljoin

import requests

from ckanext.guangdong import urlpolicy

from .messages import N_, LoadError

TIMEOUT = 30
_CHUNK = 64 * 1024


def too_large(max_bytes: int) -> LoadError:
    return LoadError(N_("The file is larger than %(mb)s MB, the most this portal loads"),
                     mb=round(max_bytes / 1e6, 1))


def _stream(resp: requests.Response, max_bytes: int, dest: str, deadline: float) -> None:
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
                if time.monotonic() > deadline:  # a server dripping bytes forever
                    raise LoadError(N_("The link took too long to answer"))
                out.write(chunk)


def fetch_to_file(url: str, max_bytes: int, dest: str) -> None:
    """Download ``url`` to ``dest`` through the URL policy; LoadError with a clear message."""
    session = urlpolicy.session()
    deadline = time.monotonic() + max(TIMEOUT * 20, 300)
    try:
        for _hop in range(urlpolicy.MAX_REDIRECTS + 1):
            urlpolicy.check_url_form(url)
            resp = session.get(url, timeout=TIMEOUT, allow_redirects=False, stream=True)
            if resp.is_redirect and resp.headers.get("location"):
                resp.close()
                url = urljoin(url, resp.headers["location"])
                continue
            _stream(resp, max_bytes, dest, deadline)
            return
        raise LoadError(N_("The link redirects more than %(n)s times"), n=urlpolicy.MAX_REDIRECTS)
    except urlpolicy.URLRefused as e:
        # the policy's own message id (translated where it is shown, like ours)
        raise LoadError(e.message_key, **e.params) from e
    except requests.RequestException as e:
        raise LoadError(N_("The link could not be fetched: %(error)s"), error=str(e)[:200]) from e


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


def file_md5(path: str) -> str:
    """The MD5 hex digest of a file (read in 1 MB chunks): the fingerprint that tells a
    changed file from the same one again (not a security use)."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()
