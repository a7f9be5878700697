#!/usr/bin/env python
"""Entrypoint of the ckanext-guangdong CKAN image (docker/Dockerfile).

    entrypoint.py web | gather | fetch | scheduler | worker     the long-running roles
    entrypoint.py ckan ARGS...                         CKAN's command line (e.g. search-index rebuild)
    entrypoint.py COMMAND ARGS...                      anything else, run as is (sh, python ...)

Every role first renders $CKAN_INI from config/ckan.ini.tmpl (render_ini.py, secrets
from the environment) and waits for PostgreSQL. ``web`` also waits for Solr, applies
every migration (``ckan db upgrade``: core, activity, harvest, ours), creates the
sysadmin named by GD_ADMIN_USER / GD_ADMIN_PASSWORD, optionally loads the demo
catalog, rebuilds the search index when Solr's is empty and datasets exist, and then
replaces itself with gunicorn. The workers start after ``web`` is healthy
(docker-compose.yml), so they never see a database without our tables.

``web`` also prepares the DataStore (its database, roles and permissions) before the migrations.
ROLES mirrors what the local ``make run`` starts (scripts/run.sh); the test
tests/foundation/test_docker_config.py compares the two.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import render_ini  # noqa: E402  (beside this file)

INI = os.environ.get("CKAN_INI", "/srv/app/ckan.ini")
CKAN = ["ckan", "-c", INI]

# name -> command; the same commands as scripts/run.sh's web, gather, fetch, scheduler.
ROLES: dict[str, list[str]] = {
    "web": ["gunicorn", "ckanext.guangdong.wsgi:application",
            "--bind", "0.0.0.0:5000",
            "--workers", os.environ.get("GD_WEB_WORKERS", "2"),
            "--threads", os.environ.get("GD_WEB_THREADS", "4"),
            "--timeout", os.environ.get("GD_WEB_TIMEOUT", "120"),
            "--forwarded-allow-ips", "*",
            # gunicorn's maximum (default 4094): a long Chinese search text fits (search/views.py)
            "--limit-request-line", "8190",
            "--access-logfile", "-"],
    "gather": CKAN + ["harvester", "gather-consumer"],
    "fetch": CKAN + ["harvester", "fetch-consumer"],
    "scheduler": CKAN + ["guangdong", "scheduler"],
    "worker": CKAN + ["jobs", "worker"],
}

# Further variables read here (render_ini.ENV_DEFAULTS has the configuration ones).
ENV_DEFAULTS: dict[str, str] = {
    "GD_WEB_WORKERS": "2",
    "GD_WEB_THREADS": "4",
    "GD_WEB_TIMEOUT": "120",
    "GD_WAIT_TIMEOUT": "180",
    "GD_ADMIN_USER": "admin",
    "GD_ADMIN_PASSWORD": "",
    "GD_ADMIN_EMAIL": "admin@open.gd.gov.cn",
    "GD_LOAD_DEMO": "false",
    "GD_SEARCH_INDEX_REBUILD": "auto",
}


def say(msg: str) -> None:
    print(f"[entrypoint] {msg}", file=sys.stderr, flush=True)


def env(name: str) -> str:
    return os.environ.get(name) or ENV_DEFAULTS.get(name) or render_ini.ENV_DEFAULTS.get(name) or ""


def wait_for(what: str, check, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            check()
            return
        except Exception as exc:  # any failure means "not yet"
            if time.monotonic() > deadline:
                sys.exit(f"[entrypoint] error: {what} not reachable after {timeout:.0f} s: {exc}")
            time.sleep(2)


def tcp(host: str, port: int):
    def check() -> None:
        with socket.create_connection((host, port), timeout=3):
            pass
    return check


def solr_ping(url: str):
    def check() -> None:
        with urllib.request.urlopen(url.rstrip("/") + "/admin/ping?wt=json", timeout=5) as r:
            if json.load(r).get("status") != "OK":
                raise RuntimeError("ping status is not OK")
    return check


def solr_count(url: str) -> int:
    with urllib.request.urlopen(url.rstrip("/") + "/select?q=*:*&rows=0&wt=json", timeout=10) as r:
        return int(json.load(r)["response"]["numFound"])


def ckan(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(CKAN + list(args), check=check, text=True, capture_output=not check)


# Run in one CKAN process (loading CKAN with every plugin takes seconds): create the
# sysadmin if asked (password from the environment, never on a command line) and
# count the datasets, for the index decision.
SITE_SETUP = """
import json, os, sys
from ckan.cli import CKANConfigLoader
from ckan.config.environment import load_environment
load_environment(CKANConfigLoader(sys.argv[1]).get_config())
import ckan.logic as logic, ckan.model as model
out = {"created": False, "sysadmin": None}
name, password = os.environ.get("GD_ADMIN_USER"), os.environ.get("GD_ADMIN_PASSWORD")
if name and password:
    user = model.User.get(name)
    if user is None:
        site = logic.get_action("get_site_user")({"ignore_auth": True}, {})
        try:
            logic.get_action("user_create")(
                {"user": site["name"], "ignore_auth": True},
                {"name": name, "email": os.environ.get("GD_ADMIN_EMAIL"), "password": password,
                 "fullname": "平台管理员"})
        except logic.ValidationError as exc:
            sys.exit("cannot create the sysadmin %s: %s" % (name, exc.error_summary))
        user = model.User.get(name)
        out["created"] = True
    if not user.sysadmin:
        user.sysadmin = True
        model.repo.commit_and_remove()
    out["sysadmin"] = name
