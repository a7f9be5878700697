"""Render config/ckan.ini.tmpl for the docker deployment (docker/docker-compose.yml).

The same template and the same plugin list (``PLUGINS`` of scripts/render_config.py)
as the local ``make run``; only what differs between a laptop and containers is
set differently:

* the template's placeholders get container values (secrets from the environment);
* ``DOCKER_SETTINGS`` then replaces a few options of the rendered file whose
  template value is written for loopback services (``127.0.0.1``): the database,
  Redis and Solr hosts, and ``ckanext.guangdong.search_backend = solr``.

A setting here may only replace an option that the template already has
(``render`` refuses anything else), so the docker configuration cannot drift into
options the local one lacks; tests/foundation/test_docker_config.py checks it.

    python docker/ckan/render_ini.py /srv/app/ckan.ini     (the entrypoint does this)
"""
from __future__ import annotations

import importlib.util
import os
import re
import string
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from urllib.parse import quote

# docker/ckan/render_ini.py in the repository, /srv/app/docker/ckan/render_ini.py in the image
ROOT = Path(os.environ.get("GD_APP_ROOT", Path(__file__).resolve().parents[2]))
TEMPLATE = ROOT / "config" / "ckan.ini.tmpl"

# Variables without which the deployment is not safe to start.
REQUIRED = ("POSTGRES_PASSWORD", "GD_SECRET_KEY", "GD_DATASTORE_WRITE_PASSWORD",
            "GD_DATASTORE_READ_PASSWORD")

# Every environment variable read here, with its default (None: required).
# docker/.env.example lists each of them; docker-compose.yml passes each through.
ENV_DEFAULTS: dict[str, str | None] = {
    "POSTGRES_USER": "ckan",
    "POSTGRES_PASSWORD": None,
    "POSTGRES_DB": "ckan",
    "GD_DB_HOST": "db",
    "GD_DB_PORT": "5432",
    "GD_REDIS_HOST": "redis",
    "GD_REDIS_PORT": "6379",
    "GD_REDIS_DB": "0",
    "GD_SOLR_URL": "http://solr:8983/solr/ckan",
    "GD_SECRET_KEY": None,
    "GD_SITE_URL": "http://localhost:5000",
    "GD_SITE_ID": "guangdong",
    "GD_STORAGE_PATH": "/var/lib/ckan",
    "GD_LOG_LEVEL": "INFO",
    # City portals are on the internet in production: no private hosts allowed.
    "GD_HARVEST_ALLOWED_HOSTS": "",
    # Reverse proxies of ours in front of gunicorn (a TLS proxy: 1); login throttling then
    # counts the client's address from X-Forwarded-For.
    "GD_PROXIES_IN_FRONT": "0",
    # The DataStore (docs/data.md): database POSTGRES_DB_datastore, a write and a read-only role.
    "GD_DATASTORE_WRITE_PASSWORD": None,
    "GD_DATASTORE_READ_PASSWORD": None,
}
DATASTORE_WRITE_USER = "datastore_write"
DATASTORE_READ_USER = "datastore_read"


def ini_escape(value: str) -> str:
    """CKAN reads the ini with configparser's %-interpolation: a literal % is %%."""
    return value.replace("%", "%%")


class ConfigError(RuntimeError):
    """The environment or the template cannot give a valid configuration."""


def load_local_renderer() -> ModuleType:
    """scripts/render_config.py, imported by path: the one list of plugins."""
    path = ROOT / "scripts" / "render_config.py"
    spec = importlib.util.spec_from_file_location("gd_render_config", path)
    if spec is None or spec.loader is None:
        raise ConfigError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def environment(env: Mapping[str, str]) -> dict[str, str]:
    """The variables of ENV_DEFAULTS from ``env``; a clear error when one is missing."""
    missing = [k for k in REQUIRED if not env.get(k)]
    if missing:
        raise ConfigError("missing environment variable(s): " + ", ".join(missing)
                          + " (copy docker/.env.example to docker/.env and fill them in)")
    return {k: env.get(k) or (default or "") for k, default in ENV_DEFAULTS.items()}


