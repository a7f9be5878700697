"""Open-data applications (开放数据应用): the ``application`` dataset type (schemas/application.yaml,
served by ckanext-scheming at /application), links to the datasets they use, and the rule that
applications never show up where datasets are listed or counted."""
from __future__ import annotations

import os
import re
from collections import OrderedDict
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.guangdong.metadata import openness, vocab
from ckanext.guangdong.translation import FeatureTranslation

_HERE = os.path.dirname(__file__)
# a positive filter on the type ("dataset_type:x", "+type:x"); "-dataset_type:harvest" is not one
_TYPE_FILTER = re.compile(r"(?:^|[\s(+])(?:dataset_)?type:")


@tk.blanket.validators
@tk.blanket.helpers
class GuangdongApplicationPlugin(p.SingletonPlugin, FeatureTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IMiddleware, inherit=True)

    def make_middleware(self, app: Any, config: Any) -> Any:
        # the new-application form's two _ckan_phase values (form_phase.py)
        if hasattr(app, "before_request"):
            from ckanext.guangdong.application import form_phase
            app.before_request(form_phase.keep_one_step)
        return app

    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, os.path.join(_HERE, "templates"))

    # IPackageController
    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        """A search that does not ask for a type gets datasets only, so applications never
        leak into /dataset, organization pages, dataset counts or the DCAT catalog."""
        fq = search_params.get("fq") or ""
        filters = [fq, search_params.get("q") or "", *(search_params.get("fq_list") or [])]
        if not any(_TYPE_FILTER.search(str(f)) for f in filters):
            search_params["fq"] = f"{fq} +dataset_type:{openness.DATASET_TYPE}".strip()
        return search_params

    def after_dataset_search(self, search_results: dict[str, Any],
                             search_params: dict[str, Any]) -> dict[str, Any]:
        facet = search_results.get("search_facets", {}).get("application_kind")
        if facet:
            from ckanext.guangdong.metadata.helpers import current_lang
            for item in facet.get("items", []):
                item["display_name"] = vocab.label("application_kinds", item.get("name"),
                                                   current_lang())
        return search_results

    # IFacets
    def dataset_facets(self, facets_dict: OrderedDict[str, Any],
                       package_type: str) -> OrderedDict[str, Any]:
        if package_type != openness.APPLICATION_TYPE:
            return facets_dict
        _ = tk._
        return OrderedDict([
            ("application_kind", _("Kind")),
            ("theme", _("Themes")),
            ("tags", _("Tags")),
        ])
