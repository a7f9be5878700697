"""Rendered pages and API answers for anonymous visitors, kept until the next write.

Most visitors are anonymous and see the same public pages; rendering one costs tens of
milliseconds of CPU. This WSGI middleware keeps the answers to anonymous GET requests in
the worker's memory, keyed by the request (path, query, language, host, accept headers),
and validates every hit against the **site version**: a counter in Redis raised *after*
every committed database transaction that wrote something (any engine: CKAN's tables,
the search index, the DataStore). A request reads the version before the app reads any
data, and a rendering is stored under the version read before it started, so an answer
rendered from data older than a commit is never served after that commit: an edit is
visible at once to everyone (0 stale answers), and pages cost a dictionary look-up and
one Redis GET until something changes.

What is never stored or served from here (and gets ``Cache-Control: private``): a request
with an ``Authorization``/API-key header, or with any cookie but CKAN's session cookie holding
nothing but its CSRF token (which CKAN itself counts as anonymous, ckan/lib/base.py: every
anonymous page makes one for the page's JavaScript); an answer CKAN itself marked private or
that sets any other cookie or session content (a login, a flash message), anything but 200,
and paths outside ``page_cache.paths``. Anonymous
visitors see public datasets only (private, draft and 不予开放 ones answer 404 to them), so
what is stored is what any anonymous visitor may see.

Answers carry an ``ETag`` (hash of the body) and ``Last-Modified`` (when it was rendered);
``If-None-Match`` gets 304 without a body. ``Cache-Control`` is CKAN's (``ckan.cache_enabled``,
``ckan.cache_expires``): ``public, max-age=<cache_expires>, must-revalidate``; with the
default 0 a browser or proxy revalidates every time, and the 304 comes from here.
"""
from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from email.utils import formatdate
from typing import Any

log = logging.getLogger(__name__)

VERSION_KEY = "guangdong:site:version"
# Writes that change no page: CKAN's tracking beacons and a logged-in user's activity time.
IGNORED_WRITES = re.compile(
    r"^\s*(INSERT\s+INTO\s+tracking_raw\b|UPDATE\s+\"?user\"?\s+SET\s+last_active\b"
    r"|UPDATE\s+api_token\s+SET\s+last_access\b"
    # idempotent DDL (a lazily made table): no content changes
    r"|CREATE\s+(UNIQUE\s+)?(TABLE|INDEX)\s+IF\s+NOT\s+EXISTS\b)", re.I)
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|TRUNCATE|CREATE|ALTER|DROP|COPY|MERGE)\b", re.I)
_WROTE = "guangdong_page_cache_wrote"
# Pages, API answers and DCAT documents; never files (downloads stream past this cache).
CACHEABLE_TYPES = ("text/html", "application/json", "text/turtle", "application/rdf+xml",
                   "application/ld+json", "text/n3")
IDENTITY_HEADERS = ("HTTP_AUTHORIZATION", "HTTP_X_CKAN_API_KEY")
ANONYMOUS_SESSION_KEYS = {"_csrf_token"}  # what an anonymous visitor's session may hold


# -- the site version ------------------------------------------------------------------
def _redis() -> Any:
    from ckan.lib.redis import connect_to_redis
    return connect_to_redis()


def current_version() -> bytes | None:
    """The site version, or None when Redis cannot be reached (then nothing is cached)."""
    try:
        return _redis().get(VERSION_KEY) or b"0"
    except Exception as exc:
        log.warning("page cache off for this request: Redis unavailable (%s)", exc)
        return None


def bump_version() -> None:
    try:
        _redis().incr(VERSION_KEY)
    except Exception as exc:  # the cache is then bypassed too (current_version: None)
        log.warning("page cache: could not raise the site version (%s)", exc)


_installed = False


def install_write_listeners() -> None:
    """Raise the site version after every transaction that wrote (idempotent).

    Every engine of the process (CKAN's, the DataStore's, xloader's) is listened to: a
    write statement marks the DBAPI connection; when the connection goes back to its pool
    (after its commit or rollback) the version is raised. After, not before, the commit: a
    page rendered between the two is stored under the old version."""
    global _installed
    if _installed:
        return
    import sqlalchemy as sa
    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    def mark(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if _WRITE.match(statement) and not IGNORED_WRITES.match(statement):
            conn.info[_WROTE] = True

    def released(dbapi_connection: Any, record: Any) -> None:
        if record is not None and record.info.pop(_WROTE, False):
            bump_version()

    event.listen(sa.engine.Engine, "before_cursor_execute", mark)
    event.listen(Pool, "checkin", released)
    _installed = True


# -- the cache -----------------------------------------------------------------------------
class Entry:
    __slots__ = ("status", "headers", "body", "etag", "size", "made")

    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes):
        self.made = time.monotonic()
        self.etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        self.status = status
        self.headers = [*headers, ("ETag", self.etag),
                        ("Last-Modified", formatdate(time.time(), usegmt=True))]
        self.body = body
        self.size = len(body) + 512


