"""Helpers for the tests against a real Solr (scripts/solr.sh)."""
from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
SOLR_SH = ROOT / "scripts" / "solr.sh"


def solr_get(url: str, **params: Any) -> dict[str, Any]:
    """GET a Solr URL with wt=json (straight to Solr, not through CKAN)."""
    query = urlencode({**params, "wt": "json"}, doseq=True)
    with urllib.request.urlopen(f"{url}?{query}", timeout=30) as resp:
        return json.load(resp)


def run_solr_sh(*args: str) -> None:
    subprocess.run([str(SOLR_SH), *args], check=True, cwd=ROOT, timeout=300)


def wait_for(predicate: Callable[[], Any], timeout: float = 60.0) -> Any:
    """Polls ``predicate`` until it returns a true value or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.25)
