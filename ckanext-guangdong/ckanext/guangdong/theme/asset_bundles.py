"""Asset bundles built once per web process, not checked on every request.

CKAN's ``{% asset %}`` tag asks webassets for each bundle's URL on every page; with webassets'
``auto_build`` on (CKAN never turns it off) that re-checks every source file of every bundle
the page includes (about 150 ``stat`` calls and version look-ups per dataset page, 5-10 % of
its CPU: docs/benchmarks.md, "Pages"). The sources only change with a deployment, which
restarts the workers, so each process builds every bundle once when its app is made and then
serves the URLs it knows. With ``debug`` on, webassets serves the source files and keeps
checking them, so an edited script shows up at once during development.
"""
from __future__ import annotations

import fcntl
import logging
import os
from typing import Any

import ckan.plugins.toolkit as tk

log = logging.getLogger(__name__)

__all__ = ["build_once"]


def build_once(config: Any) -> bool:
    """Build every registered bundle (unchanged outputs are kept), then turn ``auto_build`` off.
    Returns whether it was turned off: not with ``debug``, nor when a bundle failed to build
    (then webassets keeps trying on each request, as before, and the error is logged)."""
    from ckan.lib import webassets_tools
    from webassets.exceptions import BundleError

    env = webassets_tools.env
    if tk.asbool(config.get("debug")):
        return False
    failed = []
    os.makedirs(env.directory, exist_ok=True)
    # gunicorn's workers start together: one builds, the others wait and find the outputs current
    with open(os.path.join(env.directory, ".guangdong-build.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for bundle in env:
            try:
                bundle.urls()  # builds it if its output is missing or older than its sources
            except (BundleError, OSError) as error:
                failed.append(bundle)
                log.warning("asset bundle %s not built: %s", bundle, error)
    if failed:
        return False
    env.auto_build = False
    return True
