"""Run in a subprocess by test_schema_stock_harvest.py: a stock CKAN (ckanext-dcat's DCAT-AP 3 schema
and profile, ckanext-harvest, the RDF harvester; none of our plugins) harvests one URL.

    python stock_harvest.py STOCK_INI URL   -> prints a JSON summary on the last line
"""
from __future__ import annotations

import json
import sys
import uuid


def main(ini: str, url: str) -> dict:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    app = make_app(load_config(ini))
    flask_app = app.apps["flask_app"]._wsgi_app if hasattr(app, "apps") else app._wsgi_app
    with flask_app.test_request_context():
        import ckan.model as model
        import ckan.plugins.toolkit as tk
        from ckanext.harvest.model import HarvestGatherError, HarvestObject, HarvestObjectError
        from ckanext.harvest.utils import run_test_harvester

        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        ctx = lambda: {"user": site_user, "ignore_auth": True}  # noqa: E731
        suffix = uuid.uuid4().hex[:8]
        org = tk.get_action("organization_create")(ctx(), {"name": f"stock-{suffix}"})
        source = tk.get_action("harvest_source_create")(ctx(), {
            "name": f"gd-catalog-{suffix}", "title": "开放广东", "url": url,
            "source_type": "dcat_rdf", "owner_org": org["id"]})
        run_test_harvester(source["name"], None)

        objects = model.Session.query(HarvestObject).filter_by(harvest_source_id=source["id"]).all()
        object_errors = [e.message for o in objects
                         for e in model.Session.query(HarvestObjectError).filter_by(harvest_object_id=o.id)]
        gather_errors = [e.message for e in model.Session.query(HarvestGatherError).all()
                         if e.harvest_job and e.harvest_job.source_id == source["id"]]
        found = tk.get_action("package_search")(ctx(), {
            "fq": f"owner_org:{org['id']}", "rows": 1000, "include_private": True})
        return {
            "objects": len(objects), "object_errors": object_errors, "gather_errors": gather_errors,
            "datasets": [{k: p.get(k) for k in ("title", "identifier", "theme", "frequency",
                                                  "access_rights", "issued", "modified")}
                         | {"formats": sorted(r.get("format") or "" for r in p["resources"])}
                         for p in found["results"]],
        }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2]), ensure_ascii=False, default=str))
