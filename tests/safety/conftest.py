"""Fixtures of the safety tests: a real CKAN job worker (``ckan jobs worker`` on the test ini,
the data feature's load job with the scan in it), with scans before publication switched on."""
from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gd_testing import job_worker

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


@pytest.fixture(scope="module")
def worker(request: Any, gd_plugins: None, tmp_path_factory: Any) -> Iterator[None]:
    """``ckan jobs worker`` in its own process on the test ini."""
    ini = Path(request.config.getoption("ckan_ini"))
    text = ini.read_text(encoding="utf-8")
    # the worker holds before the first scan, as production does (the test profile's ini
    # says false for the other features, which run no worker)
    text, found = re.subn(r"(?m)^ckanext\.guangdong\.safety\.scan_before_public\s*=.*$",
                          "ckanext.guangdong.safety.scan_before_public = true", text)
    if not found:
        text = text.replace("[app:main]\n", "[app:main]\nckanext.guangdong.safety.scan_before_public = true\n", 1)
    with job_worker(text, tmp_path_factory.mktemp("safety-worker")):
        yield
