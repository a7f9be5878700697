"""The one policy for every URL the server fetches (harvest sources today; any link checker or
data loader tomorrow): docs/security.md, "Write-time rules and server-side fetches".

- http and https only, no user name or password in the URL;
- every address the host resolves to must be globally routable in the standard library's
  sense (``ipaddress``: ``is_global``, and not multicast; IPv4 inside IPv6 is judged as IPv4),
  unless the host or the address is allow-listed (``ckanext.guangdong.harvest.allowed_hosts``,
  ``GD_HARVEST_ALLOWED_HOSTS``: names, addresses or networks; empty in production);
- checked when a URL is saved (``check_url``) and again when each connection is opened, on
  every redirect hop: the connection resolves the host once, checks every address and connects
  to the address it checked, so a DNS answer that changes in between (DNS rebinding) reaches
  nothing;
- answers are streamed and abandoned as soon as they pass the size limit.

No maintained library does this for requests/urllib3 2 (advocate stopped in 2020, before
urllib3 2), so the checks sit in a urllib3 connection class of our own: small and tested.
The environment's proxy settings and .netrc are ignored (a proxy would be checked instead of
the portal, and .netrc would add credentials).
"""
from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util import connection as urllib3_connection

MAX_REDIRECTS = 5
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
USER_AGENT = "ckanext-guangdong/1.0 (+https://open.gd.gov.cn)"
_CHUNK = 64 * 1024
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def N_(message: str) -> str:
    """Marks a message for translation where it is raised; translated where it is shown
    (the harvest_ops feature's translations: harvest_ops/i18n)."""
    return message


class URLRefused(Exception):
    """The policy refuses this URL or address; ``message`` says why (English, for logs and
    harvest reports; ``message_key`` and ``params`` give the translatable form)."""

    def __init__(self, message_key: str, **params: Any) -> None:
        self.message_key = message_key
        self.params = params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.message_key % self.params if self.params else self.message_key


class ResponseTooLarge(Exception):
    def __init__(self, url: str, limit: int) -> None:
        super().__init__(f"{url}: response larger than {limit} bytes")
        self.url, self.limit = url, limit


# --- the rules ----------------------------------------------------------------------------

def allowed_hosts() -> list[str]:
    import ckan.plugins.toolkit as tk
    return tk.aslist(tk.config.get("ckanext.guangdong.harvest.allowed_hosts") or [])


def _entry_matches(entry: str, host: str, address: Address | None) -> bool:
    entry = entry.strip().lower()
    if not entry:
        return False
    if host and entry == host:
        return True
    if address is None:
        return False
    try:
        return address in ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return False


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    """The host name (or literal address) itself is on the allow-list."""
    host = host.lower().strip("[]")
    try:
        address: Address | None = ipaddress.ip_address(host)
    except ValueError:
        address = None
    return any(_entry_matches(e, host, address) for e in allowed)


def _embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    if isinstance(address, ipaddress.IPv6Address):
        return address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
    return None


def is_public(address: Address) -> bool:
    """Globally routable, as the standard library defines it; IPv4 carried in IPv6
    (::ffff:127.0.0.1, 6to4, Teredo) is judged by its IPv4 address."""
    inner = _embedded_ipv4(address)
    if inner is not None:
        return is_public(inner)
    return address.is_global and not address.is_multicast


