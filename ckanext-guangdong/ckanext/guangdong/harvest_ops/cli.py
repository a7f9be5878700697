"""``ckan guangdong harvest ...``: load the city sources of config/city_sources.yaml, and
serve the stand-in city portals (ckanext.guangdong.demo.cityportals) for the demo."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import ckan.plugins.toolkit as tk
import click
import yaml

from ckanext.guangdong.cli import guangdong
from ckanext.guangdong.harvest_ops.scheduler import scheduler

# The repository's list (scripts/lib.sh exports GD_ROOT; else the working directory)
DEFAULT_FILE = Path(os.environ.get("GD_ROOT") or Path.cwd()) / "config" / "city_sources.yaml"


# What @tk.blanket.cli registers: the portal's group, to which this feature adds its commands
__all__ = ["guangdong"]


@click.group("harvest", short_help="开放广东 city harvest sources")
def harvest() -> None:
    """City harvest sources and the demo's stand-in city portals."""


@harvest.group()
def sources() -> None:
    """Harvest sources of the city portals."""


@sources.command("load")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False), default=str(DEFAULT_FILE))
def sources_load(path: str) -> None:
    """Create or update the sources listed in config/city_sources.yaml."""
    from ckanext.guangdong.harvesters.crosswalk import load as load_crosswalk
    from ckanext.guangdong.harvesters.organizations import city_org
    from ckanext.guangdong.harvesters.site import site_context
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    failed = 0
    for entry in data.get("sources") or []:
        cfg = entry.get("config") or {}
        payload = {"name": entry["name"], "title": entry.get("title") or entry["name"],
                   "url": entry["url"], "source_type": entry["type"],
                   "frequency": entry.get("frequency", "MANUAL"),
                   "config": json.dumps(cfg, ensure_ascii=False)}
        try:
            if cfg.get("region_code"):
                payload["owner_org"] = city_org(cfg["region_code"], load_crosswalk())
            try:
                existing = tk.get_action("harvest_source_show")(site_context(), {"id": entry["name"]})
                tk.get_action("harvest_source_update")(site_context(), dict(payload, id=existing["id"]))
                click.echo(f"updated {entry['name']}")
            except tk.ObjectNotFound:
                tk.get_action("harvest_source_create")(site_context(), payload)
                click.echo(f"created {entry['name']}")
        except tk.ValidationError as e:
            failed += 1
            click.secho(f"{entry['name']}: {e.error_dict}", fg="red", err=True)
    if failed:
        sys.exit(1)


@harvest.group()
def portals() -> None:
    """The stand-in city portals (ckanext.guangdong.demo.cityportals), for the demo."""


@portals.command("serve")
@click.option("--port", default=5101, help="开放广东-style API and DCAT catalog")
@click.option("--ckan-port", default=5102, help="the CKAN city portal (0: do not start it)")
@click.option("--count", default=110, help="records of the JSON API")
def portals_serve(port: int, ckan_port: int, count: int) -> None:
    """Serve the stand-in portals in the foreground until Ctrl-C (or SIGTERM from `make stop`)."""
    import signal
    # SIGTERM ends the process through SystemExit, so the finally below stops the city CKAN.
    # The city runs in this process's group, so `make stop` (which signals the whole group)
    # also ends it when it arrives before this handler or the finally is in place.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    from werkzeug.serving import make_server

    from ckanext.guangdong.demo.cityportals.api_portal import PortalState, create_app
    city = None
    try:
        if ckan_port:
            from ckanext.guangdong.demo.cityportals import ckan_city
            ini = Path(tk.config["__file__"])
            city = ckan_city.start(ini, db="ckan_city", count=40, port=ckan_port, own_session=False)
            click.echo(f"CKAN city portal (韶关市): {city.url}")
        click.echo(f"开放广东-style API: http://127.0.0.1:{port}  DCAT: http://127.0.0.1:{port}/catalog.ttl")
        make_server("127.0.0.1", port, create_app(PortalState(count=count)), threaded=True).serve_forever()
    finally:
        if city:
            city.stop()


guangdong.add_command(harvest)
guangdong.add_command(scheduler)
