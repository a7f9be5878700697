"""Running harvests the way the consumers do, for tests, the demo and the benchmark."""
from __future__ import annotations

import json
from typing import Any


def make_source(url: str, source_type: str, config: dict[str, Any], name: str) -> dict[str, Any]:
    """A harvest source through the action, as the web form would (so the URL and config
    are validated)."""
    import ckan.plugins.toolkit as tk

    from ckanext.guangdong.harvesters.crosswalk import load
    from ckanext.guangdong.harvesters.organizations import city_org
    from ckanext.guangdong.harvesters.site import site_context
    # A city's sources belong to the city's organization (city-<code>).
    owner = city_org(config["region_code"], load()) if config.get("region_code") else None
    return tk.get_action("harvest_source_create")(site_context(), {
        "name": name, "title": name, "url": url, "source_type": source_type, "owner_org": owner,
        "config": json.dumps(config, ensure_ascii=False), "frequency": "MANUAL"})


def run_job(source: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """Run one job of the source like the gather and fetch consumers would; returns the
    job and ckanext-harvest's results by guid."""
    from ckanext.harvest.model import HarvestJob, HarvestSource
    from ckanext.harvest.queue import get_harvester
    from ckanext.harvest.tests.lib import run_harvest_job
    src = HarvestSource.get(source["id"])
    job = HarvestJob(source=src)
    job.save()
    results = run_harvest_job(job, get_harvester(src.type))
    for result in results.values():  # plain text, readable after the session is gone
        result["errors"] = [e.message for e in result["errors"]]
    from ckan import model
    model.Session.remove()
    return HarvestJob.get(job.id), results


def datasets_of(source_id: str, include_private: bool = True) -> list[dict[str, Any]]:
    """Datasets of a source read from the database (not the search index)."""
    import ckan.plugins.toolkit as tk
    from ckan import model

    from ckanext.guangdong.harvesters.site import site_context
    ids = [pid for (pid,) in model.Session.query(model.PackageExtra.package_id)
           .filter(model.PackageExtra.key == "harvest_source_id", model.PackageExtra.value == source_id)]
    out = [tk.get_action("package_show")(site_context(), {"id": pid}) for pid in ids]
    return [d for d in out if d["state"] == "active" and (include_private or not d["private"])]


