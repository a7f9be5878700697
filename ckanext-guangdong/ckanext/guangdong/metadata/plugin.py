"""The schema feature: validators, vocabularies, facets, internal-field hiding, the 不予开放 rule,
and the SKOS concept schemes the DCAT output points at (``/vocab/themes.ttl``).

The scheming YAML (schemas/*.yaml) is loaded by ckanext-scheming; this plugin provides what the
YAML names (validators, choices helpers, templates) and the rules that span fields or actions.
"""
from __future__ import annotations

import json
import os
import re
from collections import OrderedDict
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.guangdong import registration
from ckanext.guangdong.metadata import helpers, internal, licenses, openness
from ckanext.guangdong.translation import FeatureTranslation

_HERE = os.path.dirname(__file__)

# Facet field -> vocabulary used to show its values as labels (None: shown as stored).
FACET_VOCABULARIES: dict[str, str | None] = {
    "organization": None, "theme": "themes", "access_rights": "access_rights",
    "frequency": "frequencies", "region_code": "regions", "res_format": "formats",
    "tags": None,
}


# Index fields Solr's schema types (docker/solr/conf/schema.xml): calendar days as
# dates, record_count as a whole number, so that ranges and sorts compare values.
DAY_FIELDS = ("issued", "modified", "temporal_start", "temporal_end")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WHOLE = re.compile(r"^-?\d{1,18}$")


def _typed_index_fields(data_dict: dict[str, Any]) -> None:
    """A day ("2018-06-01") becomes midnight UTC, the form Solr's date fields take; a
    value that is neither (older or harvested data) is left out of the index document
    rather than failing the whole document on Solr. The dataset itself keeps it."""
    for key in DAY_FIELDS:
        value = data_dict.get(key)
        if value in (None, ""):
            data_dict.pop(key, None)
        elif isinstance(value, str) and _DAY.match(value.strip()):
            data_dict[key] = value.strip() + "T00:00:00Z"
        else:
            data_dict.pop(key, None)
    count = data_dict.get("record_count")
    if count is not None and not (isinstance(count, int) or _WHOLE.match(str(count).strip())):
        data_dict.pop("record_count", None)
    elif count is not None:
        data_dict["record_count"] = int(str(count).strip())


def _add_titles(data_dict: dict[str, Any]) -> None:
    """Organization and group *titles* as index fields: CKAN indexes their names only,
    and people search for 广州市交通运输局, not city-440100-jt (Solr copies these into
    its Chinese text field, docker/solr/conf/schema.xml)."""
    try:
        shown = json.loads(data_dict.get("validated_data_dict") or "{}")
    except (TypeError, ValueError):
        return
    org = shown.get("organization") if isinstance(shown, dict) else None
    if isinstance(org, dict) and org.get("title"):
        data_dict["organization_title"] = org["title"]
    titles = [g["title"] for g in (shown.get("groups") or [])
              if isinstance(g, dict) and g.get("title")] if isinstance(shown, dict) else []
    if titles:
        data_dict["groups_title"] = titles


@tk.blanket.config_declarations
@tk.blanket.actions(registration.actions("ckanext.guangdong.metadata.logic.action"))
@tk.blanket.auth_functions
@tk.blanket.validators
@tk.blanket.helpers
@tk.blanket.blueprints
class GuangdongSchemaPlugin(p.SingletonPlugin, FeatureTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)

    # IConfigurer
    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, os.path.join(_HERE, "templates"))
        tk.add_resource(os.path.join(_HERE, "assets"), "guangdong_metadata")
        # Our licence list (Chinese names through the schema's catalog) unless one is configured.
        if not config.get("licenses_group_url"):
            config["licenses_group_url"] = licenses.LICENSES_FILE_URL


    # IPackageController
    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        if pkg_dict.get("type") == openness.DATASET_TYPE and not internal.may_see(context, pkg_dict):
            internal.strip(pkg_dict)

    def after_dataset_search(self, search_results: dict[str, Any],
                             search_params: dict[str, Any]) -> dict[str, Any]:
        # One indexed copy serves every reader, so search results never carry internal fields.
        for result in search_results.get("results", []):
            if isinstance(result, dict):
                internal.strip(result)
                internal.strip_stored_copies(result)  # fl=data_dict, fl=validated_data_dict, fl=*
        lang = helpers.current_lang()
        for field, vocabulary in FACET_VOCABULARIES.items():
            facet = search_results.get("search_facets", {}).get(field)
            if vocabulary and facet:
                for item in facet.get("items", []):
                    item["display_name"] = helpers.guangdong_vocab_label(vocabulary, item.get("name"), lang)
        return search_results

    def before_dataset_index(self, data_dict: dict[str, Any]) -> dict[str, Any]:
        internal.strip_index_fields(data_dict)
        _add_titles(data_dict)
        _typed_index_fields(data_dict)
        theme = data_dict.get("theme")
        if isinstance(theme, str):  # JSON list in the extra -> a multi-valued field for facets
            try:
                data_dict["theme"] = json.loads(theme)
            except ValueError:
                pass
        # Repeating subfields cannot go into a flat index field; keep them as JSON text.
        for key in ("data_items",):
            if isinstance(data_dict.get(key), list):
                data_dict[key] = json.dumps(data_dict[key], ensure_ascii=False)
        return data_dict

    # IFacets
    def dataset_facets(self, facets_dict: OrderedDict[str, Any],
                       package_type: str) -> OrderedDict[str, Any]:
        if package_type != openness.DATASET_TYPE:
            return facets_dict
        return _facets(with_organization=True)

    def organization_facets(self, facets_dict: OrderedDict[str, Any], organization_type: str,
                            package_type: str | None) -> OrderedDict[str, Any]:
        # an organization's page lists its datasets: the same facets, less the organization
        if package_type not in (None, openness.DATASET_TYPE):
            return facets_dict
        return _facets(with_organization=False)


def _facets(with_organization: bool) -> OrderedDict[str, Any]:
    """The dataset facets in page order, titles in the request's language."""
    _ = tk._
    facets = [
        ("organization", _("Publishing organization")),
        ("theme", _("Themes")),
        ("access_rights", _("Access rights")),
        ("frequency", _("Update frequency")),
        ("region_code", _("Region")),
        ("res_format", _("Formats")),
        ("tags", _("Tags")),
    ]
    return OrderedDict(f for f in facets if with_organization or f[0] != "organization")
