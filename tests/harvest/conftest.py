"""Fixtures of the harvest tests: a fresh database per test module (with the harvest,
activity and our feature tables), the city portals on 127.0.0.1, and a helper that runs a
whole harvest job (gather, fetch, import, finish) without queue consumers."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The stand-in portals are ckanext.guangdong.demo.cityportals (the demo serves them too); the
# test harness that runs jobs is the package ``cityportals`` in tests/ (not ``tests.cityportals``:
# CKAN puts its own ``tests`` package on sys.path).
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

from cityportals.harness import make_source, run_job  # noqa: E402
from gd_testing import reset_database  # noqa: E402


@pytest.fixture(scope="module")
def harvest_db(gd_plugins: None) -> None:
    """The plugins of the ini loaded for the whole module (the shared ``gd_plugins``: a harvest
    spans several tests) and a fresh database."""
    reset_database()


@pytest.fixture(scope="module")
def api_portal() -> Iterator[Any]:
    from ckanext.guangdong.demo.cityportals.serve import serve_portal
    served = serve_portal()
    yield served
    served.stop()


@pytest.fixture(scope="session")
def city_ckan() -> Iterator[Any]:
    """The second, real CKAN instance (韶关市) with 40 datasets in its own schema."""
    from ckan.common import config

    from ckanext.guangdong.demo.cityportals import ckan_city
    ini = Path(config["__file__"])
    city = ckan_city.start(ini, db="ckan_city", count=40)
    yield city
    city.stop()


@pytest.fixture
def make_harvest_source():
    return make_source


@pytest.fixture
def run_harvest():
    return run_job
