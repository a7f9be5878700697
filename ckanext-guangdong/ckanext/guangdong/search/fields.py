"""The index fields a visitor may name: what ``fl`` may return from package_search, and
which URL parameters the HTML search pages turn into field filters.

Both lists are the fields of CKAN's Solr schema with our additions
(docker/solr/conf/schema.xml, which the embedded backend follows) minus everything
internal: the stored copies of the dataset (``data_dict``, ``validated_data_dict``: raw
values, internal fields, harvest configuration), index housekeeping (``index_id``,
``site_id``, ``capacity``, ``permission_labels``, ``_version_``, ``indexed_ts``), the
analysed catch-all copies, the internal fields (共享属性, 分类分级, 已脱敏) and whatever
only Solr's catch-all dynamic field would hold (``creator_user_id``, a harvest source's
``config``). tests/search/test_search_public_fields.py keeps the list inside schema.xml.
"""
from __future__ import annotations

import fnmatch
import re
from typing import Any

# Fields of a public dataset as package_show shows them to anyone (schemas/*.yaml, CKAN's
# core fields), as they are indexed.
PUBLIC_FIELDS: frozenset[str] = frozenset({
    "id", "name", "title", "notes", "url", "version", "author", "author_email",
    "maintainer", "maintainer_email", "license", "license_id", "tags", "groups",
    "organization", "dataset_type", "state", "metadata_created", "metadata_modified",
    "title_string", "res_name", "res_description", "res_format", "res_url", "res_type",
    "urls", "depends_on", "dependency_of", "derives_from", "has_derivation", "links_to",
    "linked_from", "child_of", "parent_of",
    # schemas/dataset.yaml and application.yaml
    "identifier", "publisher_name", "publisher_identifier", "theme", "access_rights",
    "access_conditions", "frequency", "issued", "modified", "region_code",
    "temporal_start", "temporal_end", "contact_name", "contact_email", "contact_phone",
    "record_count", "data_items", "used_datasets", "developer_name", "developer_type",
    "application_kind", "organization_title", "organization_region_code",
    "organization_type", "groups_title", "harvest_source_id", "harvest_remote_id",
    "harvest_remote_url", "harvested_at",
    # ckanext-harvest's harvest sources (/harvest facets by it)
    "source_type",
})
# Public keyword (Solr string) fields: what package_search may facet on for a visitor.
# Facets on tokenized text fields (notes, text_zh...) listed the index's whole vocabulary
# (and made Solr uninvert them); on internal fields they listed their values.
FACETABLE_FIELDS: frozenset[str] = frozenset({
    "id", "name", "url", "version", "license", "license_id", "tags", "groups",
    "organization", "dataset_type", "state", "res_format", "res_url", "res_type",
    "identifier", "publisher_name", "publisher_identifier", "theme", "access_rights",
    "access_conditions", "frequency", "region_code", "contact_name", "contact_email",
    "contact_phone", "used_datasets", "developer_name", "developer_type", "application_kind",
    "organization_title", "organization_region_code", "organization_type", "groups_title",
    "harvest_source_id", "harvest_remote_id", "harvest_remote_url", "harvested_at",
    "source_type",
})
# Public single-valued fields a visitor may sort on (string, date or number fields), with
# CKAN's popularity counters; plus ``score``. No functions, no internal fields.
SORTABLE_FIELDS: frozenset[str] = frozenset({
    "score", "id", "name", "title_string", "version", "url", "license", "license_id",
    "organization", "dataset_type", "state", "metadata_created", "metadata_modified",
    "identifier", "publisher_name", "publisher_identifier", "access_rights",
    "access_conditions", "frequency", "region_code", "issued", "modified", "temporal_start",
    "temporal_end", "record_count", "developer_name", "developer_type", "application_kind",
    "organization_title", "organization_region_code", "organization_type", "harvested_at",
    "views_recent", "views_total",
})
# Field filters the search pages document besides their facets (CKAN's default facets).
PAGE_FILTER_FIELDS = frozenset({"organization", "groups", "tags", "res_format", "license_id"})
# Parameters of the search pages that are not field filters (CKAN's search view and ours).
PAGE_PARAMETERS = frozenset({"q", "page", "sort"})
# CKAN's search view also takes extras (ext_*) and hidden parameters (_*) as they are;
# vocabulary facets (vocab_*) are filters on fields a site may add.
_PASSED_PREFIXES = ("ext_", "_", "vocab_")


def public_fl(fl: Any) -> list[str]:
    """``fl`` (text separated by commas or spaces, or a list) reduced to public fields:
    ``*`` and globs stand for the public fields they match, ``score`` stays, anything
    else is left out, as Solr leaves out a field no document has. An empty result asks
    for ``id``."""
    items = fl if isinstance(fl, (list, tuple)) else [fl]
    wanted: list[str] = []
    for item in items:
        for name in re.split(r"[\s,]+", str(item)):
            if not name:
                continue
            if name == "score" or name in PUBLIC_FIELDS:
                matches = [name]
            elif "*" in name or "?" in name:
                matches = sorted(fnmatch.filter(PUBLIC_FIELDS, name))
            else:
                matches = []
            wanted += [m for m in matches if m not in wanted]
    return wanted or ["id"]


def is_facetable(name: str) -> bool:
    return name in FACETABLE_FIELDS or name.startswith("vocab_")


def is_page_filter(param: str, facets: set[str]) -> bool:
    """A URL parameter of the dataset search page that CKAN may turn into a field filter:
    a facet of the page or a documented filter field. Not ``utm_source``, ``from``, nor
    index fields a visitor would not filter on (WeChat OAuth's ``state=STATE``, ``name``,
    ``version``, ``dataset_type``): CKAN made each a filter that found nothing."""
    return (param in PAGE_PARAMETERS or param.startswith(_PASSED_PREFIXES)
            or param in facets or param in PAGE_FILTER_FIELDS)