def template_values(env: Mapping[str, str]) -> dict[str, str]:
    """Values for the placeholders of config/ckan.ini.tmpl in a container."""
    e = {k: ini_escape(v) for k, v in environment(env).items()}
    return {
        "GD_ROOT": str(ROOT),
        "GD_PG_PORT": e["GD_DB_PORT"],
        "GD_REDIS_PORT": e["GD_REDIS_PORT"],
        "GD_REDIS_DB": e["GD_REDIS_DB"],
        "GD_DB_USER": e["POSTGRES_USER"],
        "GD_DB_PASSWORD": e["POSTGRES_PASSWORD"],
        "GD_DB_NAME": e["POSTGRES_DB"],
        "GD_SECRET_KEY": e["GD_SECRET_KEY"],
        "GD_SITE_URL": e["GD_SITE_URL"].rstrip("/"),
        "GD_SITE_ID": e["GD_SITE_ID"],
        "GD_STORAGE_PATH": e["GD_STORAGE_PATH"],
        "GD_PLUGINS": " ".join(load_local_renderer().PLUGINS),
        "GD_HARVEST_ALLOWED_HOSTS": e["GD_HARVEST_ALLOWED_HOSTS"],
        "GD_LOG_LEVEL": e["GD_LOG_LEVEL"],
        "GD_SAFETY_SCAN_BEFORE_PUBLIC": "true",
        "GD_SAFETY_REVIEW_DEFAULT": "department",
        "GD_SAFETY_REVIEWERS": "",  # none: make run's demo reviewer account is local only
        "GD_SEARCH_BACKEND": "solr",
        "GD_SOLR_URL": e["GD_SOLR_URL"],
        "GD_DS_DB_NAME": e["POSTGRES_DB"] + "_datastore",
        "GD_DS_WRITE_USER": DATASTORE_WRITE_USER,
        "GD_DS_READ_USER": DATASTORE_READ_USER,
        "GD_DS_WRITE_PASSWORD": e["GD_DATASTORE_WRITE_PASSWORD"],
        "GD_DS_READ_PASSWORD": e["GD_DATASTORE_READ_PASSWORD"],
    }


def docker_settings(env: Mapping[str, str]) -> dict[str, str]:
    """Options of [app:main] whose rendered template value is replaced in docker."""
    e = environment(env)
    user = quote(e["POSTGRES_USER"], safe="")
    password = quote(e["POSTGRES_PASSWORD"], safe="")
    db_url = (f"postgresql://{user}:{password}@{e['GD_DB_HOST']}:"
              f"{e['GD_DB_PORT']}/{quote(e['POSTGRES_DB'], safe='')}")
    datastore = f"{e['GD_DB_HOST']}:{e['GD_DB_PORT']}/{quote(e['POSTGRES_DB'] + '_datastore', safe='')}"
    settings = {
        "sqlalchemy.url": db_url,
        "ckanext.xloader.jobs_db.uri": db_url,
        "ckan.datastore.write_url": (f"postgresql://{DATASTORE_WRITE_USER}:"
                                     f"{quote(e['GD_DATASTORE_WRITE_PASSWORD'], safe='')}@{datastore}"),
        "ckan.datastore.read_url": (f"postgresql://{DATASTORE_READ_USER}:"
                                    f"{quote(e['GD_DATASTORE_READ_PASSWORD'], safe='')}@{datastore}"),
        "ckan.redis.url": f"redis://{e['GD_REDIS_HOST']}:{e['GD_REDIS_PORT']}/{e['GD_REDIS_DB']}",
        "ckan.harvest.mq.hostname": e["GD_REDIS_HOST"],
        "ckanext.guangdong.search_backend": "solr",
        "solr_url": e["GD_SOLR_URL"],
        "ckanext.guangdong.security.proxies_in_front": e["GD_PROXIES_IN_FRONT"],
    }
    return {k: ini_escape(v) for k, v in settings.items()}


def _replace_options(text: str, settings: Mapping[str, str], section: str = "app:main") -> str:
    """Replace ``key = value`` lines of one ini section; every key must exist there."""
    lines = text.splitlines(keepends=True)
    current = None
    seen: set[str] = set()
    for i, line in enumerate(lines):
        header = re.match(r"\s*\[([^\]]+)\]\s*$", line)
        if header:
            current = header.group(1).strip()
            continue
        if current != section:
            continue
        m = re.match(r"([^\s#;=][^=]*?)\s*=", line)
        if m and m.group(1) in settings:
            key = m.group(1)
            lines[i] = f"{key} = {settings[key]}\n"
            seen.add(key)
    unknown = set(settings) - seen
    if unknown:
        raise ConfigError(
            f"{TEMPLATE} has no option(s) {', '.join(sorted(unknown))} in [{section}]; "
            "the docker settings may only replace options the local configuration has")
    return "".join(lines)


def render_text(env: Mapping[str, str]) -> str:
    template = string.Template(TEMPLATE.read_text(encoding="utf-8"))
    try:
        text = template.substitute(template_values(env))
    except KeyError as exc:
        raise ConfigError(f"{TEMPLATE} uses ${{{exc.args[0]}}}, which docker/ckan/render_ini.py "
                          "does not set: add it to template_values()") from exc
    header = ("# Rendered by docker/ckan/render_ini.py from config/ckan.ini.tmpl at container start;\n"
              "# edit the template or docker/.env, not this file.\n")
    return header + _replace_options(text, docker_settings(env))


def render(out: Path, env: Mapping[str, str] | None = None) -> Path:
    out = Path(out)
    text = render_text(os.environ if env is None else env)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(out)
    return out


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CKAN_INI", "ckan.ini"))
    try:
        print(render(target))
    except ConfigError as exc:
        sys.exit(f"error: {exc}")
