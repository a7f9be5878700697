"""The home page knows every organization, not only the first 25 that CKAN returns per call
with all fields (``ckan.group_and_organization_list_all_fields_max``): with more, the city
tiles of cities listed later showed 尚未接入 (found when a test database held 45)."""
from __future__ import annotations

import uuid

from gd_testing import make_org


def test_every_organization_is_read_past_ckans_page_of_25(gd):
    from ckan.plugins import toolkit as tk

    from ckanext.guangdong.theme import portal
    page = tk.config.get("ckan.group_and_organization_list_all_fields_max") or 25
    run = uuid.uuid4().hex[:8]
    # More than one page of organizations of this run alone, whatever the database holds.
    names = [make_org(name=f"zz-home-{run}-{i:02d}", title=f"测试部门{i}")["name"]
             for i in range(page + 2)]
    known = portal._organizations()
    assert set(names) <= set(known), sorted(set(names) - set(known))
    assert known[names[-1]]["title"] == f"测试部门{page + 1}"
