"""Facet values of search pages (theme/helpers.py get_facet_items_dict, has_more_facets):
CKAN's answers, made once per request and facet instead of once per call and value."""
from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("gd")


class CountingList(list):
    """A facet's values that count how often they are walked."""
    walks = 0

    def __iter__(self) -> Any:
        CountingList.walks += 1
        return super().__iter__()


def _facets() -> dict[str, Any]:
    def item(name: str, count: int, display: str | None = None) -> dict[str, Any]:
        return {"name": name, "display_name": display or name, "count": count}
    return {
        "tags": {"title": "tags", "items": CountingList([
            item("交通", 5), item("公交", 7), item("地铁", 5, "Ditie"), item("  ", 9),
            item("教育", 1), item("ditie", 5, "ditie"), item("医疗", 7)])},
        "res_format": {"title": "res_format", "items": CountingList([
            item("CSV", 3), item("JSON", 2), item("XLSX", 2)])},
        "organization": {"title": "organization", "items": []},
    }


@pytest.mark.parametrize("query", [
    "", "tags=交通", "tags=交通&tags=医疗&res_format=JSON&page=2", "q=x&res_format=CSV&tags=none"])
def test_facet_items_are_ckans_and_made_once(gd_app: Any, query: str) -> None:
    import flask
    from ckan.lib import helpers as ckan_helpers

    from ckanext.guangdong.theme import helpers

    def ours(name: str, *args: Any, **kwargs: Any) -> Any:
        return getattr(helpers, name)(getattr(ckan_helpers, name), *args, **kwargs)

    flask_app = gd_app.flask_app
    for limits in (None, {"tags": 2}, {"tags": 0, "res_format": 5}):
        for exclude in (False, True):
            with flask_app.test_request_context(f"/dataset/?{query}"):
                if limits is not None:
                    flask.g.search_facets_limits = limits
                facets = _facets()
                CountingList.walks = 0
                for name in ("tags", "res_format", "organization", "missing"):
                    for limit in (None, 1, 3, 0):
                        assert ours("get_facet_items_dict", name, facets, limit, exclude) == \
                            ckan_helpers.get_facet_items_dict(name, facets, limit, exclude)
                        if name != "missing":
                            assert ours("has_more_facets", name, facets, limit, exclude) == \
                                ckan_helpers.has_more_facets(name, facets, limit, exclude)
                CountingList.walks = 0
                ours("get_facet_items_dict", "tags", facets, None, exclude)
                ours("get_facet_items_dict", "tags", facets, None, exclude)
                ours("has_more_facets", "tags", facets, None, exclude)
                assert CountingList.walks == 0  # made above, in this request
            with flask_app.test_request_context(f"/dataset/?{query}"):
                facets = _facets()
                ours("get_facet_items_dict", "tags", facets, None, exclude)
                ours("get_facet_items_dict", "tags", facets, None, exclude)
                ours("has_more_facets", "tags", facets, 2, exclude)
                assert CountingList.walks == 1  # CKAN's way: 3


def test_templates_get_them(gd_app: Any) -> None:
    """The helpers the templates call (h.*) are these."""
    import ckan.plugins.toolkit as tk
    with gd_app.flask_app.test_request_context("/dataset/?tags=交通"):
        facets = _facets()
        CountingList.walks = 0
        # count, then display name ("Ditie" before "交通"); 交通 is the page's filter
        assert [(i["name"], i["active"]) for i in tk.h.get_facet_items_dict("tags", facets, 5)] == [
            ("公交", False), ("医疗", False), ("地铁", False), ("ditie", False), ("交通", True)]
        assert tk.h.has_more_facets("tags", facets, 2) is True
        assert CountingList.walks == 1
