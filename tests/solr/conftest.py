"""Fixtures for the tests against a real Solr (scripts/solr.sh; run by `make test-solr`)."""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from solr_helpers import ROOT, run_solr_sh


@pytest.fixture(scope="module")
def solr_cloud(gd_plugins: None) -> Iterator[dict[str, Any]]:
    """A new 2-node SolrCloud (scripts/solr.sh cloud-start); CKAN's Solr client points at
    its collection for the module, and back at the test ini's Solr afterwards."""
    from ckan.lib.search import common
    var = Path(os.environ.get("GD_VAR", ROOT / "var"))
    run_solr_sh("cloud-start")
    state_file = var / "solr" / "cloud" / "state.json"
    state = json.loads(state_file.read_text())
    state["file"] = state_file
    state["collection_url"] = f'{state["nodes"][0]["url"]}/{state["collection"]}'
    before = common.SolrSettings.get()
    common.SolrSettings.init(state["collection_url"])
    try:
        yield state
    finally:
        common.SolrSettings.init(*before)
        run_solr_sh("cloud-stop")