out["datasets"] = model.Session.query(model.Package).filter(model.Package.state == "active").count()
print(json.dumps(out))
"""


def site_setup() -> dict:
    proc = subprocess.run([sys.executable, "-c", SITE_SETUP, INI], text=True, capture_output=True,
                          env={**os.environ, **{k: env(k) for k in ("GD_ADMIN_USER", "GD_ADMIN_EMAIL")}})
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-3000:])
        sys.exit("[entrypoint] error: site setup failed (see above)")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def prepare_datastore() -> None:
    """The DataStore's database (POSTGRES_DB_datastore) and its write and read-only roles, then
    CKAN's own permission script (`ckan datastore set-permissions`), as scripts/services.sh does
    locally. Needs the database superuser (POSTGRES_USER is one in the postgres image); with a
    lesser user they must exist already."""
    import psycopg2
    from psycopg2 import sql
    args = dict(host=env("GD_DB_HOST"), port=int(env("GD_DB_PORT")), user=env("POSTGRES_USER"),
                password=env("POSTGRES_PASSWORD"))
    main_db = env("POSTGRES_DB")
    ds_db = main_db + "_datastore"
    conn = psycopg2.connect(dbname=main_db, **args)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cur.fetchone()[0]:
            say("POSTGRES_USER is not a superuser: the DataStore roles and database must exist")
            conn.close()
            return
        for role, var in ((render_ini.DATASTORE_WRITE_USER, "GD_DATASTORE_WRITE_PASSWORD"),
                          (render_ini.DATASTORE_READ_USER, "GD_DATASTORE_READ_PASSWORD")):
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
            verb = "ALTER" if cur.fetchone() else "CREATE"
            cur.execute(sql.SQL(verb + " ROLE {} LOGIN PASSWORD %s").format(sql.Identifier(role)),
                        (env(var),))
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (ds_db,))
        if not cur.fetchone():
            say(f"creating the DataStore database {ds_db}")
            cur.execute(sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0").format(
                sql.Identifier(ds_db), sql.Identifier(render_ini.DATASTORE_WRITE_USER)))
            cur.execute(sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(sql.Identifier(ds_db)))
    conn.close()
    script = subprocess.run(CKAN + ["datastore", "set-permissions"], check=True, text=True,
                            capture_output=True).stdout
    script = "\n".join(line for line in script.splitlines() if not line.startswith("\\connect"))
    conn = psycopg2.connect(dbname=ds_db, **args)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(script)
    conn.close()


def prepare_web() -> None:
    timeout = float(env("GD_WAIT_TIMEOUT"))
    solr_url = env("GD_SOLR_URL")
    wait_for(f"Solr ({solr_url})", solr_ping(solr_url), timeout)

    say("preparing the DataStore database and roles")
    prepare_datastore()

    say("applying database migrations (ckan db upgrade: core, activity, harvest, guangdong)")
    ckan("db", "upgrade")

    site = site_setup()
    if site["created"]:
        say(f"created the sysadmin {site['sysadmin']}")
    elif not site["sysadmin"]:
        say("GD_ADMIN_PASSWORD is empty: no sysadmin created "
            "(docker compose exec ckan ckan sysadmin add NAME)")

    storage = Path(env("GD_STORAGE_PATH"))
    marker = storage / ".demo-loaded"
    if env("GD_LOAD_DEMO").lower() in ("1", "true", "yes") and not marker.exists():
        say("loading the demo catalog")
        ckan("guangdong", "demo", "load")
        marker.touch()

    mode = env("GD_SEARCH_INDEX_REBUILD").lower()
    if mode == "always" or (mode == "auto" and site["datasets"] > 0 and solr_count(solr_url) == 0):
        say("rebuilding the search index (Solr has no documents, the database has datasets)")
        ckan("search-index", "rebuild")


def main(argv: list[str]) -> None:
    if not argv:
        argv = ["web"]
    try:
        render_ini.render(Path(INI))
    except render_ini.ConfigError as exc:
        sys.exit(f"[entrypoint] error: {exc}")

    timeout = float(env("GD_WAIT_TIMEOUT"))
    wait_for("PostgreSQL", tcp(env("GD_DB_HOST"), int(env("GD_DB_PORT"))), timeout)

    role = argv[0]
    if role in ROLES:
        if role == "web":
            prepare_web()
        else:
            wait_for("Redis", tcp(env("GD_REDIS_HOST"), int(env("GD_REDIS_PORT"))), timeout)
        command = ROLES[role]
    elif role == "ckan":
        command = CKAN + argv[1:]
    else:
        command = argv
    say("starting: " + " ".join(c for c in command if "password" not in c.lower()))
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