def check_address(host: str, address: str, allowed: Sequence[str]) -> Address:
    """The address a host resolved to, or URLRefused when the policy forbids connecting."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if is_public(ip) or host_allowed(host, allowed) \
            or any(_entry_matches(e, "", ip) for e in allowed):
        return ip
    raise URLRefused(N_("%(host)s (%(address)s) is not a public address; "
                        "allow it with ckanext.guangdong.harvest.allowed_hosts"),
                     host=host, address=str(ip))


def check_url_form(url: Any) -> tuple[str, int]:
    """Scheme, credentials and host of a URL (no DNS); returns (host, port)."""
    if not isinstance(url, str) or not url.strip():
        raise URLRefused(N_("the URL is empty"))
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise URLRefused(N_("the URL cannot be read")) from exc
    if parts.scheme not in ("http", "https"):
        raise URLRefused(N_("only http and https URLs are allowed, not %(scheme)s"),
                         scheme=repr(parts.scheme or "none"))
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise URLRefused(N_("the URL must not contain a user name or password; put credentials "
                            "in the source config (auth_header)"))
    if not parts.hostname:
        raise URLRefused(N_("the URL has no host"))
    if any(ord(ch) < 33 for ch in url.strip()):
        raise URLRefused(N_("the URL contains spaces or control characters"))
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise URLRefused(N_("the host %(host)s cannot be resolved"), host=host) from exc
    seen: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in seen:
            seen.append(address)
    if not seen:
        raise URLRefused(N_("the host %(host)s cannot be resolved"), host=host)
    return seen


def check_url(url: Any, allowed: Sequence[str] | None = None, resolve_host: bool = True) -> None:
    """The save-time check: the URL's form, and (with ``resolve_host``) every address its host
    resolves to now. Raises URLRefused."""
    host, port = check_url_form(url)
    allowed = allowed_hosts() if allowed is None else list(allowed)
    if host_allowed(host, allowed):
        return
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        check_address(host, str(literal), allowed)
        return
    if host == "localhost" or host.endswith(".localhost"):
        check_address(host, "127.0.0.1", allowed)
        return
    if resolve_host:
        for address in resolve(host, port):
            check_address(host, address, allowed)


# --- connections that check where they connect ----------------------------------------------

class _CheckedConnectionMixin:
    """Resolves the host once, checks every address, connects to a checked one."""
    allowed: tuple[str, ...] = ()

    def _new_conn(self) -> socket.socket:  # type: ignore[override]
        host = self._dns_host  # type: ignore[attr-defined]
        addresses = resolve(host, self.port)  # type: ignore[attr-defined]
        checked = [str(check_address(self.host, a, self.allowed)) for a in addresses]  # type: ignore[attr-defined]
        error: OSError | None = None
        for address in checked:
            try:
                return urllib3_connection.create_connection(
                    (address, self.port), self.timeout,  # type: ignore[attr-defined]
                    source_address=self.source_address,  # type: ignore[attr-defined]
                    socket_options=self.socket_options)  # type: ignore[attr-defined]
            except OSError as e:
                error = e
        from urllib3.exceptions import NewConnectionError
        raise NewConnectionError(self, f"Failed to establish a new connection: {error}")  # type: ignore[arg-type]


def _adapter(allowed: Sequence[str]) -> HTTPAdapter:
    allowed_tuple = tuple(allowed)

    class CheckedHTTPConnection(_CheckedConnectionMixin, HTTPConnection):
        allowed = allowed_tuple

    class CheckedHTTPSConnection(_CheckedConnectionMixin, HTTPSConnection):
        allowed = allowed_tuple

    # urllib3 types ConnectionCls with its BaseHTTP(S)Connection protocols, which its own
    # HTTP(S)Connection (our base classes) do not satisfy for a type checker
    class CheckedHTTPPool(HTTPConnectionPool):
        ConnectionCls = CheckedHTTPConnection  # pyright: ignore[reportAssignmentType]

    class CheckedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = CheckedHTTPSConnection  # pyright: ignore[reportAssignmentType]

    class CheckedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": CheckedHTTPPool,
                                                       "https": CheckedHTTPSPool}

        def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
            raise URLRefused(N_("proxies are not used for server-side fetches"))

    return CheckedAdapter(max_retries=0)


def session(allowed: Sequence[str] | None = None, headers: dict[str, str] | None = None) -> requests.Session:
    """A requests session whose every connection goes through the policy."""
    allowed = allowed_hosts() if allowed is None else list(allowed)
    s = requests.Session()
    s.trust_env = False  # no proxies and no .netrc from the environment
    s.max_redirects = MAX_REDIRECTS
    adapter = _adapter(allowed)
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    s.headers["User-Agent"] = USER_AGENT
    s.headers.update(headers or {})
    return s


def fetch(s: requests.Session, method: str, url: str, *, timeout: float,
          max_bytes: int = DEFAULT_MAX_BYTES, max_redirects: int = MAX_REDIRECTS,
          **kwargs: Any) -> tuple[requests.Response, str]:
    """One request through the policy, following redirects ourselves (each hop's URL form is
    checked here, its address when the connection opens). The body is read in chunks and
    abandoned past ``max_bytes``. Returns the final response (body read) and its URL.
    Raises URLRefused, ResponseTooLarge, or requests' exceptions."""
    for _hop in range(max_redirects + 1):
        check_url_form(url)
        resp = s.request(method, url, timeout=timeout, allow_redirects=False, stream=True, **kwargs)
        if resp.is_redirect and resp.headers.get("location"):
            resp.close()
            url = urljoin(url, resp.headers["location"])
            if resp.status_code in (301, 302, 303):
                method = "GET"
                kwargs = {k: v for k, v in kwargs.items() if k not in ("json", "data")}
            continue
        _read_limited(resp, url, max_bytes, deadline=time.monotonic() + max(timeout * 20, 300))
        return resp, url
    raise URLRefused(N_("%(url)s: more than %(n)s redirects"), url=url, n=max_redirects)


def _read_limited(resp: requests.Response, url: str, max_bytes: int, deadline: float) -> None:
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        resp.close()
        raise ResponseTooLarge(url, max_bytes)
    body = bytearray()
    try:
        for chunk in resp.iter_content(_CHUNK):
            body += chunk
            if len(body) > max_bytes:
                raise ResponseTooLarge(url, max_bytes)
            if time.monotonic() > deadline:  # a server dripping bytes forever
                raise requests.Timeout(f"{url}: the answer took too long")
    finally:
        resp.close()
    resp._content = bytes(body)  # what resp.content / .text / .json() read
    # requests keeps this flag private (it marks the body as read)
    resp._content_consumed = True  # pyright: ignore[reportAttributeAccessIssue]
