"""Render config/ckan.ini.tmpl into var/<name>.ini with this machine's ports and paths.

    python scripts/render_config.py run   -> var/ckan.ini  (database ckan)
    python scripts/render_config.py test  -> var/test.ini  (database ckan_test, Redis db 1)
"""
from __future__ import annotations

import os
import string
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# One plugin per feature. Earlier plugins win template lookups, so the theme comes first.
# ckanext-harvest's stock harvester types (ckan_harvester, dcat_rdf_harvester) are not enabled:
# our guangdong_ckan / guangdong_dcat cover the same portals through the one URL policy, and
# the stock ones fetch with their own HTTP code, following redirects anywhere
# (docs/security.md, "Write-time rules and server-side fetches").
PLUGINS = [
    "guangdong_theme", "guangdong_security", "guangdong_schema", "guangdong_application", "guangdong_search",
    # safety before events: its package hooks hold a dataset (private) before the events
    # feature records the change (docs/safety.md)
    "guangdong_safety", "guangdong_events", "guangdong_targets", "guangdong_harvest",
    "guangdong_ckan_harvester", "guangdong_dcat_harvester", "guangdong_api_harvester",
    "tracking", "activity", "scheming_datasets", "scheming_organizations", "dcat", "harvest",
    # CKAN's previews (of files on this portal only: theme/previews.py)
    "image_view", "text_view", "webpage_view",
    # DataStore and previews of data (docs/data.md). datastore must be the first IDatastore
    # plugin; guangdong_data comes before datatables_view, whose search endpoint it replaces
    "datastore", "guangdong_data", "xloader", "datatables_view", "pdf_view",
]

PROFILES = {
    "run": {"ini": "ckan.ini", "GD_DB_NAME": "ckan", "GD_REDIS_DB": "0",
            "GD_SITE_ID": "guangdong", "GD_LOG_LEVEL": "INFO", "solr_core": "ckan",
            "GD_SAFETY_SCAN_BEFORE_PUBLIC": "true", "GD_SAFETY_REVIEW_DEFAULT": "department",
            # the demo's provincial reviewer account (scripts/setup.sh makes it; make run only,
            # never the tests' or docker's ini: docs/demo-accounts.md)
            "GD_SAFETY_REVIEWERS": "demo-reviewer"},
    "test": {"ini": "test.ini", "GD_DB_NAME": "ckan_test", "GD_REDIS_DB": "1",
             "GD_SITE_ID": "guangdong_test", "GD_LOG_LEVEL": "WARNING", "solr_core": "ckan_test",
            # No job worker runs in most test folders: the hold *before* a file's first scan
            # would keep their datasets private forever. tests/safety, the leak suite's held
            # dataset and the review journey switch it on (docs/safety.md). Likewise the review
            # step: the other folders' editors publish directly; tests/safety's review tests
            # and the review journey ask for it.
            "GD_SAFETY_SCAN_BEFORE_PUBLIC": "false", "GD_SAFETY_REVIEW_DEFAULT": "none",
            "GD_SAFETY_REVIEWERS": ""},
}
SEARCH_BACKENDS = ("postgres", "solr")


def read_secret(var: Path, name: str) -> str:
    path = var / "secrets" / name
    if not path.exists():
        sys.exit(f"error: {path} is missing; run scripts/services.sh start first")
    return path.read_text().strip()


def datastore_db_name(db_name: str) -> str:
    """The DataStore database that goes with a CKAN database (ckan -> ckan_datastore)."""
    return f"{db_name}_datastore"


def render(profile: str) -> Path:
    settings = dict(PROFILES[profile])
    solr_core = settings.pop("solr_core")
    if profile == "test" and os.environ.get("GD_TEST_DB"):
        # A separate test database (and ini) so that two test runs do not collide.
        settings["GD_DB_NAME"] = os.environ["GD_TEST_DB"]
        settings["ini"] = f"test-{os.environ['GD_TEST_DB']}.ini"
    backend = os.environ.get("GD_SEARCH_BACKEND") or "postgres"
    if backend not in SEARCH_BACKENDS:
        sys.exit(f"error: GD_SEARCH_BACKEND={backend!r}; choose one of {', '.join(SEARCH_BACKENDS)}")
    var = Path(os.environ.get("GD_VAR", ROOT / "var"))
    web_port = os.environ.get("GD_WEB_PORT", "5000")
    values = {
        "GD_ROOT": str(ROOT),
        "GD_PG_PORT": os.environ.get("GD_PG_PORT", "25432"),
        "GD_REDIS_PORT": os.environ.get("GD_REDIS_PORT", "63799"),
        "GD_DB_USER": os.environ.get("GD_DB_USER", "ckan"),
        "GD_DB_PASSWORD": read_secret(var, "db_password"),
        "GD_SECRET_KEY": read_secret(var, "secret_key"),
        "GD_SITE_URL": os.environ.get("GD_SITE_URL", f"http://127.0.0.1:{web_port}"),
        "GD_STORAGE_PATH": str(var / ("storage" if profile == "run" else "storage-test")),
        "GD_PLUGINS": " ".join(PLUGINS),
        # The local Solr of scripts/solr.sh: core "ckan" for make run, "ckan_test" for tests.
        "GD_SEARCH_BACKEND": backend,
        "GD_SOLR_URL": os.environ.get("GD_SOLR_URL") or
        f"http://127.0.0.1:{os.environ.get('GD_SOLR_PORT', '8983')}/solr/{solr_core}",
        # Local city portals (the demo and the tests) live on loopback.
        "GD_HARVEST_ALLOWED_HOSTS": os.environ.get("GD_HARVEST_ALLOWED_HOSTS", "127.0.0.1 localhost"),
        # The DataStore: a database of its own beside the CKAN one, a write and a read-only role
        # (scripts/services.sh creates them).
        "GD_DS_DB_NAME": datastore_db_name(settings["GD_DB_NAME"]),
        "GD_DS_WRITE_USER": os.environ.get("GD_DS_WRITE_USER", "datastore_write"),
        "GD_DS_READ_USER": os.environ.get("GD_DS_READ_USER", "datastore_read"),
        "GD_DS_WRITE_PASSWORD": read_secret(var, "datastore_write_password"),
        "GD_DS_READ_PASSWORD": read_secret(var, "datastore_read_password"),
        **{k: v for k, v in settings.items() if k != "ini"},
    }
    template = string.Template((ROOT / "config" / "ckan.ini.tmpl").read_text(encoding="utf-8"))
    out = var / settings["ini"]
    out.write_text(template.substitute(values), encoding="utf-8")
    os.chmod(out, 0o600)
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in PROFILES:
        sys.exit("usage: render_config.py run|test")
    print(render(sys.argv[1]))