class PageCache:
    """WSGI middleware; ``app`` is CKAN's Flask WSGI app (inside the language middleware,
    so the page's language is in ``environ['CKAN_LANG']``)."""

    def __init__(self, app: Callable[..., Any], paths: list[str], max_bytes: int,
                 max_entry_bytes: int, max_seconds: float = 300, flask_app: Any = None):
        self.app = app
        self.flask_app = flask_app
        # A bound on any write the version missed (Redis unreachable at that moment).
        self.max_seconds = max_seconds
        self.exact = {p for p in paths if not p.endswith("/") or p == "/"}
        self.prefixes = tuple(p for p in paths if p.endswith("/") and p != "/")
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_entry_bytes
        self._entries: OrderedDict[tuple[bytes, tuple[str, ...]], Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.stats = {"hits": 0, "stored": 0, "bypassed": 0}

    # -- which requests ---------------------------------------------------------------------
    def _path_allowed(self, path: str) -> bool:
        if path in self.exact or path.rstrip("/") in self.exact:
            return True
        return path.startswith(self.prefixes)

    def _identified(self, environ: dict[str, Any]) -> bool:
        if any(environ.get(h) for h in IDENTITY_HEADERS):
            return True
        raw = environ.get("HTTP_COOKIE")
        if not raw:
            return False
        from werkzeug.http import parse_cookie
        cookies = parse_cookie(raw)
        name = self._session_cookie_name()
        if name is None or set(cookies) - {name}:
            return True
        return not self._anonymous_session(cookies[name])

    def _session_cookie_name(self) -> str | None:
        if self.flask_app is None:
            return None
        return self.flask_app.config.get("SESSION_COOKIE_NAME") or "session"

    def _anonymous_session(self, value: str) -> bool:
        """A signed Flask cookie session holding only the CSRF token (anything else, or a
        session kept elsewhere whose cookie is only an id, is not anonymous)."""
        try:
            serializer = self.flask_app.session_interface.get_signing_serializer(self.flask_app)
            data = serializer.loads(value)
        except Exception:
            return False
        return isinstance(data, dict) and set(data) <= ANONYMOUS_SESSION_KEYS

    def _anonymous_set_cookies(self, headers: list[tuple[str, str]]) -> bool:
        """Every Set-Cookie of the answer only starts an anonymous session."""
        from werkzeug.http import parse_cookie
        name = self._session_cookie_name()
        for key, value in headers:
            if key.lower() != "set-cookie":
                continue
            cookie = parse_cookie(value.split(";", 1)[0])
            if name is None or set(cookie) != {name} or not self._anonymous_session(cookie[name]):
                return False
        return True

    @staticmethod
    def _key(environ: dict[str, Any]) -> tuple[str, ...]:
        return (environ.get("wsgi.url_scheme", ""), environ.get("HTTP_HOST", ""),
                environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""),
                environ.get("QUERY_STRING", ""), str(environ.get("CKAN_LANG", "")),
                environ.get("HTTP_ACCEPT_LANGUAGE", ""), environ.get("HTTP_ACCEPT", ""))

    # -- WSGI -------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if self._identified(environ) or method not in ("GET", "HEAD"):
            return self.app(environ, _private(start_response))
        if not self._path_allowed(environ.get("PATH_INFO", "")):
            return self.app(environ, start_response)
        version = current_version()
        if version is None:
            return self.app(environ, start_response)
        key = self._key(environ)
        with self._lock:
            entry = self._entries.get((version, key))
            if entry is not None and time.monotonic() - entry.made > self.max_seconds:
                entry = None
            if entry is not None:
                self._entries.move_to_end((version, key))
                self.stats["hits"] += 1
        if entry is not None:
            return self._send(entry, environ, _marked(start_response, "hit"))
        return self._render(environ, _marked(start_response, "miss"), version, key)

    def _send(self, entry: Entry, environ: dict[str, Any],
              start_response: Callable[..., Any]) -> Iterable[bytes]:
        if _matches(environ.get("HTTP_IF_NONE_MATCH"), entry.etag):
            kept = [(k, v) for k, v in entry.headers
                    if k.lower() in ("etag", "cache-control", "vary", "last-modified")]
            start_response("304 Not Modified", kept)
            return [b""]
        start_response(entry.status, list(entry.headers))
        return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [entry.body]

    def _render(self, environ: dict[str, Any], start_response: Callable[..., Any],
                version: bytes, key: tuple[str, ...]) -> Iterable[bytes]:
        captured: dict[str, Any] = {}
        written: list[bytes] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"], captured["exc_info"] = status, headers, exc_info
            return written.append

        result = self.app(environ, capture)
        iterator = iter(result)
        first: list[bytes] = []
        if "status" not in captured:  # an app that starts the answer lazily
            for chunk in iterator:
                first.append(chunk)
                break
        status, headers = captured["status"], captured["headers"]
        if not self._storable(status, headers, environ):
            self.stats["bypassed"] += 1
            start_response(status, headers, captured.get("exc_info"))
            return _chain(written + first, iterator, result)
        try:
            body = b"".join(written + first + list(iterator))
        finally:
            if hasattr(result, "close"):
                result.close()
        # Stored without the visitor's own session cookie; this visitor still gets it.
        entry = Entry(status, [(k, v) for k, v in headers
                               if k.lower() not in ("date", "set-cookie")], body)
        if environ.get("REQUEST_METHOD") == "GET":  # HEAD renders no body
            self._store(version, key, entry)
        own = [(k, v) for k, v in headers if k.lower() == "set-cookie"]
        if own:
            def with_cookie(status: str, kept: list[tuple[str, str]], exc_info: Any = None) -> Any:
                return start_response(status, kept + own, exc_info)
            return self._send(entry, environ, with_cookie)
        return self._send(entry, environ, start_response)

    def _storable(self, status: str, headers: list[tuple[str, str]],
                  environ: dict[str, Any]) -> bool:
        if not status.startswith("200"):
            return False
        named = {k.lower(): v for k, v in headers}
        if "set-cookie" in named and not self._anonymous_set_cookies(headers):
            return False  # a login, a flash message: not an anonymous answer
        cache_control = named.get("cache-control", "").lower()
        if "public" not in cache_control or "private" in cache_control or "no-store" in cache_control:
            return False  # CKAN's own decision (ckan/lib/base.py: logged in, flash, __no_cache__)
        content_type = named.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in CACHEABLE_TYPES:
            return False
        length = named.get("content-length")
        return length is not None and length.isdigit() and int(length) <= self.max_entry_bytes

    def _store(self, version: bytes, key: tuple[str, ...], entry: Entry) -> None:
        with self._lock:
            old = self._entries.pop((version, key), None)
            if old is not None:
                self._bytes -= old.size
            self._entries[(version, key)] = entry
            self._bytes += entry.size
            self.stats["stored"] += 1
            while self._bytes > self.max_bytes and self._entries:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped.size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    tags = [t.strip() for t in header.split(",")]
    return "*" in tags or etag in tags or f"W/{etag}" in tags


