"""The data feature's plugin: DataStore loading through ckanext-xloader (job.py), Chinese search
in the DataStore (search.py), downloads in other formats and the data API page (views.py), and
the load status and 数据量 check on resource and dataset pages (templates, helpers.py)."""
from __future__ import annotations

import logging
import os
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckanext.datastore.interfaces import IDatastore
from ckanext.xloader.interfaces import IXloader

from ckanext.guangdong.translation import FeatureTranslation

HERE = os.path.dirname(__file__)
log = logging.getLogger(__name__)


def submit_new_resources(pkg_dict: dict[str, Any]) -> None:
    """xloader_submit every tabular resource of the dataset that was never submitted."""
    from ckan import model
    from ckanext.xloader.utils import XLoaderFormats
    resources = [r for r in pkg_dict.get("resources") or []
                 if isinstance(r, dict) and r.get("id")
                 and XLoaderFormats.is_it_an_xloader_format(r.get("format"))
                 and r.get("url_type") not in ("datastore", "datapusher", "xloader")]
    if not resources:
        return
    known = {tid for (tid,) in model.Session.query(model.TaskStatus.entity_id).filter(
        model.TaskStatus.entity_id.in_([r["id"] for r in resources]),
        model.TaskStatus.task_type == "xloader")}
    for res in resources:
        if res["id"] not in known:
            try:
                tk.get_action("xloader_submit")({"ignore_auth": True, "defer_commit": True},
                                                {"resource_id": res["id"]})
            except tk.ValidationError as e:
                log.warning("could not submit %s for loading: %s", res["id"], e)


@tk.blanket.config_declarations
@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.helpers
@tk.blanket.blueprints
class GuangdongDataPlugin(p.SingletonPlugin, FeatureTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(IXloader, inherit=True)
    p.implements(IDatastore, inherit=True)
    p.implements(p.IPackageController, inherit=True)

    def update_config(self, config: Any) -> None:
        # First in the template path, not after the datastore plugin that "datastore must come
        # first" puts ahead of us: our download menu replaces its dump menu (a block it fills
        # without super()). Every other block we touch calls super().
        ours = os.path.join(HERE, "templates")
        paths = [p for p in (config.get("extra_template_paths") or "").split(",") if p and p != ours]
        config["extra_template_paths"] = ",".join([ours] + paths)

    # IXloader: xloader's loader is about to create or empty the table of a resource we prepared;
    # give its columns the types we found over every row (it would make them all text) and the
    # 信息项 descriptions as the DataStore data dictionary's notes.
    def datastore_before_update(self, resource_id: str, existing_fields: Any,
                                new_headers: list[dict[str, Any]]) -> None:
        from ckanext.guangdong.data.job import PENDING
        pending = PENDING.get(resource_id)
        if pending is None:
            return
        types = {c.name: c.type for c in pending.prepared.columns}
        for field in new_headers:
            if field["id"] in types:
                field["type"] = types[field["id"]]
            note = pending.notes.get(field["id"])
            if note:
                info = dict(field.get("info") or {})
                info.setdefault("notes", note)
                field["info"] = info

    # IPackageController: ckanext-xloader submits resources made by resource_create and links
    # that change, but not the resources of a package_create or those a package_update adds
    # (harvested datasets arrive that way): submit those.
    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        submit_new_resources(pkg_dict)

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        submit_new_resources(pkg_dict)

    # IDatastore: a Chinese q becomes substring matches (search.py).
    def datastore_search(self, context: Any, data_dict: dict[str, Any],
                         fields_types: dict[str, str], query_dict: dict[str, Any]) -> dict[str, Any]:
        from ckanext.guangdong.data import search
        q = context.get(search.CONTEXT_KEY)
        if q:
            query_dict.setdefault("where", [])
            query_dict["where"] += search.where_clauses(q, fields_types)
        return query_dict
