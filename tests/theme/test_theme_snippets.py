"""Note snippets of list pages (theme/helpers.py markdown_extract): CKAN's own answer, kept."""
from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.usefixtures("gd")


def test_markdown_extract_is_ckans_answer_and_is_kept(gd_app) -> None:
    import ckan.lib.helpers as ckan_helpers
    import ckan.plugins.toolkit as tk

    from ckanext.guangdong.theme import helpers
    text = f"**广州市**公交线路 <script>x</script> [链接](http://127.0.0.1/) {uuid.uuid4().hex} " * 8
    calls = []

    def counting(value: str, extract_length: int = 190) -> str:
        calls.append(value)
        return ckan_helpers.markdown_extract(value, extract_length)
    with gd_app.flask_app.test_request_context():
        assert tk.h.markdown_extract(text, 80) == ckan_helpers.markdown_extract(text, 80)
    first = helpers.markdown_extract(counting, text, 60)
    again = helpers.markdown_extract(counting, text, 60)
    assert first == again == ckan_helpers.markdown_extract(text, 60)
    assert "<script>" not in first and len(first) <= 60
    assert len(calls) == 1  # the second came from the cache
    assert helpers.markdown_extract(counting, text, 61) == ckan_helpers.markdown_extract(text, 61)
    assert len(calls) == 2  # another length is another answer


def test_dataset_page_sidebar_shows_the_publisher_without_counting_the_catalog(gd_app, monkeypatch) -> None:
    """The sidebar's publisher comes from a light organization_show: same title, description
    and picture as CKAN's h.get_organization, and no facet search of the whole catalog."""
    import ckan.plugins.toolkit as tk
    from gd_testing import dataset_dict, make_org, make_sysadmin

    from ckanext.guangdong.theme import helpers
    org = make_org(title="侧栏测试厅", description="负责**侧栏**测试。")
    pkg = tk.get_action("package_create")({"user": make_sysadmin()["name"]},
                                          dataset_dict(org["id"], title="侧栏测试数据集"))
    full = tk.get_action("organization_show")({}, {"id": org["id"]})
    brief = helpers.guangdong_organization_summary(org["id"])
    for key in ("id", "name", "title", "description", "image_display_url", "type", "state"):
        assert brief[key] == full[key], key
    assert helpers.guangdong_organization_summary("no-such-org") == {}
    # CKAN's organization_show counts the datasets of every group (a facet search of the
    # whole catalog, twice per page before): the page must not call it.
    from ckan.lib.dictization import model_dictize
    calls = []
    original = model_dictize.get_group_dataset_counts

    def counting():
        calls.append(1)
        return original()
    monkeypatch.setattr(model_dictize, "get_group_dataset_counts", counting)
    page = gd_app.get(f"/dataset/{pkg['name']}").body
    sidebar = page[page.index('id="organization-info"'):]
    assert "侧栏测试厅" in sidebar[:2000] and "负责侧栏测试。" in sidebar[:2000]
    assert calls == []


def test_dataset_page_reads_its_publisher_once(gd_app, monkeypatch) -> None:
    import ckan.plugins.toolkit as tk
    from gd_testing import dataset_dict, make_org, make_sysadmin

    from ckanext.guangdong.theme import helpers, page_cache
    org = make_org(title="侧栏一次测试厅")
    pkg = tk.get_action("package_create")({"user": make_sysadmin()["name"]},
                                          dataset_dict(org["id"], title="侧栏一次测试数据集"))
    asked = []
    real = helpers._organization_summary

    def counting(org_id):
        asked.append(org_id)
        return real(org_id)
    monkeypatch.setattr(helpers, "_organization_summary", counting)
    page_cache.bump_version()  # rendered, not the anonymous page cache's copy
    page = gd_app.get(f"/dataset/{pkg['name']}").body
    assert asked == [org["id"]]  # twice before
    assert "侧栏一次测试厅" in page[page.index('id="organization-info"'):][:2000]
