"""Fixtures of the safety tests: a real CKAN job worker (``ckan jobs worker`` on the test ini,
the data feature's load job with the scan in it), with scans before publication switched on."""
from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


@pytest.fixture(scope="module")
def worker(request: Any, gd_plugins: None, tmp_path_factory: Any) -> Iterator[None]:
    """``ckan jobs worker`` in its own process on the test ini."""
    from ckan.lib import jobs
    ini = Path(request.config.getoption("ckan_ini"))
    text = ini.read_text(encoding="utf-8")
    # the worker holds before the first scan, as production does (the test profile's ini
    # says false for the other features, which run no worker)
    text, found = re.subn(r"(?m)^ckanext\.guangdong\.safety\.scan_before_public\s*=.*$",
                          "ckanext.guangdong.safety.scan_before_public = true", text)
    if not found:
        text = text.replace("[app:main]\n", "[app:main]\nckanext.guangdong.safety.scan_before_public = true\n", 1)
    worker_ini = tmp_path_factory.mktemp("safety-worker") / "worker.ini"
    worker_ini.write_text(text, encoding="utf-8")
    jobs.get_queue().empty()  # jobs other test folders enqueued
    log = open(worker_ini.with_suffix(".log"), "w")
    proc = subprocess.Popen([str(Path(sys.executable).parent / "ckan"), "-c", str(worker_ini),
                             "jobs", "worker"], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    yield
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