def _chain(head: list[bytes], rest: Any, result: Any) -> Iterable[bytes]:
    try:
        yield from head
        yield from rest
    finally:
        if hasattr(result, "close"):
            result.close()


def _marked(start_response: Callable[..., Any], outcome: str) -> Callable[..., Any]:
    """``X-Guangdong-Cache: hit|miss`` on cacheable requests (operators, tests, benchmarks)."""
    def wrapped(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        return start_response(status, [*headers, ("X-Guangdong-Cache", outcome)], exc_info)
    return wrapped


def _private(start_response: Callable[..., Any]) -> Callable[..., Any]:
    """A logged-in user's or a session's answer: never kept by a shared cache. CKAN marks
    its API answers public whoever asks (ckan/views/__init__.py); a token holder's
    package_show of a private dataset must not be."""
    def wrapped(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        kept = [(k, v) for k, v in headers if k.lower() != "cache-control"]
        kept.append(("Cache-Control", "private, no-cache"))
        if not any(k.lower() == "vary" for k, _ in kept):
            kept.append(("Vary", "Cookie, Authorization"))
        return start_response(status, kept, exc_info)
    return wrapped


def make(app: Callable[..., Any], config: Any, flask_app: Any = None) -> Callable[..., Any]:
    """The middleware around ``app`` when ``ckanext.guangdong.page_cache`` is on."""
    import ckan.plugins.toolkit as tk
    if not tk.asbool(config.get("ckanext.guangdong.page_cache", True)):
        return app
    install_write_listeners()
    paths = tk.aslist(config.get("ckanext.guangdong.page_cache.paths"))
    max_mb = int(config.get("ckanext.guangdong.page_cache.max_mb") or 64)
    seconds = int(config.get("ckanext.guangdong.page_cache.max_seconds") or 300)
    return PageCache(app, paths, max_mb * 1024 * 1024, max(1, max_mb // 8) * 1024 * 1024,
                     seconds, flask_app)
