"""Calling surfaces as each role over HTTP and looking for what the role must not see."""
from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from surfaces import Surface
from world import INTERNAL_TEXTS, World

INTERNAL_FIELDS = ("share_type", "data_level", "deidentified")


@dataclass
class Cell:
    """One role × one surface."""
    role: str
    surface: Surface
    status: int
    leaks: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)   # labels of expected texts found
    seconds: float = 0.0
    error: str = ""

    def __str__(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.surface.params.items())
        return f"{self.role} GET {self.surface.path}?{query} -> {self.status}: {', '.join(self.leaks)}"


def body_text(response: requests.Response) -> str:
    """The response as text; spreadsheets (XLSX) as the text of their XML parts."""
    content = response.content
    if content[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as z:
                return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                                 if n.endswith(".xml"))
        except zipfile.BadZipFile:
            pass
    return response.text


def _has_data(value: Any) -> bool:
    """A value, not an empty slot (a facet of an internal field with no items is empty)."""
    if isinstance(value, dict):
        return bool(value.get("items")) if "items" in value else bool(value)
    return value not in (None, "", [])


def _internal_in_json(value: Any, depth: int = 0) -> list[str]:
    """Internal fields with a value anywhere in a JSON document, including JSON text inside
    string values (the search index's data_dict / validated_data_dict)."""
    if depth > 60:
        return []
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in INTERNAL_FIELDS and _has_data(item):
                found.append(f"internal field {key}")
            if key == "key" and item in INTERNAL_FIELDS and value.get("value") not in (None, ""):
                found.append(f"internal extra {item}")
            found += _internal_in_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            found += _internal_in_json(item, depth + 1)
    elif isinstance(value, str) and value[:1] in "{[" and any(f in value for f in INTERNAL_FIELDS):
        try:
            found += _internal_in_json(json.loads(value), depth + 1)
        except ValueError:
            pass
    return found


def find_leaks(world: World, role: str, surface: Surface, text: str) -> tuple[list[str], set[str]]:
    asked = surface.request_text
    leaks = [f"{label} ({value})" for label, value in world.forbidden[role].items()
             if value in text and value not in asked]
    if not world.internal_visible(role):
        if any(f in text for f in INTERNAL_FIELDS):
            try:
                leaks += _internal_in_json(json.loads(text))
            except ValueError:
                pass
        if world.markers["internal"] in text:
            leaks += [f"internal value {t!r} beside the internal-field dataset"
                      for t in INTERNAL_TEXTS if t in text]
    seen = {label for label, value in world.expected[role].items() if value in text}
    if world.internal_visible(role) and '"share_type": "not_shared"' in text:
        seen.add("internal values")   # the internal-field dataset's value, as the API shows it
    return leaks, seen


def _session(token: str | None) -> requests.Session:
    s = requests.Session()
    if token:
        s.headers["Authorization"] = token
    adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=8)
    s.mount("http://", adapter)
    return s


def fetch(session: requests.Session, base_url: str, path: str,
          params: dict[str, str] | None = None, hops: int = 3) -> requests.Response:
    """GET, following redirects within the app: CKAN builds them from ckan.site_url, which is
    not the test server's address, so the path of each Location is fetched from ``base_url``."""
    response = session.get(base_url + path, params=params, timeout=60, allow_redirects=False)
    while response.is_redirect and hops > 0:
        target = urlsplit(response.headers["Location"])
        if target.netloc and target.netloc not in (urlsplit(base_url).netloc, _site_netloc()):
            break  # a redirect away from the portal (e.g. a resource's own URL)
        path = target.path + ("?" + target.query if target.query else "")
        response = session.get(base_url + path, timeout=60, allow_redirects=False)
        hops -= 1
    return response


def _site_netloc() -> str:
    import ckan.plugins.toolkit as tk
    return urlsplit(tk.config.get("ckan.site_url")).netloc


def run_cells(world: World, base_url: str, surfaces: Iterable[Surface],
              roles: Iterable[str], workers: int = 6) -> list[Cell]:
    """Every surface as every role; requests run on a few threads (the server is threaded,
    and PostgreSQL works while Python waits)."""
    sessions = {role: _session(world.tokens[role]) for role in roles}
    jobs = [(role, s) for s in surfaces for role in sessions]

    def call(job: tuple[str, Surface]) -> Cell:
        role, surface = job
        try:
            response = fetch(sessions[role], base_url, surface.path, surface.params)
        except requests.RequestException as e:  # reported as a surface that does not answer
            return Cell(role, surface, 0, [], set(), 0.0, repr(e))
        leaks, seen = find_leaks(world, role, surface, body_text(response))
        return Cell(role, surface, response.status_code, sorted(set(leaks)), seen,
                    response.elapsed.total_seconds())

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(call, jobs))
